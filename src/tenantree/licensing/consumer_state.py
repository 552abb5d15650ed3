"""One consumer's standing on one pool, read in one round trip, and its writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Date, String, Uuid, and_, bindparam, select
from sqlalchemy.orm import Session

from tenantree.audit.service import AuditTrail
from tenantree.licensing.history import DayRow
from tenantree.licensing.models import Consumption, License, LicensePool, Quota, UsageDaily
from tenantree.licensing.pool import Change, PoolView
from tenantree.licensing.usage_writes import ChangedBy, UseChange, write_change


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
    unit: str

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
        LicensePool.id.label("pool_id"), LicensePool.used.label("pool_used"), LicensePool.unit,
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
        unit=first.unit,
    )


def pool_use(session: Session, pool_id: uuid.UUID, *, lock: bool) -> int:
    statement = select(LicensePool.used).where(LicensePool.id == pool_id)
    # NO KEY UPDATE, as the pool's UPDATE takes: it does not block the key
    # share locks other consumers' inserts take on the pool row.
    used = session.scalar(statement.with_for_update(key_share=True) if lock else statement)
    assert used is not None
    return used
