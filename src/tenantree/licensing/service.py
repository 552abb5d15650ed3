"""Granting licenses, setting sources and quotas, and consuming seats."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import DomainError, Invalid
from tenantree.licensing.errors import LicenseNotFound, NoLicense
from tenantree.licensing.history import record_usage
from tenantree.licensing.models import (
    Consumption,
    License,
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
    LicenseStatus,
    OveragePolicy,
    Quota,
)
from tenantree.licensing.pool import PoolView, UsageOp, plan_change
from tenantree.licensing.sources import current_source
from tenantree.orgs.models import Org, OrgKind
from tenantree.orgs.salesforce import normalize_record_id


def _check_term(starts_at: datetime, ends_at: datetime) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None:
            raise Invalid(f"{name} must be an RFC 3339 time with a zone", field=name)
    if ends_at <= starts_at:
        raise Invalid("ends_at must be after starts_at", field="ends_at")


def _ensure_pool(session: Session, holder_id: uuid.UUID, sku: str, unit: str) -> LicensePool:
    pool = session.scalar(
        select(LicensePool).where(LicensePool.holder_org_id == holder_id, LicensePool.sku == sku)
    )
    if pool is None:
        pool = LicensePool(holder_org_id=holder_id, sku=sku, unit=unit, used=0, version=0)
        session.add(pool)
        session.flush()
    elif pool.unit != unit:
        raise Invalid(
            f"licenses of {sku} are counted in {pool.unit!r}; unit must match", field="unit"
        )
    return pool


def grant_license(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    sku: str,
    unit: str,
    quantity: int,
    starts_at: datetime,
    ends_at: datetime,
    overage_policy: OveragePolicy,
    salesforce_contract_id: str | None,
) -> License:
    _check_term(starts_at, ends_at)
    if salesforce_contract_id is not None:
        salesforce_contract_id = normalize_record_id(
            salesforce_contract_id, field="salesforce_contract_id"
        )
    _ensure_pool(session, org.id, sku, unit)
    license_ = License(
        holder_org_id=org.id,
        sku=sku,
        unit=unit,
        quantity=quantity,
        starts_at=starts_at,
        ends_at=ends_at,
        overage_policy=overage_policy,
        salesforce_contract_id=salesforce_contract_id,
        status=LicenseStatus.ACTIVE,
    )
    session.add(license_)
    session.flush()
    trail.record(
        AuditAction.LICENSE_GRANTED,
        org_id=org.id,
        target_type="license",
        target_id=license_.id,
        sku=sku,
        unit=unit,
        quantity=quantity,
        starts_at=starts_at,
        ends_at=ends_at,
        overage_policy=overage_policy.value,
    )
    return license_


def get_license(session: Session, org: Org, license_id: uuid.UUID) -> License:
    license_ = session.get(License, license_id)
    if license_ is None or license_.holder_org_id != org.id:
        raise LicenseNotFound("no such license in this org")
    return license_


def update_license(
    session: Session,
    trail: AuditTrail,
    org: Org,
    license_id: uuid.UUID,
    *,
    quantity: int | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    status: LicenseStatus | None = None,
    overage_policy: OveragePolicy | None = None,
) -> License:
    license_ = get_license(session, org, license_id)
    before = _license_facts(license_)
    new_start = starts_at or license_.starts_at
    new_end = ends_at or license_.ends_at
    _check_term(new_start, new_end)
    # Stored in UTC; comparing in UTC keeps "the same moment in another zone" unchanged.
    new_start, new_end = new_start.astimezone(UTC), new_end.astimezone(UTC)
    if quantity is not None:
        license_.quantity = quantity
    license_.starts_at, license_.ends_at = new_start, new_end
    if status is not None:
        license_.status = status
    if overage_policy is not None:
        license_.overage_policy = overage_policy
    session.flush()
    after = _license_facts(license_)
    changes = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if changes:
        trail.record(
            AuditAction.LICENSE_CHANGED,
            org_id=org.id,
            target_type="license",
            target_id=license_.id,
            sku=license_.sku,
            changes=changes,
        )
    # Lowering a quantity below current use is allowed (the contract changed);
    # further consumption is refused until use drops, and reports show it.
    return license_


def _license_facts(license_: License) -> dict[str, object]:
    return {
        "quantity": license_.quantity,
        "starts_at": license_.starts_at.isoformat(),
        "ends_at": license_.ends_at.isoformat(),
        "status": license_.status,
        "overage_policy": license_.overage_policy,
    }


def list_licenses(session: Session, org: Org) -> list[License]:
    return list(
        session.scalars(
            select(License)
            .where(License.holder_org_id == org.id)
            .order_by(License.sku, License.starts_at, License.id)
        )
    )


# --- Sources and quotas ------------------------------------------------------


def _require_sub_org(org: Org, field: str) -> None:
    if org.kind != OrgKind.SUB_ORG:
        raise Invalid(
            "only sub-orgs have a license source and quotas", field=field, code="not_a_sub_org"
        )


def set_license_source(
    session: Session, trail: AuditTrail, org: Org, source: LicenseSource
) -> LicenseSource:
    """Switch a sub-org's source. Its use of the old source's pools is released:
    it reports its use again against the new source."""
    _require_sub_org(org, "source")
    _lock_consumer(session, org)
    before = current_source(session, org)
    if before == source:
        return source
    old_holder = org.parent_id if before == LicenseSource.PARENT_POOL else org.id
    released: dict[str, int] = {}
    consumptions = session.execute(
        select(Consumption, LicensePool)
        .join(LicensePool, LicensePool.id == Consumption.pool_id)
        .where(Consumption.org_id == org.id, LicensePool.holder_org_id == old_holder)
        .order_by(LicensePool.id)
    ).all()
    for consumption, pool in consumptions:
        locked = _lock_pool(session, pool.id)
        if consumption.units:
            locked.used -= consumption.units
            locked.version += 1
            released[locked.sku] = consumption.units
            consumption.units = 0
            record_usage(session, locked, org.id, 0, over_quantity=False)
    session.add(
        LicenseSourceChange(
            org_id=org.id, source=source, changed_by=trail.actor_id, at=clock.utcnow()
        )
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


def get_quota(session: Session, org: Org, sku: str) -> int | None:
    return session.scalar(
        select(Quota.max_units).where(Quota.sub_org_id == org.id, Quota.sku == sku)
    )


# --- Consumption -------------------------------------------------------------


def _lock_consumer(session: Session, org: Org) -> None:
    """Serialise a consumer's usage against changes of its license source.

    Lock order everywhere: the consumer org's row, then pool rows by id.
    """
    session.execute(select(Org.id).where(Org.id == org.id).with_for_update())


def _lock_pool(session: Session, pool_id: uuid.UUID) -> LicensePool:
    # PostgreSQL: a row lock held to COMMIT. SQLite: every write transaction
    # already began IMMEDIATE, so writers are serialised (db/engine.py).
    pool = session.scalar(
        select(LicensePool)
        .where(LicensePool.id == pool_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert pool is not None
    return pool


def pool_view(session: Session, pool: LicensePool, at: datetime) -> PoolView:
    licenses = session.scalars(
        select(License).where(License.holder_org_id == pool.holder_org_id, License.sku == pool.sku)
    ).all()
    in_term = [lic for lic in licenses if lic.in_term(at)]
    return PoolView(
        quantity=sum(lic.quantity for lic in in_term),
        used=pool.used,
        in_term=bool(in_term),
        # Any in-term license that allows overage lets the pool go over.
        overage_allowed=any(lic.overage_policy == OveragePolicy.ALLOW_AND_FLAG for lic in in_term),
    )


@dataclass(frozen=True)
class UsageResult:
    sku: str
    consumed: int
    over_quantity: bool


def report_usage(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    sku: str,
    op: UsageOp,
    amount: int,
    reveal_pool: bool,
) -> UsageResult:
    """Move an org's use of a SKU, atomically against its source's pool.

    Raises 409 (with what is left) when the pool or quota cannot cover it. A
    refusal is audited; the caller commits that event before answering.
    """
    _lock_consumer(session, org)
    source = current_source(session, org)
    holder_id = org.parent_id if source == LicenseSource.PARENT_POOL else org.id
    pool_id = session.scalar(
        select(LicensePool.id).where(LicensePool.holder_org_id == holder_id, LicensePool.sku == sku)
    )
    if pool_id is None:
        raise NoLicense(f"this org's license source holds no license of {sku}", field="sku")
    pool = _lock_pool(session, pool_id)
    consumption = session.scalar(
        select(Consumption)
        .where(Consumption.pool_id == pool.id, Consumption.org_id == org.id)
        .execution_options(populate_existing=True)
    )
    current = consumption.units if consumption else 0
    quota = get_quota(session, org, sku) if source == LicenseSource.PARENT_POOL else None
    now = clock.utcnow()
    try:
        change = plan_change(
            current=current,
            op=op,
            amount=amount,
            pool=pool_view(session, pool, now),
            quota=quota,
            reveal_pool=reveal_pool or holder_id == org.id,
        )
    except DomainError as refusal:
        if refusal.status == 409:
            trail.record(
                AuditAction.USAGE_REFUSED,
                org_id=org.id,
                target_type="pool",
                target_id=pool.id,
                sku=sku,
                requested={op.value: amount},
                current=current,
                reason=refusal.code,
            )
        raise
    if consumption is None:
        consumption = Consumption(pool_id=pool.id, org_id=org.id, units=0)
        session.add(consumption)
    consumption.units = change.new_units
    pool.used += change.delta
    pool.version += 1
    over = change.pool_overage > 0
    if over and change.delta > 0:
        # allow_and_flag let this change take the pool over its quantity. The
        # event is in the consumer's audit trail, which a sub-org's own admins
        # read: how far a partner's pool is over is a pool figure they may not
        # see (its holder's admins have it in the parent report).
        trail.record(
            AuditAction.USAGE_OVERAGE,
            org_id=org.id,
            target_type="pool",
            target_id=pool.id,
            sku=sku,
            units=change.new_units,
            **({"pool_overage": change.pool_overage} if holder_id == org.id else {}),
        )
    session.flush()
    record_usage(session, pool, org.id, change.new_units, over_quantity=over, at=now)
    return UsageResult(sku, change.new_units, over)
