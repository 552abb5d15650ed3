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
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.licensing.models import UsageDaily


def _day_start(day: date) -> datetime:
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


def fold_day(today: DayRow | None, *, held_before: int, units: int, at: datetime) -> DayFold:
    """Fold a consumer's move to `units` at `at` into its row for that day.

    `today` is the row as stored (None before the day's first change); then
    `held_before` is the level carried in from the last day before.
    """
    if today is None:
        return DayFold(
            peak_units=max(held_before, units),
            unit_seconds=held_before * _seconds(at, _day_start(at.date())),
            last_units=units,
            last_at=at,
        )
    return DayFold(
        peak_units=max(today.peak_units, units),
        unit_seconds=today.unit_seconds + today.last_units * _seconds(at, today.last_at),
        last_units=units,
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


@dataclass(frozen=True)
class PeriodUse:
    peak: int
    average: float


_DAY = 86_400  # seconds
_MICROS = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _day_number(dialect: str, day: ColumnElement[date]) -> ColumnElement[int]:
    """Days since 1970-01-01 of a DATE column, in SQL."""
    if dialect == "postgresql":
        return type_coerce(day - cast(literal(_EPOCH.date()), Date), BigInteger)
    # SQLite keeps 'YYYY-MM-DD'; a day's Julian day number is exact (n.5).
    return cast(func.julianday(day) - 2440587.5, BigInteger)


def _micros(dialect: str, at: ColumnElement[datetime]) -> ColumnElement[int]:
    """Microseconds since the epoch of a UTC datetime column, exactly, in SQL."""
    if dialect == "postgresql":
        # EXTRACT(EPOCH ...) is numeric (exact) for timestamptz.
        return cast(extract("epoch", at) * _MICROS, BigInteger)
    # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; strftime('%s') would
    # round the fraction, so the seconds and the microseconds are read apart.
    return cast(func.strftime("%s", func.substr(at, 1, 19)), BigInteger) * _MICROS + cast(
        func.substr(at, 21, 6), BigInteger
    )


@dataclass(frozen=True)
class _Bounds:
    """Where a period's counting starts and stops, in day numbers and seconds."""

    today: date
    first_n: int  # the first day, in days since the epoch
    end_n: int  # the last counted day (today when it has begun, never after last_day)
    now_us: int  # now, in microseconds since the epoch
    period_end: int  # where the last counted day ends, in whole seconds since the epoch

    @classmethod
    def of(cls, first_day: date, last_day: date, now: datetime) -> _Bounds:
        today = now.astimezone(UTC).date()
        counted_to = today if _day_start(today) < now else today - timedelta(days=1)
        end_day = min(last_day, counted_to)
        end_n = (end_day - _EPOCH.date()).days
        now_us = (now - _EPOCH) // timedelta(microseconds=1)
        return cls(
            today=today,
            first_n=(first_day - _EPOCH.date()).days,
            end_n=end_n,
            now_us=now_us,
            period_end=now_us // _MICROS if end_day == today else (end_n + 1) * _DAY,
        )

    @property
    def seconds(self) -> int:
        """The counted length of the period."""
        return self.period_end - self.first_n * _DAY if self.end_n >= self.first_n else 0


def _big(value: int) -> ColumnElement[int]:
    return literal(value, BigInteger)


_NOTHING = cast(null(), BigInteger)


def _rows_in_period(
    dialect: str, in_pools: ColumnElement[bool], first_day: date, last_day: date, b: _Bounds
) -> Select[Any]:
    """Per (pool, org): the seconds and peaks of its rows in the period, days
    without a row included (they hold the level of the row before them)."""
    day_n = _day_number(dialect, UsageDaily.day)
    # A row's own day: its unit_seconds, then last_units held from last_at to
    # the end of the day (to now, today), in whole seconds.
    day_end = case(
        (UsageDaily.day == b.today, _big(b.now_us)), else_=(day_n + 1) * _big(_DAY * _MICROS)
    )
    held_us = day_end - _micros(dialect, UsageDaily.last_at)
    # Never below zero (last_at after the day's end); GREATEST, or SQLite's
    # two-argument max(), reads last_at once where a CASE would read it twice.
    at_least_zero = func.greatest if dialect == "postgresql" else func.max
    own = UsageDaily.unit_seconds + UsageDaily.last_units * (at_least_zero(held_us, 0) // _MICROS)
    rows = (
        select(
            UsageDaily.pool_id,
            UsageDaily.org_id,
            UsageDaily.peak_units,
            UsageDaily.last_units,
            day_n.label("day_n"),
            own.label("own"),
            func.lead(day_n)
            .over(partition_by=(UsageDaily.pool_id, UsageDaily.org_id), order_by=UsageDaily.day)
            .label("next_n"),
        )
        .where(in_pools, UsageDaily.day >= first_day, UsageDaily.day <= last_day)
        .subquery("rows")
    )
    r = rows.c
    counted = r.day_n <= b.end_n
    # The days after a row without one, up to the next row or the period's
    # end, hold its last_units.
    next_counts = and_(r.next_n.is_not(None), r.next_n <= b.end_n)
    gap = case((next_counts, r.next_n * _DAY), else_=_big(b.period_end)) - (r.day_n + 1) * _DAY
    has_gap = and_(
        counted,
        or_(
            and_(next_counts, r.next_n > r.day_n + 1),
            and_(or_(r.next_n.is_(None), r.next_n > b.end_n), r.day_n < b.end_n),
        ),
    )
    return select(
        r.pool_id,
        r.org_id,
        func.sum(
            case((counted, r.own + case((gap > 0, r.last_units * gap), else_=0)), else_=0)
        ).label("unit_seconds"),
        func.max(case((counted, r.peak_units))).label("peak"),
        func.max(case((has_gap, r.last_units))).label("held_peak"),
        func.min(case((counted, r.day_n))).label("first_n"),
        _NOTHING.label("carried"),
    ).group_by(r.pool_id, r.org_id)


def _carried_in(in_pools: ColumnElement[bool], first_day: date) -> Select[Any]:
    """Per (pool, org): the level it carried into the period, its last row before it."""
    latest = (
        select(UsageDaily.pool_id, UsageDaily.org_id, func.max(UsageDaily.day).label("day"))
        .where(in_pools, UsageDaily.day < first_day)
        .group_by(UsageDaily.pool_id, UsageDaily.org_id)
        .subquery()
    )
    carried = select(
        UsageDaily.pool_id,
        UsageDaily.org_id,
        _NOTHING,
        _NOTHING,
        _NOTHING,
        _NOTHING,
        UsageDaily.last_units,
    ).join(
        latest,
        and_(
            UsageDaily.pool_id == latest.c.pool_id,
            UsageDaily.org_id == latest.c.org_id,
            UsageDaily.day == latest.c.day,
        ),
    )
    # Implied by the join, but without it PostgreSQL's planner may read the
    # whole table to join it (bench/: a fixed ~80 ms a report).
    return carried.where(in_pools, UsageDaily.day < first_day)


class _Totals(NamedTuple):
    """One (pool, org)'s sums over the period and the level carried into it."""

    pool_id: uuid.UUID
    org_id: uuid.UUID
    unit_seconds: int | None
    peak: int | None
    held_peak: int | None
    first_row: int | None  # day number of its first counted row in the period
    carried: int | None


def _period_use(t: _Totals, b: _Bounds) -> PeriodUse:
    unit_seconds = int(t.unit_seconds or 0)
    peak = max(0, t.peak or 0, t.held_peak or 0)
    if t.carried is not None and b.end_n >= b.first_n:
        # The carried level holds from the period's start to its first row.
        if t.first_row is None:
            unit_seconds += t.carried * (b.period_end - b.first_n * _DAY)
            peak = max(peak, t.carried)
        elif t.first_row > b.first_n:
            unit_seconds += t.carried * (t.first_row - b.first_n) * _DAY
            peak = max(peak, t.carried)
    seconds = b.seconds
    return PeriodUse(peak=peak, average=unit_seconds / seconds if seconds else 0.0)


def period_usage(
    session: Session,
    pool_ids: Iterable[uuid.UUID] | Select[tuple[uuid.UUID]],
    *,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
) -> dict[tuple[uuid.UUID, uuid.UUID], PeriodUse]:
    """Peak and time-weighted average per (pool, org) over whole UTC days.

    One query whatever the number of orgs or days, summed in SQL: one row per
    (pool, org) comes back. Days after `now` do not count; today counts up to
    `now`. A day without a rollup row holds the level of the last row before
    it (in the period, else the last one before the period, else 0).
    `pool_ids` is a list of ids or a SELECT of them.

    Day by day, for each (pool, org) (tests/licensing/test_period_usage.py
    checks the SQL against this, kept there):
    a day with a row adds its `unit_seconds` plus `last_units` held from
    `last_at` to the end of the day (or `now`), in whole seconds, and its
    `peak_units`; a day without one adds the level held all day (or up to
    `now`) and that level as a peak.
    """
    now = now or clock.utcnow()
    if isinstance(pool_ids, Select):
        in_pools = UsageDaily.pool_id.in_(pool_ids)
    else:
        ids = list(pool_ids)
        if not ids:
            return {}
        in_pools = UsageDaily.pool_id.in_(ids)
    if last_day < first_day:
        return {}
    bounds = _Bounds.of(first_day, last_day, now)
    dialect = session.get_bind().dialect.name
    both = union_all(
        _rows_in_period(dialect, in_pools, first_day, last_day, bounds),
        _carried_in(in_pools, first_day),
    ).subquery("both_rows")
    b = both.c
    totals = select(
        b.pool_id,
        b.org_id,
        func.sum(b.unit_seconds),
        func.max(b.peak),
        func.max(b.held_peak),
        func.min(b.first_n),
        func.max(b.carried),
    ).group_by(b.pool_id, b.org_id)
    return {
        (t.pool_id, t.org_id): _period_use(t, bounds)
        for t in (_Totals(*row) for row in session.execute(totals))
    }
