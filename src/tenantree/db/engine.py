"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, sqlite_immediate: bool = True, **kwargs: Any) -> Engine:
    """An engine for the URL.

    On SQLite every transaction begins IMMEDIATE (see below) unless
    `sqlite_immediate` is False: only for tools that read or arrange state
    beside a running app and must not hold the write lock while they wait.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine, immediate=sqlite_immediate)
        return engine
    # Keep as many connections as a busy server process uses at once (FastAPI
    # runs request work in up to 40 threads): with the default 5, connections
    # beyond it were closed on return and reopened by the next request.
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


# A pooled connection is checked before reuse only if it sat idle this long.
PING_AFTER_IDLE_SECONDS = 10.0
_CHECKED_IN_AT = "tenantree_checked_in_at"


def _ping_when_idle(engine: Engine) -> None:
    # What pool_pre_ping does (a dead connection is replaced before a request
    # sees it, and the rest of the pool with it), but not for a connection
    # that was in use moments ago: on a busy server pre_ping cost a round
    # trip on every request. A server restart under load is still noticed by
    # the first statement that fails, which invalidates the whole pool.
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None or time.monotonic() - checked_in_at < PING_AFTER_IDLE_SECONDS:
            return  # just connected, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.InvalidatePoolError("pooled connection failed its ping") from error


def _configure_sqlite(engine: Engine, *, immediate: bool) -> None:
    # pysqlite's own BEGIN handling defers the write lock until the first write,
    # which lets two writers read the same state. We issue BEGIN IMMEDIATE
    # ourselves so SQLite serialises whole write transactions.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READS_ONLY):
            return  # no transaction: each statement is its own (see reads_only_engine)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


READS_ONLY = "tenantree_reads_only"


def reads_only_engine(engine: Engine) -> Engine:
    """The same engine and pool, for units of work that only read.

    Their statements run outside a transaction, each committing on its own:
    on PostgreSQL every statement of a READ COMMITTED transaction reads its
    own snapshot anyway, so this changes no result and saves the BEGIN and
    ROLLBACK round trips; on SQLite it reads without taking the write lock
    that BEGIN IMMEDIATE takes. Never for work that writes: nothing would
    roll it back.
    """
    if engine.dialect.name == "sqlite":
        # The connection is already in autocommit mode; the begin hook above
        # skips BEGIN IMMEDIATE for this option.
        return engine.execution_options(**{READS_ONLY: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT", **{READS_ONLY: True})


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
