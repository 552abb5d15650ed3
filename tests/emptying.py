"""Emptying what a test committed: the tables holding rows, found in one statement."""

from __future__ import annotations

import weakref

from sqlalchemy import Connection, Engine, Table, text

from tenantree.models import metadata
from tenantree.orgs.kinds import MAX_DEPTH

# One statement naming the tables that hold rows: `SELECT 'orgs' WHERE EXISTS
# (SELECT 1 FROM orgs) UNION ALL ...`, written once as plain SQL (compiling the
# union per test cost more than the emptying it saves).
_PROBE = text(
    " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")"  # noqa: S608 - our own table names
        for t in metadata.sorted_tables
    )
)

# Per engine: whether its PostgreSQL role may switch the foreign keys' checks off.
_MAY_SKIP_KEY_CHECKS: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def written_tables(conn: Connection) -> list[Table]:
    """The tables holding rows, children first, found in one round trip."""
    names = set(conn.scalars(_PROBE))
    return [t for t in reversed(metadata.sorted_tables) if t.name in names]


def empty_tables(engine: Engine) -> None:
    """Empty what the test wrote: probing every table costs one statement,
    emptying an empty one costs far more. DELETE, children first: a test
    writes a few rows, and PostgreSQL's TRUNCATE (new files for every table
    and index) cost ~20 times as much as deleting them."""
    with engine.begin() as conn:
        tables = written_tables(conn)
        if not tables:
            return
        if _may_skip_key_checks(engine, conn):
            # Every table holding rows is emptied, so no key is left pointing
            # anywhere: the foreign keys' checks (a lookup in every referencing
            # table per deleted row, most of the emptying's time) can be
            # skipped, and the DELETEs go in one round trip. This transaction only.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            deletes = (f'DELETE FROM "{t.name}"' for t in tables)  # noqa: S608 - our own table names
            conn.exec_driver_sql("; ".join(deletes))
            return
        for table in tables:
            if table.name == "orgs":  # sub-orgs point at their parent: deepest first
                for depth in range(MAX_DEPTH, 0, -1):
                    conn.execute(table.delete().where(table.c.depth == depth))
            conn.execute(table.delete())


def _may_skip_key_checks(engine: Engine, conn: Connection) -> bool:
    """On PostgreSQL as a superuser (the test cluster's `postgres`); SQLite
    cannot turn its checks off inside a transaction."""
    if engine.dialect.name != "postgresql":
        return False
    if engine not in _MAY_SKIP_KEY_CHECKS:
        _MAY_SKIP_KEY_CHECKS[engine] = bool(
            conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))
        )
    return _MAY_SKIP_KEY_CHECKS[engine]
