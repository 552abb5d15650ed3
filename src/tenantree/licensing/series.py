"""Use over time, day by day, for the console's charts.

Each day's value is the peak number of units the org held from the pool that
day (from the daily rollup); a day without a change carries the day before.
The child view's series hold only the org's own use, never its partner pool's.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from tenantree.licensing.models import LicensePool, LicenseSource, UsageDaily
from tenantree.licensing.sources import current_source
from tenantree.orgs.models import Org


@dataclass
class Series:
    label: str
    values: list[int]


@dataclass
class SkuChart:
    sku: str
    unit: str
    days: list[date]
    series: list[Series] = field(default_factory=list)


def days_between(first_day: date, last_day: date) -> list[date]:
    return [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]


def daily_use(
    session: Session, pool_ids: Collection[uuid.UUID], first_day: date, last_day: date
) -> dict[tuple[uuid.UUID, uuid.UUID], list[int]]:
    """(pool, org) -> units held on each day of the period (one query)."""
    days = days_between(first_day, last_day)
    index = {day: i for i, day in enumerate(days)}
    rows: dict[tuple[uuid.UUID, uuid.UUID], list[Row[tuple[Any, ...]]]] = defaultdict(list)
    if pool_ids:
        # Plain rows, not ORM objects: a partner's chart reads one per consumer
        # and day.
        for row in session.execute(
            select(
                UsageDaily.pool_id,
                UsageDaily.org_id,
                UsageDaily.day,
                UsageDaily.peak_units,
                UsageDaily.last_units,
            )
            .where(UsageDaily.pool_id.in_(list(pool_ids)), UsageDaily.day <= last_day)
            .order_by(UsageDaily.day)
        ):
            rows[(row.pool_id, row.org_id)].append(row)
    result = {}
    for key, history in rows.items():
        values = [0] * len(days)
        held = 0
        position = 0
        for row in history:
            if row.day < first_day:
                held = row.last_units
                continue
            for i in range(position, index[row.day]):
                values[i] = held
            values[index[row.day]] = row.peak_units
            held = row.last_units
            position = index[row.day] + 1
        for i in range(position, len(days)):
            values[i] = held
        result[key] = values
    return result


def child_charts(session: Session, org: Org, first_day: date, last_day: date) -> list[SkuChart]:
    """The org's own use of each SKU it draws (from its own pool or its partner's)."""
    holders = [org.id]
    if (
        org.is_sub_org
        and org.parent_id is not None
        and current_source(session, org) == LicenseSource.PARENT_POOL
    ):
        holders.append(org.parent_id)
    pools = session.scalars(
        select(LicensePool)
        .where(LicensePool.holder_org_id.in_(holders))
        .order_by(LicensePool.sku, LicensePool.id)
    ).all()
    use = daily_use(session, [p.id for p in pools], first_day, last_day)
    days = days_between(first_day, last_day)
    return [
        SkuChart(
            pool.sku,
            pool.unit,
            days,
            [Series(org.name, use.get((pool.id, org.id), [0] * len(days)))],
        )
        for pool in pools
    ]


def parent_charts(
    session: Session,
    org: Org,
    first_day: date,
    last_day: date,
    *,
    child_names: dict[uuid.UUID, str],
) -> list[SkuChart]:
    """Each of the org's own pools, stacked per org drawing on it.

    Sub-orgs not in `child_names` (the reader may not see them) are summed as
    one unnamed series, so the stack still totals the pool's use.
    """
    pools = session.scalars(
        select(LicensePool)
        .where(LicensePool.holder_org_id == org.id)
        .order_by(LicensePool.sku, LicensePool.id)
    ).all()
    use = daily_use(session, [p.id for p in pools], first_day, last_day)
    days = days_between(first_day, last_day)
    charts = []
    for pool in pools:
        chart = SkuChart(pool.sku, pool.unit, days)
        own = use.get((pool.id, org.id))
        if own is not None and any(own):
            chart.series.append(Series(f"{org.name} (own use)", own))
        others = [0] * len(days)
        named = []
        for (pool_id, org_id), values in use.items():
            if pool_id != pool.id or org_id == org.id:
                continue
            if org_id in child_names:
                named.append(Series(child_names[org_id], values))
            else:
                others = [a + b for a, b in zip(others, values, strict=True)]
        chart.series.extend(sorted(named, key=lambda s: s.label.lower()))
        if any(others):
            chart.series.append(Series("Other sub-orgs", others))
        charts.append(chart)
    return charts
