"""Usage history: a snapshot at every change and a daily rollup kept current.

Partners bill their customers per period, so reports need the peak and the
time-weighted average use of each org and pool over a range of UTC days.
The rollup makes that one query, however long the history (periods.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import BigInteger, cast, delete, func, insert, select, true
from sqlalchemy.orm import Session

from tenantree.licensing.models import UsageDaily, UsagePoolDaily


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


@dataclass(frozen=True)
class DayRow:
    """A consumer's rollup row for one UTC day, as stored."""

    id: uuid.UUID
    peak_units: int
    unit_seconds: int
    last_units: int
    last_at: datetime


@dataclass(frozen=True)
class DayFold:
    """A consumer's rollup row for one UTC day after its level moved."""

    peak_units: int
    unit_seconds: int
    last_units: int
    last_at: datetime
    # unit_seconds with last_units held from last_at to the day's end: the
    # day's figure once it is over, summed as it is by period_usage.
    closing_unit_seconds: int


def _folded(day: date, peak: int, unit_seconds: int, units: int, last_at: datetime) -> DayFold:
    held = units * _seconds(day_start(day + timedelta(days=1)), last_at)
    return DayFold(peak, unit_seconds, units, last_at, unit_seconds + held)


def fold_day(today: DayRow | None, *, held_before: int, units: int, at: datetime) -> DayFold:
    """Fold a consumer's move to `units` at `at` into its row for that day.

    `today` is the row as stored (None before the day's first change); then
    `held_before` is the level carried in from the last day before.
    """
    if today is None:
        return _folded(
            at.date(),
            peak=max(held_before, units),
            unit_seconds=held_before * _seconds(at, day_start(at.date())),
            units=units,
            last_at=at,
        )
    return _folded(
        at.date(),
        peak=max(today.peak_units, units),
        unit_seconds=today.unit_seconds + today.last_units * _seconds(at, today.last_at),
        units=units,
        last_at=max(at, today.last_at),
    )


def held_before(session: Session, pool_id: uuid.UUID, org_id: uuid.UUID, day: date) -> int:
    """The level a consumer carried into `day`: its last rollup row before it."""
    return (
        session.scalar(
            select(UsageDaily.last_units)
            .where(UsageDaily.pool_id == pool_id, UsageDaily.org_id == org_id, UsageDaily.day < day)
            .order_by(UsageDaily.day.desc())
            .limit(1)
        )
        or 0
    )


class PeriodUse(NamedTuple):
    """A consumer's peak and time-weighted average over a period. A named
    tuple: a big partner's period builds 20,000 of them (bench/ANALYSIS.md,
    round 9)."""

    peak: int
    average: float


def sum_pool_days(session: Session, pool_ids: Iterable[uuid.UUID] | None) -> None:
    """Write the pools' daily rows (UsagePoolDaily) afresh from their
    consumers' rows, as migration 0025 backfilled them: for rollup rows
    written directly (the bench's worlds, tests' histories), not through a
    change, which keeps both current. `pool_ids` None: every pool's."""
    ids = None if pool_ids is None else list(pool_ids)
    d = UsageDaily
    chosen = d.pool_id.in_(ids) if ids is not None else true()
    days = (
        select(
            d.pool_id,
            d.day,
            cast(func.sum(d.peak_units - d.carried_units), BigInteger),
            cast(func.sum(d.last_units - d.carried_units), BigInteger),
        )
        .where(chosen)
        .group_by(d.pool_id, d.day)
    )
    pool_days = delete(UsagePoolDaily)
    if ids is not None:
        pool_days = pool_days.where(UsagePoolDaily.pool_id.in_(ids))
    session.execute(pool_days)
    session.execute(
        insert(UsagePoolDaily).from_select(["pool_id", "day", "rise_units", "moved_units"], days)
    )
