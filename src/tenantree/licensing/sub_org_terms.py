"""The terms on which a sub-org draws: its license source and its quotas."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.licensing.consumption import changed_by, read_consumer_state
from tenantree.licensing.models import (
    Consumption,
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
    Quota,
)
from tenantree.licensing.pool import Change
from tenantree.licensing.sources import lock_consumer
from tenantree.orgs.models import Org


def _require_sub_org(org: Org, field: str) -> None:
    if not org.is_sub_org:
        raise Invalid(
            "only sub-orgs have a license source and quotas", field=field, code="not_a_sub_org"
        )


def set_license_source(
    session: Session, trail: AuditTrail, org: Org, source: LicenseSource
) -> LicenseSource:
    """Switch a sub-org's source. Its use of the old source's pools is released:
    it reports its use again against the new source."""
    _require_sub_org(org, "source")
    before = lock_consumer(session, org)
    if before == source:
        return source
    old_holder = org.parent_id if before == LicenseSource.PARENT_POOL else org.id
    released: dict[str, int] = {}
    now = clock.utcnow()
    held = session.execute(
        select(LicensePool.sku, Consumption.units)
        .join(LicensePool, LicensePool.id == Consumption.pool_id)
        .where(
            Consumption.org_id == org.id,
            LicensePool.holder_org_id == old_holder,
            Consumption.units > 0,
        )
        .order_by(LicensePool.id)  # the lock order
    ).all()
    for sku, units in held:
        state = read_consumer_state(session, org.id, old_holder, sku, now)
        assert state is not None
        release = Change(new_units=0, delta=-units)
        state.write(session, org.id, release, bounded=False, at=now, by=changed_by(trail))
        released[sku] = units
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
        released=released,
    )
    return source


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
