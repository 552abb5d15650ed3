"""Raising alerts: read the figures, ask the rules, insert each crossing once.

Called in the unit of work of a usage change (alerts/usage.py) and by the
periodic sweep (alerts/sweep.py). Several replicas may evaluate the same
crossing at once: each inserts the same (subject, kind, threshold, epoch) row
with ON CONFLICT DO NOTHING, and only the one whose row went in writes the
mail, in the same transaction, through the outbox.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tenantree.access.policy import alert_recipient, shows_pool
from tenantree.alerts.models import Alert, AlertThresholds
from tenantree.alerts.rules import (
    DEFAULT_PERCENTS,
    AlertKind,
    LastCrossing,
    Step,
    expiry_threshold,
    next_step,
    percent_of,
    reached,
)
from tenantree.db import new_id
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.licensing.models import Consumption, License, LicensePool, LicenseStatus, Quota
from tenantree.licensing.sources import linked_holders
from tenantree.orgs.models import Org
from tenantree.outbox import Outbox

_CROSSING = ("subject_id", "kind", "threshold", "epoch")
BATCH = 500
# What a reading needs of a pool, as plain columns: the pool's use changes by
# UPDATE statements (licensing.usage_writes), which a loaded entity would miss.
POOL_ROW = (
    LicensePool.id,
    LicensePool.holder_org_id,
    LicensePool.sku,
    LicensePool.unit,
    LicensePool.used,
)


@dataclass(frozen=True)
class UseReading:
    """One figure to hold against thresholds: a pool's or a quota's."""

    kind: AlertKind
    subject_id: uuid.UUID
    holder_id: uuid.UUID  # the pool's holder
    consumer_id: uuid.UUID | None  # the sub-org, for a quota
    sku: str
    unit: str
    used: int
    limit: int

    @classmethod
    def of_pool(
        cls, pool_id: uuid.UUID, holder_id: uuid.UUID, sku: str, unit: str, used: int, quantity: int
    ) -> UseReading | None:
        """A pool's use against its licenses in term; none when it has no
        quantity (nothing to hold a use against)."""
        if quantity <= 0:
            return None
        return cls(AlertKind.POOL_USE, pool_id, holder_id, None, sku, unit, used, quantity)

    @classmethod
    def of_quota(
        cls,
        quota_id: uuid.UUID,
        holder_id: uuid.UUID,
        sub_org_id: uuid.UUID,
        sku: str,
        unit: str,
        units: int,
        limit: int,
    ) -> UseReading:
        """A sub-org's units of its partner's pool against its quota."""
        return cls(AlertKind.QUOTA_USE, quota_id, holder_id, sub_org_id, sku, unit, units, limit)


@dataclass
class Raised:
    """What one evaluation did."""

    raised: list[uuid.UUID]
    cleared: int = 0

    def add(self, other: Raised) -> None:
        self.raised.extend(other.raised)
        self.cleared += other.cleared


def thresholds_of(
    session: Session, org_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, ...]]:
    """org -> the percents it set (DEFAULT_PERCENTS for those without)."""
    ids = list(set(org_ids))
    found = (
        dict(
            session.execute(
                select(AlertThresholds.org_id, AlertThresholds.percents).where(
                    AlertThresholds.org_id.in_(ids)
                )
            ).all()
        )
        if ids
        else {}
    )
    return {org_id: tuple(found.get(org_id, DEFAULT_PERCENTS)) for org_id in ids}


def _last_crossings(
    session: Session, subject_ids: Sequence[uuid.UUID]
) -> dict[tuple[uuid.UUID, str, int], LastCrossing]:
    latest: dict[tuple[uuid.UUID, str, int], LastCrossing] = {}
    if not subject_ids:
        return latest
    for subject_id, kind, threshold, epoch, cleared_at in session.execute(
        select(Alert.subject_id, Alert.kind, Alert.threshold, Alert.epoch, Alert.cleared_at)
        .where(Alert.subject_id.in_(list(subject_ids)))
        .order_by(Alert.epoch)
    ):
        latest[(subject_id, kind, threshold)] = LastCrossing(epoch, cleared_at is not None)
    return latest


def _insert_once(session: Session, values: dict[str, Any]) -> bool:
    """Insert the crossing unless it is there (or being inserted) already."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Alert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(_CROSSING))
        .returning(Alert.__table__.c.id)
    )
    # Core, on the session's connection: RETURNING names the row only when it
    # went in (an ORM-enabled INSERT's rowcount is not reliable on every driver).
    return session.connection().execute(statement).first() is not None


def admin_emails(session: Session, org_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(
            select(Account.email)
            .join(Membership, Membership.account_id == Account.id)
            .where(
                Membership.org_id == org_id,
                Membership.role == Role.ADMIN,
                Membership.status == MemberStatus.ACTIVE,
            )
            .order_by(Account.email)
        )
    )


def _mail(
    session: Session,
    outbox: Outbox,
    alert_id: uuid.UUID,
    org_id: uuid.UUID,
    text: str,
    subject: str,
) -> None:
    for address in admin_emails(session, org_id):
        outbox.enqueue(
            session, to=address, subject=subject, text=text, org_id=org_id,
            about=("alert", alert_id),
        )  # fmt: skip


def _use_figures(reading: UseReading, recipient: uuid.UUID) -> dict[str, Any]:
    """The recipient's own figures: a pool's to its holder, a quota's to the sub-org."""
    if reading.kind == AlertKind.POOL_USE:
        assert shows_pool(False, holder_id=reading.holder_id, org_id=recipient)
        return {"quantity": reading.limit, "used": reading.used, "unit": reading.unit,
                "percent": percent_of(reading.used, reading.limit)}  # fmt: skip
    return {"quota": reading.limit, "used": reading.used, "unit": reading.unit,
            "percent": percent_of(reading.used, reading.limit)}  # fmt: skip


def _use_message(reading: UseReading, threshold: int) -> tuple[str, str]:
    pct = percent_of(reading.used, reading.limit)
    if reading.kind == AlertKind.POOL_USE:
        subject = f"{reading.sku}: {pct}% of your licenses in use"
        text = (
            f"Your {reading.sku} pool has {reading.used} of {reading.limit} {reading.unit} "
            f"in use ({pct}%), at or above the {threshold}% alert threshold."
        )
    else:
        subject = f"{reading.sku}: {pct}% of your quota in use"
        text = (
            f"Your organization uses {reading.used} of its quota of {reading.limit} "
            f"{reading.unit} of {reading.sku} ({pct}%), at or above {threshold}%."
        )
    return subject, text


def evaluate_use(
    session: Session,
    outbox: Outbox,
    readings: Sequence[UseReading],
    now: datetime,
) -> Raised:
    """Hold each reading against its holder's thresholds: raise new crossings
    (once each), clear those use fell back below."""
    result = Raised([])
    # In batches: a sweep's readings bind their ids into IN lists.
    for start in range(0, len(readings), BATCH):
        result.add(_evaluate_batch(session, outbox, readings[start : start + BATCH], now))
    return result


def _evaluate_batch(
    session: Session, outbox: Outbox, readings: Sequence[UseReading], now: datetime
) -> Raised:
    percents = thresholds_of(session, (r.holder_id for r in readings))
    return evaluate_with_thresholds(session, outbox, readings, percents, now)


def evaluate_with_thresholds(
    session: Session,
    outbox: Outbox,
    readings: Sequence[UseReading],
    percents: Mapping[uuid.UUID, tuple[int, ...]],
    now: datetime,
) -> Raised:
    """evaluate_use with each holder's thresholds already read: the crossings
    are read here, at the moment of deciding."""
    result = Raised([])
    latest = _last_crossings(session, [r.subject_id for r in readings])
    for reading in readings:
        recipient = alert_recipient(
            about_quota=reading.kind == AlertKind.QUOTA_USE,
            holder_id=reading.holder_id,
            consumer_id=reading.consumer_id,
        )
        for threshold in percents[reading.holder_id]:
            step = next_step(
                reached(reading.used, reading.limit, threshold),
                latest.get((reading.subject_id, reading.kind, threshold)),
            )
            if step is None:
                continue
            action, epoch = step
            if action == Step.CLEAR:
                session.execute(
                    update(Alert)
                    .where(
                        Alert.subject_id == reading.subject_id,
                        Alert.kind == reading.kind,
                        Alert.threshold == threshold,
                        Alert.epoch == epoch,
                        Alert.cleared_at.is_(None),
                    )
                    .values(cleared_at=now)
                )
                result.cleared += 1
                continue
            alert_id = new_id()
            if _insert_once(
                session,
                {
                    "id": alert_id,
                    "org_id": recipient,
                    "kind": reading.kind,
                    "subject_id": reading.subject_id,
                    "sku": reading.sku,
                    "threshold": threshold,
                    "epoch": epoch,
                    "figures": _use_figures(reading, recipient),
                    "raised_at": now,
                },
            ):
                subject, text = _use_message(reading, threshold)
                _mail(session, outbox, alert_id, recipient, text, subject)
                result.raised.append(alert_id)
    return result


def evaluate_expiries(
    session: Session, outbox: Outbox, licenses: Sequence[License], now: datetime
) -> Raised:
    """Raise the 30/7/1-day alert each license is now within (once each)."""
    result = Raised([])
    for lic in licenses:
        if lic.status != LicenseStatus.ACTIVE:
            continue
        days = expiry_threshold(lic.ends_at, now)
        if days is None:
            continue
        alert_id = new_id()
        ends_on = lic.ends_at.date()
        recipient = alert_recipient(
            about_quota=False, holder_id=lic.holder_org_id, consumer_id=None
        )
        if _insert_once(
            session,
            {
                "id": alert_id,
                "org_id": recipient,
                "kind": AlertKind.EXPIRY,
                "subject_id": lic.id,
                "sku": lic.sku,
                "threshold": days,
                # A renewed (moved) end is a new epoch: it alerts again.
                "epoch": ends_on.toordinal(),
                "figures": {
                    "ends_at": lic.ends_at.isoformat(),
                    "quantity": lic.quantity,
                    "unit": lic.unit,
                    "days": days,
                },
                "raised_at": now,
            },
        ):
            plural = "day" if days == 1 else "days"
            _mail(
                session,
                outbox,
                alert_id,
                recipient,
                f"Your license of {lic.quantity} {lic.unit} of {lic.sku} ends on "
                f"{ends_on.isoformat()} (within {days} {plural}). Renew it to keep using it.",
                f"{lic.sku}: your license ends within {days} {plural}",
            )
            result.raised.append(alert_id)
    return result


def pool_readings(session: Session, pools: Sequence[Any], now: datetime) -> list[UseReading]:
    """Each pool's use (rows of POOL_ROW) against the quantity of its licenses in term.

    A linked pool (licensing.linked) has no quantity of its own, whatever its
    holder's licenses: its use is held against its partner's quota instead
    (quota_readings), and the distributor's pool against the distributor's.
    """
    if not pools:
        return []
    quantities: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    holders = {pool.holder_org_id for pool in pools}
    linked = linked_holders(session, holders)
    for lic in session.scalars(select(License).where(License.holder_org_id.in_(holders))):
        if lic.in_term(now):
            quantities[(lic.holder_org_id, lic.sku)] += lic.quantity
    readings = (
        UseReading.of_pool(
            pool.id,
            pool.holder_org_id,
            pool.sku,
            pool.unit,
            pool.used,
            quantities[(pool.holder_org_id, pool.sku)],
        )
        for pool in pools
        if pool.holder_org_id not in linked
    )
    return [reading for reading in readings if reading is not None]


def quota_readings(
    session: Session, *, sub_org_id: uuid.UUID | None = None, sku: str | None = None
) -> list[UseReading]:
    """Each sub-org's use of its partner's pool against its quota (all, or one)."""
    statement = (
        select(Quota.id, Quota.sub_org_id, Quota.sku, Quota.max_units, Org.parent_id,
               LicensePool.unit, Consumption.units)
        .join(Org, Org.id == Quota.sub_org_id)
        .join(LicensePool, (LicensePool.holder_org_id == Org.parent_id)
              & (LicensePool.sku == Quota.sku))
        .outerjoin(Consumption, (Consumption.pool_id == LicensePool.id)
                   & (Consumption.org_id == Quota.sub_org_id))
    )  # fmt: skip
    if sub_org_id is not None:
        statement = statement.where(Quota.sub_org_id == sub_org_id)
    if sku is not None:
        statement = statement.where(Quota.sku == sku)
    # One order everywhere: concurrent sweeps wait on each other's inserts, never deadlock.
    statement = statement.order_by(Quota.id)
    return [
        UseReading.of_quota(quota_id, parent_id, org_id, sku_, unit, units or 0, limit)
        for quota_id, org_id, sku_, limit, parent_id, unit, units in session.execute(statement)
        if parent_id is not None
    ]
