"""The terms on which a sub-org draws: its license source and its quotas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.licensing.consumer_state import changed_by, read_consumer_state
from tenantree.licensing.linked import link_partner, unlink_partner, upstream_state
from tenantree.licensing.models import (
    Consumption,
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
    Quota,
)
from tenantree.licensing.pool import Change
from tenantree.licensing.sources import DrawPath, Link, lock_path
from tenantree.licensing.usage_writes import ChangedBy
from tenantree.orgs.models import Org


def _require_sub_org(org: Org, field: str) -> None:
    if not org.is_sub_org:
        raise Invalid(
            "only sub-orgs have a license source and quotas", field=field, code="not_a_sub_org"
        )


def set_license_source(
    session: Session, trail: AuditTrail, org: Org, source: LicenseSource
) -> LicenseSource:
    """Switch a sub-org's source.

    A customer's use of the old source's pools is released (through a linked
    pool, from the distributor's pool too): it reports its use again against
    the new source. A tier-2 partner's pools keep their use: switching to
    parent_pool puts it onto the distributor's pools (409 naming the shortfall
    when they lack room), switching to own takes it off (licensing.linked).
    """
    _require_sub_org(org, "source")
    path = lock_path(session, org)
    before = path.source
    if before == source:
        return source
    now = clock.utcnow()
    by = changed_by(trail)
    moved: dict[str, object]
    if org.is_partner:
        assert org.parent_id is not None
        link = Link(org.id, org.parent_id)
        if source == LicenseSource.PARENT_POOL:
            moved = {"put_on_distributor": link_partner(session, link, at=now, by=by)}
        else:
            moved = {"taken_off_distributor": unlink_partner(session, link, at=now, by=by)}
    else:
        moved = {"released": _release(session, org, path, now, by)}
    session.add(
        LicenseSourceChange(org_id=org.id, source=source, changed_by=trail.actor_id, at=now)
    )
    session.flush()
    trail.record(
        AuditAction.LICENSE_SOURCE_CHANGED,
        org_id=org.id,
        target_type="org",
        target_id=org.id,
        source={"from": before.value, "to": source.value},
        **moved,
    )
    return source


def _release(
    session: Session, org: Org, path: DrawPath, at: datetime, by: ChangedBy
) -> dict[str, int]:
    """Release a customer's use of the pools it draws on: first from the pool
    drawn on, then (linked) from the distributor's (the lock order)."""
    released: dict[str, int] = {}
    linked_used: dict[str, int] = {}
    held = session.execute(
        select(LicensePool.sku, Consumption.units)
        .join(LicensePool, LicensePool.id == Consumption.pool_id)
        .where(
            Consumption.org_id == org.id,
            LicensePool.holder_org_id == path.holder_id,
            Consumption.units > 0,
        )
        .order_by(LicensePool.id)  # the lock order
    ).all()
    for sku, units in held:
        state = read_consumer_state(session, org.id, path.holder_id, sku, at)
        assert state is not None
        used = state.write(session, org.id, Change(0, -units), bounded=False, at=at, by=by)
        assert used is not None
        released[sku], linked_used[sku] = units, used
    if path.link is not None:
        for sku, units in released.items():
            upstream = upstream_state(session, path.link, sku, at)
            lowered = Change(linked_used[sku], -units)
            upstream.write(session, path.link.partner_id, lowered, bounded=False, at=at, by=by)
    return released


def list_quotas(session: Session, org: Org) -> list[Quota]:
    """A sub-org's quotas, by SKU (none for any other org: it draws on its own licenses)."""
    return list(
        session.scalars(select(Quota).where(Quota.sub_org_id == org.id).order_by(Quota.sku))
    )


def set_quota(
    session: Session, trail: AuditTrail, org: Org, sku: str, max_units: int | None
) -> int | None:
    _require_sub_org(org, "max_units")
    quota = session.scalar(select(Quota).where(Quota.sub_org_id == org.id, Quota.sku == sku))
    before = quota.max_units if quota else None
    if max_units is None:
        if quota is not None:
            session.execute(delete(Quota).where(Quota.id == quota.id))
    elif quota is None:
        session.add(Quota(sub_org_id=org.id, sku=sku, max_units=max_units))
    else:
        quota.max_units = max_units
    session.flush()
    if before != max_units:
        trail.record(
            AuditAction.QUOTA_CHANGED,
            org_id=org.id,
            target_type="quota",
            target_id=sku,
            sku=sku,
            max_units={"from": before, "to": max_units},
        )
    return max_units
