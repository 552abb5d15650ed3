"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import select
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from tenantree.db.loop_reads import CheckoutGuardedPool, confine_to_reads, loop_pool_options

# Connections a process keeps when the caller does not say (see
# Settings.db_pool_size, which the server passes).
DEFAULT_POOL_SIZE = 10


# The URL's query flag saying it points at a pooler in transaction mode
# (PgBouncer's pool_mode=transaction): `...:6432/tenantree?pooling=transaction`.
POOLING_FLAG = "pooling"


def connection_target(url: str | URL) -> tuple[URL, dict[str, Any]]:
    """The URL to give SQLAlchemy and the DBAPI options the URL asks for.

    Behind a transaction-pooling PgBouncer each transaction may run on a
    different server connection, so nothing may outlive a transaction on
    one: psycopg's prepared statements are turned off (a statement prepared
    on one server connection is unknown on the next), and tenantree keeps no
    other session state (no SET, no session advisory lock: the migration lock
    is transaction-scoped, see migrations/env.py; no LISTEN, no temporary
    tables, no server-side cursors held across transactions).
    """
    parsed = make_url(url)
    mode = parsed.query.get(POOLING_FLAG)
    if mode is None:
        return parsed, {}
    if mode != "transaction" or parsed.get_backend_name() != "postgresql":
        raise ValueError(
            f"{POOLING_FLAG}={mode}: only pooling=transaction on a PostgreSQL URL is understood"
        )
    return parsed.difference_update_query([POOLING_FLAG]), {"prepare_threshold": None}


def make_engine(
    url: str,
    *,
    sqlite_immediate: bool = True,
    sqlite_transactions: bool = True,
    pool_size: int = DEFAULT_POOL_SIZE,
    pool_timeout: float = 30.0,
    **kwargs: Any,
) -> Engine:
    """An engine for the URL, with a pool of `pool_size` connections and no overflow.

    The server admits as many requests at once as it has connections
    (server.admission), so a checkout never waits unless the database itself
    is slow to give one; `pool_timeout` bounds that wait.

    On SQLite every transaction begins IMMEDIATE (see below) unless
    `sqlite_immediate` is False: only for tools that read or arrange state
    beside a running app and must not hold the write lock while they wait.
    With `sqlite_transactions` False there is no begin hook at all: for an
    engine whose connections only read outside a transaction (the loop's,
    loop_reads_engine), where the hook would always skip, yet its being there
    makes SQLAlchemy dispatch four empty events on every statement.
    """
    parsed, pooling_options = connection_target(url)
    in_memory = not parsed.database or parsed.database == ":memory:"
    if "poolclass" not in kwargs and not (parsed.get_backend_name() == "sqlite" and in_memory):
        # A queue pool that refuses a checkout from a read on the event loop
        # (db.loop_reads): there a wait could be for ever.
        kwargs["poolclass"] = CheckoutGuardedPool
        kwargs.setdefault("pool_size", pool_size)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", pool_timeout)
    if parsed.get_backend_name() == "sqlite":
        if not in_memory:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine, immediate=sqlite_immediate, transactions=sqlite_transactions)
        return engine
    # A database that does not answer must fail the request in seconds, not hang it.
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("connect_timeout", 5)
    connect_args.update(pooling_options)
    engine = create_engine(parsed, **kwargs)
    _ping_when_suspect(engine)
    _SOURCE_URLS[engine] = url if isinstance(url, str) else url.render_as_string(False)
    return engine


# Each engine's URL as given, flags included: `engine.url` lost the pooling flag,
# and an engine made beside it (side_engine) must connect the same way.
_SOURCE_URLS: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


# A pooled connection idle this long is pinged before reuse.
PING_AFTER_IDLE_SECONDS = 10.0
_CHECKED_IN_AT = "tenantree_checked_in_at"


def _has_pending_input(dbapi_connection: Any) -> bool:
    """Whether the server sent something to a connection nobody is using.

    An idle pooled connection has nothing to read; when the server shuts
    down or terminates the backend it sends an error and closes the socket,
    which makes it readable. One poll() syscall, no round trip.
    """
    try:
        fd = dbapi_connection.fileno()
    except Exception:
        return True  # closed on our side
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _ping_when_suspect(engine: Engine) -> None:
    # What pool_pre_ping does (a dead connection is replaced before a request
    # sees it, and the rest of the pool with it), without its round trip on
    # every request: a connection is pinged only when its socket shows the
    # server has spoken or hung up (a restart, a terminated backend), or when
    # it sat idle long enough for a silent network drop. A database restart
    # never hands a request a stale connection. Measured on loopback
    # PostgreSQL: a checkout costs ~110 us with this check, ~340 us with
    # pool_pre_ping.
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None:
            return  # just connected
        idle = time.monotonic() - checked_in_at
        if idle < PING_AFTER_IDLE_SECONDS and not _has_pending_input(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.InvalidatePoolError("pooled connection failed its ping") from error


def _configure_sqlite(engine: Engine, *, immediate: bool, transactions: bool) -> None:
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

    # Without the hook nothing begins: SQLAlchemy's do_begin is a no-op, and
    # sqlite3 with isolation_level None begins nothing implicitly.
    if not transactions:
        return

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


def loop_reads_engine(engine: Engine) -> Engine | None:
    """An engine beside `engine` for reads-only units of work run on the event
    loop itself (db.loop_reads), or None where there is none: only a SQLite
    file, whose reads in WAL mode never wait on a writer. Its connections are
    set up as `engine`'s, then opened read-only; its pool never waits."""
    if engine.dialect.name != "sqlite":
        return None
    url = _SOURCE_URLS.get(engine) or engine.url.render_as_string(hide_password=False)
    database = make_url(url).database
    if not database or database == ":memory:":
        return None  # one connection per thread: the loop's would be another database
    loop_engine = make_engine(url, sqlite_transactions=False, **loop_pool_options())
    confine_to_reads(loop_engine)
    return reads_only_engine(loop_engine)


_SIDE_ENGINES: dict[str, Engine] = {}
_SIDE_ENGINES_LOCK = threading.Lock()
SIDE_POOL_SIZE = 4


def side_engine(engine: Engine) -> Engine:
    """A small pool of its own beside `engine`, for short transactions a request
    commits apart from its own work (throttle hits). The request already holds
    one of `engine`'s connections, and admission (server.admission) leaves
    none spare: a second checkout from that pool could wait for ever."""
    url = _SOURCE_URLS.get(engine) or engine.url.render_as_string(hide_password=False)
    with _SIDE_ENGINES_LOCK:
        side = _SIDE_ENGINES.get(url)
        if side is None:
            side = make_engine(url, pool_size=SIDE_POOL_SIZE, pool_timeout=10)
            _SIDE_ENGINES[url] = side
        return side


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
