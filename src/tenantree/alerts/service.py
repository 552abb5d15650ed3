"""Alerts as their readers see them, and the thresholds the partner sets."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.alerts.models import Alert, AlertThresholds
from tenantree.alerts.raising import thresholds_of
from tenantree.alerts.rules import AlertKind, AlertState, checked_percents
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid, NotFound
from tenantree.orgs.models import Org

MAX_LISTED = 200
# A listing's orders; equal kinds or SKUs show the newest first.
ALERT_SORTS = {"raised": Alert.raised_at, "kind": Alert.kind, "sku": Alert.sku}


class AlertNotFound(NotFound):
    code = "alert_not_found"


def list_alerts(
    session: Session,
    org: Org,
    *,
    state: AlertState = AlertState.ALL,
    open_only: bool = False,
    sort: str = "raised",
    descending: bool = True,
) -> list[Alert]:
    """The org's alerts, newest first unless `sort` says otherwise: those raised
    to its admins, with the org's own figures only (access.policy.alert_recipient)."""
    if sort not in ALERT_SORTS:
        raise Invalid(f"sort must be one of {', '.join(ALERT_SORTS)}", field="sort")
    column = ALERT_SORTS[sort]
    order = [column.desc() if descending else column.asc()]
    if sort != "raised":
        order.append(Alert.raised_at.desc())
    statement = select(Alert).where(Alert.org_id == org.id)
    if open_only or state == AlertState.OPEN:
        statement = statement.where(Alert.cleared_at.is_(None), Alert.acknowledged_at.is_(None))
    elif state == AlertState.ACKNOWLEDGED:
        statement = statement.where(Alert.acknowledged_at.is_not(None))
    return list(session.scalars(statement.order_by(*order, Alert.id).limit(MAX_LISTED)))


def open_alerts(session: Session, org: Org) -> list[Alert]:
    """What the console's banner shows: not cleared, not acknowledged, and for
    an expiry, the license not ended yet."""
    now = clock.utcnow()
    return [
        alert
        for alert in list_alerts(session, org, open_only=True)
        if alert.kind != AlertKind.EXPIRY or datetime.fromisoformat(alert.figures["ends_at"]) > now
    ]


def acknowledge(session: Session, trail: AuditTrail, org: Org, alert_id: uuid.UUID) -> Alert:
    """Mark one of the org's alerts seen: it leaves the banner and stays listed.

    An alert of another org is not found (as an org one may not see). Doing it
    again changes nothing; of two admins at once, one acknowledges it (the
    update is conditional) and only that one is audited.
    """
    alert = session.scalar(select(Alert).where(Alert.id == alert_id, Alert.org_id == org.id))
    if alert is None:
        raise AlertNotFound("this org has no such alert", field="alert_id")
    if alert.acknowledged_at is not None:
        return alert
    now = clock.utcnow()
    changed = session.execute(
        update(Alert)
        .where(Alert.id == alert.id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by=trail.actor_id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(alert)
    if changed.rowcount == 1:  # type: ignore[attr-defined]
        trail.record(
            AuditAction.ALERT_ACKNOWLEDGED,
            org_id=org.id,
            target_type="alert",
            target_id=alert.id,
            kind=alert.kind,
            sku=alert.sku,
            threshold=alert.threshold,
        )
    return alert


@dataclass(frozen=True)
class Thresholds:
    percents: tuple[int, ...]
    is_default: bool


def get_thresholds(session: Session, org: Org) -> Thresholds:
    row = session.get(AlertThresholds, org.id)
    if row is None:
        return Thresholds(thresholds_of(session, [org.id])[org.id], True)
    return Thresholds(tuple(row.percents), False)


def set_thresholds(
    session: Session, trail: AuditTrail, org: Org, percents: list[int]
) -> Thresholds:
    """Set the percents of the org's pools (and of its sub-orgs' quotas) that alert."""
    checked = list(checked_percents(percents))
    row = session.get(AlertThresholds, org.id)
    before = None if row is None else list(row.percents)
    if row is None:
        row = AlertThresholds(org_id=org.id, percents=checked, updated_by=trail.actor_id)
        session.add(row)
    else:
        row.percents = checked
        row.updated_by = trail.actor_id
    session.flush()
    trail.record(
        AuditAction.ALERT_THRESHOLDS_CHANGED,
        org_id=org.id,
        target_type="org",
        target_id=org.id,
        before=before,
        after=checked,
    )
    return Thresholds(tuple(checked), False)


def describe(alert: Alert) -> str:
    """One line for a banner or a listing, from the alert's own figures."""
    f = alert.figures
    if alert.kind == AlertKind.EXPIRY:
        ends_on = datetime.fromisoformat(f["ends_at"]).date().isoformat()
        return f"Your license of {f['quantity']} {f['unit']} of {alert.sku} ends on {ends_on}."
    if alert.kind == AlertKind.POOL_USE:
        return (
            f"{alert.sku}: {f['used']} of {f['quantity']} {f['unit']} in use "
            f"({f['percent']}%, alert at {alert.threshold}%)."
        )
    return (
        f"{alert.sku}: {f['used']} of your quota of {f['quota']} {f['unit']} in use "
        f"({f['percent']}%, alert at {alert.threshold}%)."
    )
