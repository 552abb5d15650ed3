"""Usage history: a snapshot at every change and a daily rollup kept current.

Partners bill their customers per period, so reports need the peak and the
time-weighted average use of each org and pool over a range of UTC days.
The rollup makes that a fixed number of queries, however long the history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.licensing.models import LicensePool, UsageDaily, UsageSnapshot


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


def record_usage(
    session: Session,
    pool: LicensePool,
    org_id: uuid.UUID,
    units: int,
    *,
    over_quantity: bool,
    at: datetime | None = None,
) -> None:
    """Write the snapshot and fold it into today's rollup. Call under the pool lock."""
    now = at or clock.utcnow()
    session.add(
        UsageSnapshot(
            pool_id=pool.id,
            org_id=org_id,
            at=now,
            units=units,
            pool_used=pool.used,
            over_quantity=over_quantity,
        )
    )
    day = now.date()
    row = session.scalar(
        select(UsageDaily).where(
            UsageDaily.pool_id == pool.id, UsageDaily.org_id == org_id, UsageDaily.day == day
        )
    )
    if row is None:
        before = session.scalar(
            select(UsageDaily.last_units)
            .where(UsageDaily.pool_id == pool.id, UsageDaily.org_id == org_id, UsageDaily.day < day)
            .order_by(UsageDaily.day.desc())
            .limit(1)
        )
        held = before or 0
        session.add(
            UsageDaily(
                pool_id=pool.id,
                org_id=org_id,
                day=day,
                peak_units=max(held, units),
                unit_seconds=held * _seconds(now, _day_start(day)),
                last_units=units,
                last_at=now,
            )
        )
    else:
        row.unit_seconds += row.last_units * _seconds(now, row.last_at)
        row.peak_units = max(row.peak_units, units)
        row.last_units = units
        row.last_at = max(now, row.last_at)
    session.flush()


@dataclass(frozen=True)
class PeriodUse:
    peak: int
    average: float


def period_usage(
    session: Session,
    pool_ids: Iterable[uuid.UUID],
    *,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
) -> dict[tuple[uuid.UUID, uuid.UUID], PeriodUse]:
    """Peak and time-weighted average per (pool, org) over whole UTC days.

    Two queries whatever the number of orgs or days. Days after `now` do not
    count; today counts up to `now`.
    """
    now = now or clock.utcnow()
    pool_ids = list(pool_ids)
    if not pool_ids or last_day < first_day:
        return {}
    # Plain rows, not ORM objects: a report over thousands of orgs reads tens of
    # thousands of them, and building entities was most of its time (bench/).
    rows = session.execute(
        select(
            UsageDaily.pool_id,
            UsageDaily.org_id,
            UsageDaily.day,
            UsageDaily.peak_units,
            UsageDaily.unit_seconds,
            UsageDaily.last_units,
            UsageDaily.last_at,
        ).where(
            UsageDaily.pool_id.in_(pool_ids),
            UsageDaily.day >= first_day,
            UsageDaily.day <= last_day,
        )
    ).all()
    # The level each (pool, org) carried into the period: its last row before it.
    latest = (
        select(
            UsageDaily.pool_id,
            UsageDaily.org_id,
            func.max(UsageDaily.day).label("day"),
        )
        .where(UsageDaily.pool_id.in_(pool_ids), UsageDaily.day < first_day)
        .group_by(UsageDaily.pool_id, UsageDaily.org_id)
        .subquery()
    )
    carried_rows = session.execute(
        select(UsageDaily.pool_id, UsageDaily.org_id, UsageDaily.last_units).join(
            latest,
            and_(
                UsageDaily.pool_id == latest.c.pool_id,
                UsageDaily.org_id == latest.c.org_id,
                UsageDaily.day == latest.c.day,
            ),
        )
    ).all()
    carried = {(p, o): units for p, o, units in carried_rows}
    by_key: dict[tuple[uuid.UUID, uuid.UUID], dict[date, UsageDaily]] = {}
    for row in rows:
        by_key.setdefault((row.pool_id, row.org_id), {})[row.day] = row
    for key in carried:
        by_key.setdefault(key, {})

    result: dict[tuple[uuid.UUID, uuid.UUID], PeriodUse] = {}
    for key, days in by_key.items():
        level = carried.get(key, 0)
        peak = 0
        unit_seconds = 0
        seconds = 0
        day = first_day
        while day <= last_day:
            start = _day_start(day)
            if start >= now:
                break
            end = min(start + timedelta(days=1), now)
            row = days.get(day)
            if row is None:
                unit_seconds += level * _seconds(end, start)
                peak = max(peak, level)
            else:
                unit_seconds += row.unit_seconds + row.last_units * _seconds(end, row.last_at)
                peak = max(peak, row.peak_units)
                level = row.last_units
            seconds += _seconds(end, start)
            day += timedelta(days=1)
        result[key] = PeriodUse(peak=peak, average=unit_seconds / seconds if seconds else 0.0)
    return result
