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
    case,
    cast,
    extract,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.licensing.models import Consumption, UsageDaily


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
    # unit_seconds with last_units held from last_at to the day's end: the
    # day's figure once it is over, summed as it is by period_usage.
    closing_unit_seconds: int


def _folded(day: date, peak: int, unit_seconds: int, units: int, last_at: datetime) -> DayFold:
    held = units * _seconds(_day_start(day + timedelta(days=1)), last_at)
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
            unit_seconds=held_before * _seconds(at, _day_start(at.date())),
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
    def end_day(self) -> date:
        return _EPOCH.date() + timedelta(days=self.end_n)

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
    """Per (pool, org): its rows in the period summed, each on its own.

    A row adds its own day (`closing_unit_seconds`; today's `unit_seconds`
    plus `last_units` held from `last_at` to now, in whole seconds) and
    `last_units` held from the day's end to the period's end, and takes back
    `carried_units` held from its day's start to the period's end: the level
    the row before it added for those days. Summed, the days between two rows
    hold the level of the first and the days after the last row hold its
    level, as a window over each consumer's rows would say, without sorting
    them. The first row takes back the level carried into the period, which
    `_period_use` adds from the period's start.
    """
    end_day = b.end_day
    at_least_zero = func.greatest if dialect == "postgresql" else func.max
    since_last = _big(b.now_us) - _micros(dialect, UsageDaily.last_at)
    # Only today's row reads the time (CASE evaluates the branch it takes).
    own = case(
        (
            UsageDaily.day == b.today,
            UsageDaily.unit_seconds
            + UsageDaily.last_units * (at_least_zero(since_last, 0) // _MICROS),
        ),
        else_=UsageDaily.closing_unit_seconds,
    )
    # Held after its day up to the period's end: a row before its last day.
    held = case((UsageDaily.day < end_day, UsageDaily.last_units), else_=0)
    day_n = _day_number(dialect, UsageDaily.day)
    counted = UsageDaily.day <= end_day
    row_sum = (
        own + (held - UsageDaily.carried_units) * (_big(b.period_end) - day_n * _DAY) - held * _DAY
    )
    return (
        select(
            UsageDaily.pool_id,
            UsageDaily.org_id,
            func.sum(case((counted, row_sum), else_=0)).label("unit_seconds"),
            func.max(case((counted, UsageDaily.peak_units))).label("peak"),
            # Between two rows the level held is the next row's carried level,
            # which its peak includes (fold_day); after the last, its own peak.
            func.max(held).label("held_peak"),
            func.max(case((UsageDaily.day == first_day, 1), else_=0)).label("on_first_day"),
            func.count().label("rows"),
            _NOTHING.label("carried"),
        )
        .where(in_pools, UsageDaily.day >= first_day, UsageDaily.day <= last_day)
        .group_by(UsageDaily.pool_id, UsageDaily.org_id)
    )


def _carried_in(pools: _Pools, first_day: date) -> Select[Any]:
    """Per (pool, org): the level it carried into the period, its last row
    before it (None: no row before it).

    One index lookup per consumer of the pools (a consumer with rollup rows
    has a consumption row: one change writes both), not a grouping of the
    whole history before the period.
    """
    last_before = (
        select(UsageDaily.last_units)
        .where(
            UsageDaily.pool_id == Consumption.pool_id,
            UsageDaily.org_id == Consumption.org_id,
            UsageDaily.day < first_day,
        )
        .order_by(UsageDaily.day.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(
        Consumption.pool_id,
        Consumption.org_id,
        *(_NOTHING,) * 5,
        last_before.label("carried"),
    ).where(pools.on(Consumption.pool_id))


@dataclass(frozen=True)
class _Pools:
    """The pools asked for: ids, or a SELECT of them."""

    ids: list[uuid.UUID] | Select[tuple[uuid.UUID]]

    def on(self, column: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
        return column.in_(self.ids)


class _Totals(NamedTuple):
    """One (pool, org)'s sums over the period and the level carried into it."""

    pool_id: uuid.UUID
    org_id: uuid.UUID
    unit_seconds: int | None
    peak: int | None
    held_peak: int | None
    on_first_day: int | None  # 1: it has a row on the period's first day
    rows: int | None  # its rows in the period (None: none)
    carried: int | None  # its level before the period (None: no row before it)


def _period_use(t: _Totals, b: _Bounds) -> PeriodUse:
    if b.end_n < b.first_n:  # the period has not begun
        return PeriodUse(peak=0, average=0.0)
    unit_seconds = int(t.unit_seconds or 0)
    peak = max(0, t.peak or 0, t.held_peak or 0)
    if t.carried is not None:
        # Held from the period's start; the first row took it back from its day on.
        unit_seconds += t.carried * (b.period_end - b.first_n * _DAY)
        if not t.on_first_day:
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
    `now`) and that level as a peak. The SQL reads each row alone, trusting
    what every change writes (fold_day, usage_writes): a row's `carried_units`
    is the `last_units` of the consumer's row before it, and its `peak_units`
    is at least that.
    """
    now = now or clock.utcnow()
    pools = _Pools(pool_ids if isinstance(pool_ids, Select) else list(pool_ids))
    if not isinstance(pools.ids, Select) and not pools.ids:
        return {}
    if last_day < first_day:
        return {}
    bounds = _Bounds.of(first_day, last_day, now)
    dialect = session.get_bind().dialect.name
    both = union_all(
        _rows_in_period(dialect, pools.on(UsageDaily.pool_id), first_day, last_day, bounds),
        _carried_in(pools, first_day),
    ).subquery("both_rows")
    b = both.c
    totals = select(
        b.pool_id,
        b.org_id,
        func.sum(b.unit_seconds),
        func.max(b.peak),
        func.max(b.held_peak),
        func.max(b.on_first_day),
        func.sum(b.rows),
        func.max(b.carried),
    ).group_by(b.pool_id, b.org_id)
    return {
        (t.pool_id, t.org_id): _period_use(t, bounds)
        for t in (_Totals(*row) for row in session.execute(totals))
        # A consumer with no row in the period or before it used nothing in it.
        if t.rows is not None or t.carried is not None
    }
