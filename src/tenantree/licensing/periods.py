"""A period's use per consumer, summed in SQL over the daily rollup.

Partners bill their customers per period: the peak and the time-weighted
average use of each org and pool over a range of UTC days. One query sums a
period's rollup rows (history.py keeps them current), each row on its own.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Date,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    null,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.licensing.history import PeriodUse, day_start
from tenantree.licensing.id_text import id_text
from tenantree.licensing.models import Consumption, UsageDaily

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
        counted_to = today if day_start(today) < now else today - timedelta(days=1)
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


_NOTHING = cast(null(), BigInteger)
_InPools = Callable[[ColumnElement[uuid.UUID]], ColumnElement[bool]]


def _day_param(name: str) -> BindParameter[date]:
    return bindparam(name, type_=Date)


def _int_param(name: str) -> BindParameter[int]:
    return bindparam(name, type_=BigInteger)


def _rows_in_period(dialect: str, in_pools: _InPools, *, ended: bool) -> Subquery:
    """Per (pool, org): its rows in the period summed, each on its own.

    A row adds its own day (`closing_unit_seconds`; today's `unit_seconds`
    plus `last_units` held from `last_at` to now, in whole seconds) and
    `last_units` held from the day's end to the period's end, and takes back
    `carried_units` held from its day's start to the period's end: the level
    the row before it added for those days. Summed, the days between two rows
    hold the level of the first and the days after the last row hold its
    level, as a window over each consumer's rows would say, without sorting
    them. A first row after the period's first day takes back the level
    carried into the period, which `_period_uses` adds from the period's start.

    `ended`: the period's last day is counted (it ends today or before), so
    every row read is up to the end day. Then the end day's CASEs are left
    out: the sum and peak take every row, `held_peak` is not read (a row's
    `peak_units` is at least its `last_units`: fold_day) and `peak` is None
    only without rows, so it stands for `rows`: ~10% of SQLite's statement at
    10,000 children (bench/ANALYSIS.md, round 10), the same figures.
    """
    first_day, end_day = _day_param("first_day"), _day_param("end_day")
    at_least_zero = func.greatest if dialect == "postgresql" else func.max
    since_last = _int_param("now_us") - _micros(dialect, UsageDaily.last_at)
    # Only today's row reads the time (CASE evaluates the branch it takes).
    own = case(
        (
            UsageDaily.day == _day_param("today"),
            UsageDaily.unit_seconds
            + UsageDaily.last_units * (at_least_zero(since_last, 0) // _MICROS),
        ),
        else_=UsageDaily.closing_unit_seconds,
    )
    # Held after its day up to the period's end: a row before its last day.
    held = case((UsageDaily.day < end_day, UsageDaily.last_units), else_=0)
    taken_back = case((UsageDaily.day == first_day, 0), else_=UsageDaily.carried_units)
    to_end = _int_param("period_end") - _day_number(dialect, UsageDaily.day) * _DAY
    row_sum = own + (held - taken_back) * to_end - held * _DAY
    on_first_day = func.max(case((UsageDaily.day == first_day, 1), else_=0)).label("on_first_day")
    sums: tuple[ColumnElement[Any], ...]
    if ended:
        sums = (
            cast(func.sum(row_sum), BigInteger).label("unit_seconds"),
            func.max(UsageDaily.peak_units).label("peak"),
            on_first_day,
        )
    else:
        sums = (
            cast(func.sum(case((UsageDaily.day <= end_day, row_sum), else_=0)), BigInteger).label(
                "unit_seconds"
            ),
            func.max(case((UsageDaily.day <= end_day, UsageDaily.peak_units))).label("peak"),
            # Between two rows the level held is the next row's carried level,
            # which its peak includes (fold_day); after the last, its own peak.
            func.max(held).label("held_peak"),
            on_first_day,
            func.count().label("rows"),
        )
    return (
        select(UsageDaily.pool_id, UsageDaily.org_id, *sums)
        .where(
            in_pools(UsageDaily.pool_id),
            UsageDaily.day >= first_day,
            UsageDaily.day <= _day_param("last_day"),
        )
        .group_by(UsageDaily.pool_id, UsageDaily.org_id)
        .subquery("in_period")
    )


def _statement(
    dialect: str, in_pools: _InPools, *, ended: bool, as_text: bool = False
) -> Select[Any]:
    """Per consumer of the pools: its rows in the period summed, and the level
    it carried into the period when it has no row on its first day: its last
    row before it, one index lookup (not a grouping of the history before
    the period). Every consumer with rollup rows has a consumption row: one
    change writes both; its units now come along (the parent report lists
    them beside the period). `as_text`: the ids as the database's text
    (id_text). `ended`: see _rows_in_period."""
    rows = _rows_in_period(dialect, in_pools, ended=ended)
    r = rows.c
    last_before = (
        select(UsageDaily.last_units)
        .where(
            UsageDaily.pool_id == Consumption.pool_id,
            UsageDaily.org_id == Consumption.org_id,
            UsageDaily.day < _day_param("first_day"),
        )
        .order_by(UsageDaily.day.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            id_text(dialect, Consumption.pool_id) if as_text else Consumption.pool_id,
            id_text(dialect, Consumption.org_id) if as_text else Consumption.org_id,
            Consumption.units,
            r.unit_seconds,
            r.peak,
            _NOTHING if ended else r.held_peak,
            r.peak if ended else r.rows,  # None: no rows in the period
            case((r.on_first_day == 1, _NOTHING), else_=last_before).label("carried"),
        )
        .outerjoin(rows, and_(r.pool_id == Consumption.pool_id, r.org_id == Consumption.org_id))
        .where(in_pools(Consumption.pool_id))
    )


@functools.cache
def _statement_for_ids(dialect: str, as_text: bool, ended: bool) -> Select[Any]:
    """Built once per dialect and form, like the usage writes: building it
    was a tenth of a big partner's period (bench/period_ab.py)."""
    return _statement(
        dialect,
        lambda column: column.in_(bindparam("pool_ids", expanding=True)),
        ended=ended,
        as_text=as_text,
    )


_Use = tuple[Any, Any, PeriodUse | None, int]


def _period_uses(rows: Iterable[Any], b: _Bounds) -> Iterator[_Use]:
    """(pool, org, its use, its units now) for each row of the statement: a
    consumer's pool and org (UUIDs, or their text: id_text), its units, its
    sums over the period (`unit_seconds`, `peak`, `held_peak`, its rows in
    it, None: none) and the level it carried into the period when it has no
    row on its first day. Its use is None when it has no history in or
    before the period. One loop with the period's figures computed once: a
    big partner's period is 20,000 rows (bench/ANALYSIS.md, round 6)."""
    begun = b.end_n >= b.first_n
    seconds = b.seconds
    from_start = b.period_end - b.first_n * _DAY
    for pool_id, org_id, units, unit_seconds, peak, held_peak, in_period, carried in rows:
        if in_period is None and carried is None:
            # No row in the period or before it: it used nothing in it.
            yield pool_id, org_id, None, units
            continue
        if not begun:
            yield pool_id, org_id, PeriodUse(peak=0, average=0.0), units
            continue
        unit_seconds = unit_seconds or 0
        peak = max(0, peak or 0, held_peak or 0)
        if carried is not None:
            # Held from the period's start; a first row took it back from its day on.
            unit_seconds += carried * from_start
            peak = max(peak, carried)
        average = unit_seconds / seconds if seconds else 0.0
        yield pool_id, org_id, PeriodUse(peak=peak, average=average), units


def _without_jit(connection: Connection) -> None:
    """No JIT compilation for the rest of this transaction (PostgreSQL).

    A big partner's period is estimated above `jit_above_cost`: the planner
    counts the carried-in lookup once per consumer, though it runs only for
    consumers without a row on the period's first day; at 10,000 sub-orgs
    compiling cost ~250 ms of a ~640 ms query that JIT does not speed up
    (bench/ANALYSIS.md, rounds 4 and 5). SET LOCAL ends with the transaction,
    so it holds behind a transaction-pooling PgBouncer and never reaches the
    next transaction on the connection. Outside a transaction (a read-only
    unit of work) PostgreSQL ignores it with a warning: the query still runs.
    """
    connection.exec_driver_sql("SET LOCAL jit = off")


def jit_off_column() -> ColumnElement[str]:
    """A column that turns JIT off for the rest of the transaction, as
    `_without_jit` does, when a statement before the period's returns a row
    (PostgreSQL's `set_config(..., is_local => true)` is `SET LOCAL`): the
    period's statement then needs no round trip of its own for it
    (bench/ANALYSIS.md, round 12). A caller that adds it to a statement
    passes `jit_off=True` to period_usage_by_text only when that statement
    returned rows."""
    return func.set_config("jit", "off", True).label("jit_off")


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
    checks the SQL against this fold, kept in tests/licensing/usage_history.py):
    a day with a row adds its `unit_seconds` plus `last_units` held from
    `last_at` to the end of the day (or `now`), in whole seconds, and its
    `peak_units`; a day without one adds the level held all day (or up to
    `now`) and that level as a peak. The SQL reads each row alone, trusting
    what every change writes (fold_day, usage_writes): a row's `carried_units`
    is the `last_units` of the consumer's row before it, and its `peak_units`
    is at least that.
    """
    return {
        (pool_id, org_id): use
        for pool_id, org_id, use, _ in _uses(
            session, pool_ids, first_day, last_day, now, as_text=False
        )
        if use is not None
    }


@dataclass
class UsesByText:
    """period_usage as pool -> org -> its use, and each consumer's units now
    (its consumption row, which the statement reads anyway), both ids as the
    database's text (id_text). `units` is None when no statement ran (an
    empty period): then they were not read."""

    uses: dict[str, dict[str, PeriodUse]]
    units: dict[str, dict[str, int]] | None


def period_usage_by_text(
    session: Session,
    pool_ids: Iterable[uuid.UUID],
    *,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
    jit_off: bool = False,
) -> UsesByText:
    """A big partner's report, 20,000 consumers: parses none of their ids,
    and reads their units with their period, not in a query of its own.
    `jit_off`: the transaction already has JIT off (jit_off_column)."""
    if last_day < first_day:
        return UsesByText({}, None)
    uses: dict[str, dict[str, PeriodUse]] = {}
    units: dict[str, dict[str, int]] = {}
    for pool_id, org_id, use, held in _uses(
        session, pool_ids, first_day, last_day, now, as_text=True, jit_off=jit_off
    ):
        pool_units = units.get(pool_id)
        if pool_units is None:
            pool_units = units[pool_id] = {}
            uses[pool_id] = {}
        pool_units[org_id] = held
        if use is not None:
            uses[pool_id][org_id] = use
    return UsesByText(uses, units)


def _uses(
    session: Session,
    pool_ids: Iterable[uuid.UUID] | Select[tuple[uuid.UUID]],
    first_day: date,
    last_day: date,
    now: datetime | None,
    *,
    as_text: bool,
    jit_off: bool = False,
) -> Iterator[_Use]:
    # Runs the statement when called, and hands back the fold over its rows
    # itself, not through a generator of its own: one frame fewer to resume
    # per row, 20,000 rows at 10,000 sub-orgs (bench/ANALYSIS.md, round 12).
    now = now or clock.utcnow()
    if last_day < first_day:
        return iter(())
    dialect = session.get_bind().dialect.name
    bounds = _Bounds.of(first_day, last_day, now)
    params: dict[str, Any] = {
        "first_day": first_day,
        "last_day": last_day,
        "end_day": bounds.end_day,
        "today": bounds.today,
        "now_us": bounds.now_us,
        "period_end": bounds.period_end,
    }
    ended = bounds.end_day == last_day
    if isinstance(pool_ids, Select):
        chosen = pool_ids
        statement = _statement(
            dialect, lambda column: column.in_(chosen), ended=ended, as_text=as_text
        )
    else:
        params["pool_ids"] = list(pool_ids)
        if not params["pool_ids"]:
            return iter(())
        statement = _statement_for_ids(dialect, as_text, ended)
    session.flush()  # as session.execute would: Core rows, not the ORM's handling of them
    connection = session.connection()
    if dialect == "postgresql" and not jit_off:
        _without_jit(connection)
    # Fetched whole: row by row, SQLAlchemy's fetch was a third of the loop.
    return _period_uses(connection.execute(statement, params).all(), bounds)
