"""The alert decision after a change of use, with the pool's row held for less.

The database function (licensing.usage_function) locks the pool's row and
holds it to the COMMIT, so every statement between its answer and the COMMIT
is time the pool's other changes wait. What the decision needs is read before
the change instead (`read_context`, no lock): the pools the consumer may draw
on, their holders' thresholds and the consumer's quota. The figures come from
the function's answer, read under the locks: the pool, its holder, its use
after the change and its licenses' quantity, the consumer's units and quota.
Only the crossings are read after it, at the moment of deciding.

Why the crossings are not read before too: a pool's use also changes by
writers that take its row but raise nothing (a move of sub-orgs, a change of
license source). Between the read and the lock, a change crossing a threshold
and then such a move back would leave a raised alert that figures read before
cannot show, and the decision would differ from the one made on the
crossings of the moment (bench/ANALYSIS.md, round 10).

Thresholds and quotas are changed without the pool's row, as they always
were: a decision on thresholds read before the lock is the one made now when
such a change commits just after the decision's reads; the sweep (alerts/
sweep.py) catches up either way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tenantree.alerts.models import AlertThresholds
from tenantree.alerts.raising import UseReading
from tenantree.alerts.rules import DEFAULT_PERCENTS
from tenantree.licensing.models import LicensePool, Quota
from tenantree.licensing.usage_function import Applied
from tenantree.orgs.models import Org

# Built once: it runs on every change of use on PostgreSQL.
_CONTEXT = (
    select(
        LicensePool.id,
        LicensePool.holder_org_id,
        LicensePool.unit,
        AlertThresholds.percents,
        select(Quota.id)
        .where(Quota.sub_org_id == bindparam("org_id"), Quota.sku == bindparam("sku"))
        .scalar_subquery(),
    )
    .outerjoin(AlertThresholds, AlertThresholds.org_id == LicensePool.holder_org_id)
    .where(
        LicensePool.holder_org_id.in_(bindparam("holders", expanding=True)),
        LicensePool.sku == bindparam("sku"),
    )
)


@dataclass(frozen=True)
class PoolContext:
    holder_id: uuid.UUID
    unit: str
    percents: tuple[int, ...]


@dataclass(frozen=True)
class ChangeContext:
    """What the decision needs that the function does not answer, as read before it."""

    pools: dict[uuid.UUID, PoolContext]  # the consumer's own pool and its partner's, of the SKU
    quota_id: uuid.UUID | None  # the consumer's quota of the SKU


def read_context(session: Session, org: Org, sku: str) -> ChangeContext:
    """One statement, before the change: the pools the org may draw the SKU
    from (its own, its partner's), their holders' thresholds, its quota."""
    holders = [org.id] if org.parent_id is None else [org.id, org.parent_id]
    rows = session.execute(_CONTEXT, {"org_id": org.id, "sku": sku, "holders": holders}).all()
    pools = {
        pool_id: PoolContext(holder_id, unit, tuple(percents or DEFAULT_PERCENTS))
        for pool_id, holder_id, unit, percents, _ in rows
    }
    return ChangeContext(pools, rows[0][4] if rows else None)


def readings_after(
    context: ChangeContext, applied: Applied, org_id: uuid.UUID, sku: str
) -> tuple[list[UseReading], tuple[int, ...]] | None:
    """The readings alerts.usage.evaluate_after_usage would take after a change
    the function applied, and the holder's thresholds; None when the context
    read before does not fit the function's answer (another pool or holder: the
    org moved; a quota added or removed meanwhile), and the decision must read
    everything again.

    The same readings as pool_readings and quota_readings: the pool's use
    after the change against its licenses in term (none when it has no
    quantity), and, for a sub-org drawing on its partner's pool, its units
    against its quota. A pool the function applied a change to is not
    linked (it leaves a linked path to the Python form).
    """
    pool = context.pools.get(applied.pool_id) if applied.pool_id is not None else None
    if pool is None or pool.holder_id != applied.holder_id or applied.refusal is not None:
        return None
    reading = UseReading.of_pool(
        applied.pool_id, pool.holder_id, sku, pool.unit, applied.pool.used, applied.pool.quantity
    )
    readings = [] if reading is None else [reading]
    if pool.holder_id != org_id:  # quotas bound a sub-org's draw on its partner's pool only
        if (context.quota_id is None) != (applied.quota is None):
            return None
        if context.quota_id is not None and applied.quota is not None:
            readings.append(
                UseReading.of_quota(context.quota_id, pool.holder_id, org_id, sku, pool.unit,
                                    applied.new_units, applied.quota)
            )  # fmt: skip
    return readings, pool.percents
