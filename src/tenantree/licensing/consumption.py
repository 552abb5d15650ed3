"""Consuming seats: moving an org's use of a SKU against its source's pool."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Date, String, Uuid, and_, bindparam, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import shows_pool
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.errors import DomainError
from tenantree.licensing.errors import NoLicense
from tenantree.licensing.history import DayRow
from tenantree.licensing.models import (
    Consumption,
    License,
    LicensePool,
    LicenseSource,
    Quota,
    UsageDaily,
)
from tenantree.licensing.pool import Change, PoolView, UsageOp, plan_change
from tenantree.licensing.sources import lock_consumer
from tenantree.licensing.usage_writes import ChangedBy, UseChange, write_change
from tenantree.orgs.models import Org


def changed_by(trail: AuditTrail) -> ChangedBy:
    """A change of use is recorded in its snapshot, not as an audit event, with
    the trail's actor and request."""
    return ChangedBy(trail.actor_id, trail.actor_org_id, trail.request_id)


@dataclass(frozen=True)
class ConsumerState:
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
        self,
        session: Session,
        org_id: uuid.UUID,
        change: Change,
        *,
        bounded: bool,
        at: datetime,
        by: ChangedBy,
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
                by=by,
            ),
        )


# One row per license of the SKU (a pool has few), the pool's and the
# consumer's columns on each. Built once: see usage_writes.
_CONSUMER_STATE = (
    select(
        LicensePool.id.label("pool_id"), LicensePool.used.label("pool_used"),
        Consumption.id.label("consumption_id"), Consumption.units, Quota.max_units,
        UsageDaily.id.label("day_id"), UsageDaily.peak_units, UsageDaily.unit_seconds,
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


def read_consumer_state(
    session: Session, org_id: uuid.UUID, holder_id: uuid.UUID, sku: str, at: datetime
) -> ConsumerState | None:
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
    today = None
    if first.day_id is not None:
        today = DayRow(
            first.day_id, first.peak_units, first.unit_seconds, first.last_units, first.last_at
        )
    return ConsumerState(
        pool_id=first.pool_id,
        pool=PoolView.of(in_term, used=first.pool_used),
        consumption_id=first.consumption_id,
        units=first.units or 0,
        quota=first.max_units,
        today=today,
    )


def pool_use(session: Session, pool_id: uuid.UUID, *, lock: bool) -> int:
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
    sees_pool_figures: bool,
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
    state = read_consumer_state(session, org.id, holder_id, sku, now)
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
                sees_pool_figures=shows_pool(sees_pool_figures, holder_id=holder_id, org_id=org.id),
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
    by = changed_by(trail)
    used_after = state.write(session, org.id, change, bounded=bounded, at=now, by=by)
    if used_after is None:
        # Another consumer took units between the read and the update. Plan
        # again on the use it committed: most often a refusal, no lock held.
        plan(pool_use(session, state.pool_id, lock=False))
        used_after = state.write(session, org.id, change, bounded=bounded, at=now, by=by)
    if used_after is None:
        # Raced again: decide on the pool's locked figure, which cannot move.
        plan(pool_use(session, state.pool_id, lock=True))
        used_after = state.write(session, org.id, change, bounded=False, at=now, by=by)
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
            **(
                {"pool_overage": pool_overage}
                if shows_pool(False, holder_id=holder_id, org_id=org.id)
                else {}
            ),
        )
    return UsageResult(sku, change.new_units, over)
