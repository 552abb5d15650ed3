"""Run-out forecasts on the reports: the daily rollup, read once, fitted per pool.

The parent report gets each pool's run-out (the holder's own figure); the
child view its quota's, from its own use, and the pool's only when the report
shows the pool (access.policy.shows_pool, already applied by the report).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, timedelta

from sqlalchemy import BigInteger, and_, case, cast, func, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.alerts.forecast import WINDOW_DAYS, RunOut, run_out
from tenantree.licensing.models import UsageDaily, UsagePoolDaily
from tenantree.licensing.reports import ChildReport, ParentReport


def window(today: date) -> tuple[date, date]:
    return today - timedelta(days=WINDOW_DAYS - 1), today


def window_use(
    session: Session,
    pool_ids: Collection[uuid.UUID],
    today: date,
    *,
    org_id: uuid.UUID | None = None,
) -> dict[tuple[uuid.UUID, uuid.UUID], list[int]]:
    """(pool, consumer) -> its units on each day of the window, as
    licensing.series.daily_use counts them (a day's peak; a day without a
    change holds the level before), reading the window's rollup rows and
    each consumer's last row before it, not the whole history. `org_id`:
    that consumer's only."""
    first, last = window(today)
    ids = list(pool_ids)
    if not ids:
        return {}
    consumer = UsageDaily.org_id == org_id if org_id is not None else and_(True)
    latest = (
        select(UsageDaily.pool_id, UsageDaily.org_id, func.max(UsageDaily.day).label("day"))
        .where(UsageDaily.pool_id.in_(ids), consumer, UsageDaily.day < first)
        .group_by(UsageDaily.pool_id, UsageDaily.org_id)
        .subquery()
    )
    held: dict[tuple[uuid.UUID, uuid.UUID], int] = {
        (pool_id, org_id): units
        for pool_id, org_id, units in session.execute(
            select(UsageDaily.pool_id, UsageDaily.org_id, UsageDaily.last_units).join(
                latest,
                and_(
                    UsageDaily.pool_id == latest.c.pool_id,
                    UsageDaily.org_id == latest.c.org_id,
                    UsageDaily.day == latest.c.day,
                ),
            )
        )
    }
    days: dict[tuple[uuid.UUID, uuid.UUID], dict[date, tuple[int, int]]] = defaultdict(dict)
    for pool_id, org_id, day, peak, last_units in session.execute(
        select(
            UsageDaily.pool_id,
            UsageDaily.org_id,
            UsageDaily.day,
            UsageDaily.peak_units,
            UsageDaily.last_units,
        ).where(
            UsageDaily.pool_id.in_(ids), consumer, UsageDaily.day >= first, UsageDaily.day <= last
        )
    ):
        days[(pool_id, org_id)][day] = (peak, last_units)
    result = {}
    for key in held.keys() | days.keys():
        level = held.get(key, 0)
        values = []
        for i in range(WINDOW_DAYS):
            row = days[key].get(first + timedelta(days=i)) if key in days else None
            if row is None:
                values.append(level)
            else:
                values.append(row[0])
                level = row[1]
        result[key] = values
    return result


def pool_totals(
    session: Session, pool_ids: Collection[uuid.UUID], today: date
) -> dict[uuid.UUID, list[int]]:
    """pool -> its use on each day of the window: the sum of its consumers'
    days as window_use counts them, read from the pools' daily rollup.

    Every consumer's rollup row carries the level it held into the day and
    its peak is at least that level (history.fold_day); the pool's row of a
    day sums them (licensing.models.UsagePoolDaily). So a pool's day is the
    level its consumers held into it plus the day's `rise_units`, the level
    held into the next day moves by its `moved_units`, and the level held
    into the window is the moves of every day before it: one row per pool
    and day, however many consumers (bench/ANALYSIS.md, round 7).
    """
    first, last = window(today)
    ids = list(pool_ids)
    if not ids:
        return {}
    pool_day = UsagePoolDaily
    # The days before the window fall into one group (day NULL).
    day = case((pool_day.day >= first, pool_day.day), else_=None)
    held_into: dict[uuid.UUID, int] = {}
    moves: dict[uuid.UUID, dict[date, tuple[int, int]]] = defaultdict(dict)
    for pool_id, on, rise, moved in session.execute(
        select(
            pool_day.pool_id,
            day,
            # PostgreSQL sums integers as numeric: cast back, as periods.py does.
            cast(func.sum(pool_day.rise_units), BigInteger),
            cast(func.sum(pool_day.moved_units), BigInteger),
        )
        .where(pool_day.pool_id.in_(ids), pool_day.day <= last)
        .group_by(pool_day.pool_id, day)
    ):
        if on is None:
            held_into[pool_id] = moved
        else:
            moves[pool_id][on] = (rise, moved)
    totals = {}
    for pool_id in held_into.keys() | moves.keys():
        level, days, values = held_into.get(pool_id, 0), moves[pool_id], []
        for i in range(WINDOW_DAYS):
            rise, moved = days.get(first + timedelta(days=i), (0, 0))
            values.append(level + rise)
            level += moved
        totals[pool_id] = values
    return totals


def _on(found: RunOut | None) -> date | None:
    return None if found is None else found.on


def pool_run_outs(
    session: Session,
    pools: Iterable[tuple[uuid.UUID, int]],
    today: date,
    totals: dict[uuid.UUID, list[int]] | None = None,
) -> dict[uuid.UUID, date | None]:
    """(pool, quantity) -> the day its use is projected to reach the quantity.
    `totals`: pool_totals already read for these pools (or more), that day."""
    pools = [(pool_id, quantity) for pool_id, quantity in pools]
    if totals is None:
        totals = pool_totals(session, [pool_id for pool_id, _ in pools], today)
    return {
        pool_id: _on(run_out(totals.get(pool_id, [0] * WINDOW_DAYS), today, quantity))
        if quantity > 0
        else None
        for pool_id, quantity in pools
    }


class PoolTotalsRead:
    """pool_totals read for the pools a report shows when it reads them (as
    `parent_report`'s `pools_read`), for add_to_parent: the statement goes
    right after the pools', not after the whole report is built."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.today = clock.utcnow().date()
        self.totals: dict[uuid.UUID, list[int]] | None = None

    def __call__(self, pool_ids: list[uuid.UUID]) -> None:
        self.totals = pool_totals(self._session, pool_ids, self.today)


def add_to_parent(
    session: Session, report: ParentReport, read: PoolTotalsRead | None = None
) -> ParentReport:
    """Fill in each pool's run-out: the partner's pools and its children's
    own; from `read`'s totals when the report read them with its pools."""
    today = clock.utcnow().date() if read is None else read.today
    totals = None if read is None else read.totals
    pools = [
        (p.pool_id, p.figures.quantity) for p in report.pools if p.pool_id and p.figures.bounded
    ]
    own = [
        (p.pool_id, p.figures.quantity)
        for child in report.children
        for p in child.own_pools
        if p.pool_id
    ]
    found = pool_run_outs(session, pools + own, today, totals)
    for pool in report.pools:
        pool.runs_out_on = found.get(pool.pool_id) if pool.pool_id else None
    for child in report.children:
        for own_pool in child.own_pools:
            own_pool.runs_out_on = found.get(own_pool.pool_id) if own_pool.pool_id else None
    return report


def add_to_child(session: Session, report: ChildReport) -> ChildReport:
    """The quota's run-out from the org's own use; the pool's only where shown."""
    today = clock.utcnow().date()
    pool_ids = [item.pool_id for item in report.items if item.pool_id]
    use = window_use(session, pool_ids, today, org_id=report.org_id)
    shown = [
        (i.pool_id, i.pool.quantity)
        for i in report.items
        if i.pool and i.pool_id and i.pool.bounded
    ]
    pools = pool_run_outs(session, shown, today) if shown else {}
    for item in report.items:
        if item.pool_id is None:
            continue
        if item.quota is not None and item.quota > 0:
            own = use.get((item.pool_id, report.org_id), [0] * WINDOW_DAYS)
            item.quota_runs_out_on = _on(run_out(own, today, item.quota))
        if item.pool is not None:
            item.pool_runs_out_on = pools.get(item.pool_id)
    return report
