"""Granting licenses, setting sources and quotas, and consuming seats."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Date, String, Uuid, and_, bindparam, delete, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.errors import DomainError, Invalid
from tenantree.licensing.errors import LicenseNotFound, NoLicense
from tenantree.licensing.history import DayRow
from tenantree.licensing.models import (
    Consumption,
    License,
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
    LicenseStatus,
    OveragePolicy,
    Quota,
    UsageDaily,
)
from tenantree.licensing.pool import Change, PoolView, UsageOp, plan_change
from tenantree.licensing.sources import lock_consumer
from tenantree.licensing.usage_writes import UseChange, write_change
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
        state = _read_consumer_state(session, org.id, old_holder, sku, now)
        assert state is not None
        release = Change(new_units=0, delta=-units, pool_overage=0)
        state.write(session, org.id, release, bounded=False, at=now)
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


# --- Consumption -------------------------------------------------------------


@dataclass(frozen=True)
class _ConsumerState:
    """One consumer's standing on one pool, read under the consumer's lock.

    The pool's use is as last committed (not locked); everything else is the
    consumer's own or changes only under its lock.
    """

    pool_id: uuid.UUID
    pool: PoolView  # its use as last committed
    consumption_id: uuid.UUID | None
    units: int
    quota: int | None
    today: DayRow | None

    def write(
        self, session: Session, org_id: uuid.UUID, change: Change, *, bounded: bool, at: datetime
    ) -> int | None:
        """Apply a planned change; the pool's use after it, or None (nothing
        written) when `bounded` and it would pass the quantity."""
        return write_change(
            session,
            UseChange(
                pool_id=self.pool_id,
                org_id=org_id,
                consumption_id=self.consumption_id,
                units=change.new_units,
                delta=change.delta,
                limit=self.pool.quantity if bounded else None,
                quantity=self.pool.quantity,
                today=self.today,
                at=at,
            ),
        )


# One row per license of the SKU (a pool has few), the pool's and the
# consumer's columns on each. Built once: see usage_writes.
_CONSUMER_STATE = (
    select(
        LicensePool.id, LicensePool.used,
        Consumption.id, Consumption.units, Quota.max_units,
        UsageDaily.id, UsageDaily.peak_units, UsageDaily.unit_seconds,
        UsageDaily.last_units, UsageDaily.last_at,
        # Named as License's own attributes: License.in_term reads the row.
        License.quantity, License.starts_at, License.ends_at, License.status,
        License.overage_policy, License.id.label("license_id"),
    )
    .outerjoin(Consumption,
               and_(Consumption.pool_id == LicensePool.id,
                    Consumption.org_id == bindparam("org_id", type_=Uuid)))
    .outerjoin(Quota,
               and_(Quota.sub_org_id == bindparam("org_id", type_=Uuid),
                    Quota.sku == LicensePool.sku))
    .outerjoin(UsageDaily,
               and_(UsageDaily.pool_id == LicensePool.id,
                    UsageDaily.org_id == bindparam("org_id", type_=Uuid),
                    UsageDaily.day == bindparam("day", type_=Date)))
    .outerjoin(License,
               and_(License.holder_org_id == LicensePool.holder_org_id,
                    License.sku == LicensePool.sku))
    .where(LicensePool.holder_org_id == bindparam("holder_id", type_=Uuid),
           LicensePool.sku == bindparam("sku", type_=String))
)  # fmt: skip


def _read_consumer_state(
    session: Session, org_id: uuid.UUID, holder_id: uuid.UUID, sku: str, at: datetime
) -> _ConsumerState | None:
    """Everything a change needs, in one round trip."""
    rows = session.execute(
        _CONSUMER_STATE, {"org_id": org_id, "holder_id": holder_id, "sku": sku, "day": at.date()}
    ).all()
    if not rows:
        return None
    first = rows[0]
    in_term = [
        row for row in rows
        if row.license_id is not None and License.in_term(row, at)  # type: ignore[arg-type]
    ]  # fmt: skip
    return _ConsumerState(
        pool_id=first[0],
        pool=PoolView.of(in_term, used=first[1]),
        consumption_id=first[2],
        units=first[3] or 0,
        quota=first[4],
        today=DayRow(*first[5:10]) if first[5] is not None else None,
    )


def _pool_use(session: Session, pool_id: uuid.UUID, *, lock: bool) -> int:
    statement = select(LicensePool.used).where(LicensePool.id == pool_id)
    # NO KEY UPDATE, as the pool's UPDATE takes: it does not block the key
    # share locks other consumers' inserts take on the pool row.
    used = session.scalar(statement.with_for_update(key_share=True) if lock else statement)
    assert used is not None
    return used


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

    Only the pool row is shared by the pool's consumers, so it is touched last:
    the consumer's rows are read under the consumer's lock, the change is
    planned on the pool's use as last committed, and a conditional UPDATE
    applies it. If another consumer took the units in between, that UPDATE
    matches nothing and the change is planned again on the newer figure
    (and, should that race too, under the pool's lock).
    """
    source = lock_consumer(session, org)
    holder_id = org.parent_id if source == LicenseSource.PARENT_POOL else org.id
    assert holder_id is not None
    now = clock.utcnow()
    state = _read_consumer_state(session, org.id, holder_id, sku, now)
    if state is None:
        raise NoLicense(f"this org's license source holds no license of {sku}", field="sku")
    # Quotas bound a sub-org's draw on its partner's pool only.
    quota = state.quota if source == LicenseSource.PARENT_POOL else None

    def plan(pool_used: int) -> Change:
        try:
            return plan_change(
                current=state.units,
                op=op,
                amount=amount,
                pool=replace(state.pool, used=pool_used),
                quota=quota,
                reveal_pool=reveal_pool or holder_id == org.id,
            )
        except DomainError as refusal:
            if refusal.status == 409:
                # Audited although the work is rolled back: kept.
                reason = refusal.code
                keep(
                    session,
                    lambda: trail.record(
                        AuditAction.USAGE_REFUSED,
                        org_id=org.id,
                        target_type="pool",
                        target_id=state.pool_id,
                        sku=sku,
                        requested={op.value: amount},
                        current=state.units,
                        reason=reason,
                    ),
                )
            raise

    change = plan(state.pool.used)
    bounded = change.delta > 0 and not state.pool.overage_allowed
    used_after = state.write(session, org.id, change, bounded=bounded, at=now)
    if used_after is None:
        # Another consumer took units between the read and the update. Plan
        # again on the use it committed: most often a refusal, no lock held.
        plan(_pool_use(session, state.pool_id, lock=False))
        used_after = state.write(session, org.id, change, bounded=bounded, at=now)
    if used_after is None:
        # Raced again: decide on the pool's locked figure, which cannot move.
        plan(_pool_use(session, state.pool_id, lock=True))
        used_after = state.write(session, org.id, change, bounded=False, at=now)
        assert used_after is not None
    pool_overage = max(0, used_after - state.pool.quantity)
    over = pool_overage > 0
    if over and change.delta > 0:
        # allow_and_flag let this change take the pool over its quantity. The
        # event is in the consumer's audit trail, which a sub-org's own admins
        # read: how far a partner's pool is over is a pool figure they may not
        # see (its holder's admins have it in the parent report).
        trail.record(
            AuditAction.USAGE_OVERAGE,
            org_id=org.id,
            target_type="pool",
            target_id=state.pool_id,
            sku=sku,
            units=change.new_units,
            **({"pool_overage": pool_overage} if holder_id == org.id else {}),
        )
    return UsageResult(sku, change.new_units, over)
