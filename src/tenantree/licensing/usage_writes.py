"""The writes of one change of use, as statements built once.

A consumption is the product's hottest write: every consumer of a partner's
pool goes through the pool's one row. The pool's UPDATE takes that row's
lock, held to COMMIT, so it is the last thing a change does, and on
PostgreSQL it and the change's rows (consumption, daily rollup, the pool's
day, snapshot) are one statement: the lock is held for that round trip and
the COMMIT.

Statements are built once per shape, with bind parameters: building them per
call was most of a consumption's CPU time (bench/).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Column,
    Executable,
    Exists,
    FromClause,
    Insert,
    Table,
    Update,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tenantree.db.base import new_id
from tenantree.licensing.history import DayRow, fold_day, held_before
from tenantree.licensing.models import (
    Consumption,
    LicensePool,
    UsageDaily,
    UsagePoolDaily,
    UsageSnapshot,
)

_POOLS: Table = LicensePool.__table__  # type: ignore[assignment]
_CONSUMPTIONS: Table = Consumption.__table__  # type: ignore[assignment]
_DAILY: Table = UsageDaily.__table__  # type: ignore[assignment]
_POOL_DAILY: Table = UsagePoolDaily.__table__  # type: ignore[assignment]
_SNAPSHOTS: Table = UsageSnapshot.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class ChangedBy:
    """Who a change is recorded as made by: the snapshot is its audit record."""

    actor_id: uuid.UUID | None  # None: the system (CLI, demo)
    actor_org_id: uuid.UUID | None  # the org acted from: the partner, via a partner
    request_id: str | None


@dataclass(frozen=True)
class UseChange:
    """One consumer's planned move on one pool, with what was read to plan it."""

    pool_id: uuid.UUID
    org_id: uuid.UUID
    consumption_id: uuid.UUID | None  # None: the consumer's first use of this pool
    units: int  # the consumer's units after the change
    delta: int  # added to the pool's use
    limit: int | None  # the pool's use may not pass it (None: unbounded)
    quantity: int  # of the pool's in-term licenses: snapshots flag use above it
    today: DayRow | None  # the consumer's rollup row for the day of `at`
    at: datetime
    by: ChangedBy


def write_change(session: Session, change: UseChange) -> int | None:
    """Apply a change: the pool's use after it, or None, with nothing written,
    when adding `delta` would pass `limit`. Call under the consumer's lock
    (sources.lock_path): its own rows were read under it."""
    carried = (
        held_before(session, change.pool_id, change.org_id, change.at.date())
        if change.today is None
        else 0
    )
    day = fold_day(change.today, held_before=carried, units=change.units, at=change.at)
    # What the consumer's row adds to its pool's day: its rise above the level
    # carried in and its move, less what the row added before (its carried
    # level is never rewritten, so only its peak and level differ).
    before_peak, before_last = (
        (change.today.peak_units, change.today.last_units) if change.today else (carried, carried)
    )
    params: dict[str, Any] = {
        "x_pool": change.pool_id,
        "x_org": change.org_id,
        "x_at": change.at,
        "x_delta": change.delta,
        "x_limit": change.limit,
        "x_quantity": change.quantity,
        "c_id": change.consumption_id or new_id(),
        "c_units": change.units,
        "d_id": change.today.id if change.today else new_id(),
        "d_day": change.at.date(),
        "d_peak": day.peak_units,
        "d_unit_seconds": day.unit_seconds,
        "d_last_units": day.last_units,
        "d_last_at": day.last_at,
        "d_closing": day.closing_unit_seconds,
        "d_carried": carried,
        "p_rise": day.peak_units - before_peak,
        "p_moved": day.last_units - before_last,
        "s_id": new_id(),
        "s_actor": change.by.actor_id,
        "s_actor_org": change.by.actor_org_id,
        "s_request": change.by.request_id,
    }
    statements = _statements(
        session.get_bind().dialect.name,
        new_consumer=change.consumption_id is None,
        first_today=change.today is None,
        bounded=change.limit is not None,
    )
    if len(statements) == 1:
        return session.scalar(statements[0], params)
    move, *writes = statements
    used = session.scalar(move, params)
    if used is None:
        return None
    for statement in writes:
        session.execute(statement, {**params, "s_used": used})
    return used


@functools.cache
def _statements(
    dialect: str, *, new_consumer: bool, first_today: bool, bounded: bool
) -> tuple[Executable, ...]:
    """PostgreSQL: one statement, every write conditional on the pool's UPDATE
    having matched. Elsewhere (SQLite, where writers are serialised anyway):
    the pool's UPDATE, then the writes, run only if it matched."""
    move = _pool_move(bounded)
    if dialect == "postgresql":
        moved = move.cte("moved")
        only_if = select(moved.c.used).exists()
        writes = (
            _consumption_write(new_consumer, only_if),
            _rollup_write(first_today, only_if),
            _pool_day_write(dialect, only_if),
            _snapshot_write(moved),
        )
        return (select(moved.c.used).add_cte(*(w.cte(f"write_{i}") for i, w in enumerate(writes))),)
    used = select(bindparam("s_used", type_=BigInteger).label("used")).subquery()
    return (
        move,
        _consumption_write(new_consumer, None),
        _rollup_write(first_today, None),
        _pool_day_write(dialect, None),
        _snapshot_write(used),
    )


def _param(name: str, column: Column[Any]) -> BindParameter[Any]:
    return bindparam(name, type_=column.type)


def _pool_move(bounded: bool) -> Update:
    pools = _POOLS
    delta = bindparam("x_delta", type_=BigInteger)
    statement = (
        update(pools)
        .where(pools.c.id == _param("x_pool", pools.c.id))
        .values(used=pools.c.used + delta)
        .returning(pools.c.used)
    )
    if bounded:
        statement = statement.where(pools.c.used + delta <= bindparam("x_limit", type_=BigInteger))
    return statement


def _insert_row(
    table: Table, row: dict[str, Any], only_if: Exists | None, into: Any = insert
) -> Insert:
    """`into`: the dialect's own insert for an upsert. Without `only_if` the row
    is plain VALUES: SQLite reads an upsert's ON CONFLICT after a bare SELECT
    as a join's ON."""
    if only_if is None:
        return into(table).values(**row)
    rows = select(*(value.label(name) for name, value in row.items())).where(only_if)
    return into(table).from_select(list(row), rows)


def _update_row(
    table: Table, id_param: str, values: dict[str, Any], only_if: Exists | None
) -> Update:
    statement = update(table).where(table.c.id == _param(id_param, table.c.id)).values(**values)
    return statement.where(only_if) if only_if is not None else statement


def _consumption_write(new: bool, only_if: Exists | None) -> Insert | Update:
    c = _CONSUMPTIONS.c
    values = {"units": _param("c_units", c.units), "updated_at": _param("x_at", c.updated_at)}
    if not new:
        return _update_row(_CONSUMPTIONS, "c_id", values, only_if)
    row = {
        "id": _param("c_id", c.id),
        "pool_id": _param("x_pool", c.pool_id),
        "org_id": _param("x_org", c.org_id),
        **values,
    }
    return _insert_row(_CONSUMPTIONS, row, only_if)


def _rollup_write(first_today: bool, only_if: Exists | None) -> Insert | Update:
    d = _DAILY.c
    values = {
        "peak_units": _param("d_peak", d.peak_units),
        "unit_seconds": _param("d_unit_seconds", d.unit_seconds),
        "last_units": _param("d_last_units", d.last_units),
        "last_at": _param("d_last_at", d.last_at),
        "closing_unit_seconds": _param("d_closing", d.closing_unit_seconds),
    }
    if not first_today:
        return _update_row(_DAILY, "d_id", values, only_if)
    row = {
        "id": _param("d_id", d.id),
        "pool_id": _param("x_pool", d.pool_id),
        "org_id": _param("x_org", d.org_id),
        "day": _param("d_day", d.day),
        # The level held into the day, kept as written: periods.period_usage.
        "carried_units": _param("d_carried", d.carried_units),
        **values,
    }
    return _insert_row(_DAILY, row, only_if)


def _pool_day_write(dialect: str, only_if: Exists | None) -> Insert:
    """Add the consumer's row's rise and move to its pool's day. Only
    additions: two changes on one pool commute, whatever their order or
    their days (a server's clock a little behind near midnight)."""
    p = _POOL_DAILY.c
    row = {
        "pool_id": _param("x_pool", p.pool_id),
        "day": _param("d_day", p.day),
        "rise_units": _param("p_rise", p.rise_units),
        "moved_units": _param("p_moved", p.moved_units),
    }
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Any = _insert_row(_POOL_DAILY, row, only_if, into=upsert)  # the dialect's Insert
    return statement.on_conflict_do_update(
        index_elements=[p.pool_id, p.day],
        set_={
            "rise_units": p.rise_units + statement.excluded.rise_units,
            "moved_units": p.moved_units + statement.excluded.moved_units,
        },
    )


def _snapshot_write(used: FromClause) -> Insert:
    """The consumer's units and the pool's use just after the change, read from
    `used` (one row with a `used` column; none: nothing is written), and who
    made it."""
    s = _SNAPSHOTS.c
    row = {
        "id": _param("s_id", s.id),
        "pool_id": _param("x_pool", s.pool_id),
        "org_id": _param("x_org", s.org_id),
        "at": _param("x_at", s.at),
        "units": _param("c_units", s.units),
        "pool_used": used.c.used,
        "over_quantity": used.c.used > bindparam("x_quantity", type_=BigInteger),
        "actor_id": _param("s_actor", s.actor_id),
        "actor_org_id": _param("s_actor_org", s.actor_org_id),
        "request_id": _param("s_request", s.request_id),
    }
    return insert(_SNAPSHOTS).from_select(
        list(row), select(*(value.label(name) for name, value in row.items())).select_from(used)
    )
