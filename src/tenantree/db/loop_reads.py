"""Reads run on the event loop itself, on SQLite, with nothing that could wait.

SQLite runs in-process, and in WAL mode a read never waits on a writer, so a
read-only unit of work can run to completion on the event loop without the
thread pool's hop (bench/ANALYSIS.md, rounds 11 and 12). Two things could
still freeze the loop, and every request with it: a write (it waits on the
database's lock, up to the busy timeout) and a pool checkout (a connection
may only be given back by a request that needs the loop). So an attempt on
the loop has a connection of its own that refuses them, enforced here, not
by a list of what the work might do:

- the loop's connection is opened `query_only` and with no busy timeout:
  any write, and any read that would wait, fails at once;
- while the attempt runs, no other pooled connection may be checked out
  (`CheckoutGuardedPool`, the pool of every engine `make_engine` makes);
- the loop's own pool never waits: when its connections are all in use (by
  other event loops' threads) the checkout fails at once.

Any such failure, or any database error at all, even one the work caught
itself, refuses the attempt (`LoopAttempt.refused`): its caller drops what it
did (nothing was written) and redoes the whole work in the thread pool, as
every read was done before.

A read that spends long in SQLite's own code (the sub-orgs page) is not run
on the loop, which would wait through it, but in the read lane: one thread of
its own (`LoopConnections.in_the_lane`), with the same guarded connection and
the same refusals. The lane's one thread overlaps SQLite's work with the
loop's other requests; more threads only hand the GIL back and forth
(bench/ANALYSIS.md, round 15).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

# Connections the loop's pool keeps: one per event loop reading at a time (a
# process serves on one loop; tests run a few, one per client), and the read
# lane's thread.
LOOP_POOL_SIZE = 3

_Done = TypeVar("_Done")


@dataclass
class LoopAttempt:
    """One unit of work tried on the event loop; `refused` says why it must be
    redone in the thread pool (None: it ran through)."""

    refused: BaseException | None = None

    def refuse(self, why: BaseException) -> None:
        if self.refused is None:  # the first cause is the one worth telling
            self.refused = why


_ATTEMPT: ContextVar[LoopAttempt | None] = ContextVar("tenantree_loop_attempt", default=None)


class CheckedOutOnTheLoop(RuntimeError):
    """A read on the event loop asked for a connection other than the loop's own."""


class CheckoutGuardedPool(QueuePool):
    """A queue pool that refuses any checkout while a read runs on the event loop:
    waiting there for a connection could wait for ever (see module)."""

    def _do_get(self) -> ConnectionPoolEntry:
        attempt = _ATTEMPT.get()
        if attempt is not None:
            refusal = CheckedOutOnTheLoop("a read on the event loop may use no other connection")
            attempt.refuse(refusal)
            raise refusal
        return super()._do_get()


def _read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.execute("PRAGMA busy_timeout = 0")
    cursor.close()


@contextmanager
def on_the_loop() -> Iterator[LoopAttempt]:
    """Mark the work run inside as an attempt on the event loop (no await in it)."""
    attempt = LoopAttempt()
    token = _ATTEMPT.set(attempt)
    try:
        yield attempt
    finally:
        _ATTEMPT.reset(token)


def loop_pool_options() -> dict[str, Any]:
    """The loop's engine's pool: a few connections, and no wait for one."""
    return {
        "poolclass": QueuePool,
        "pool_size": LOOP_POOL_SIZE,
        "max_overflow": 0,
        "pool_timeout": 0,
    }


class LoopConnections:
    """The loop's engine, whose connection each thread that reads on its event
    loop keeps checked out from one read to the next: a checkout and its
    check-in (a Connection built, the pool's queue, its reset and events) cost
    each read about as much as one of its statements (bench/ANALYSIS.md, round
    13). A thread's connection goes back to the pool when the thread ends, or
    when this object is dropped with its app. The thread's Session on that
    connection is kept too (`session`): making one was ~3% of a GET org's
    Python (round 14)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._held = threading.local()
        # Its thread starts at the first read in the lane and ends when this
        # object is dropped with its app.
        self._lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tenantree-read-lane")

    async def in_the_lane(self, read: Callable[..., _Done], *args: Any) -> _Done:
        """`read(*args)` in the read lane's thread (see module), in the caller's
        context; reads wait their turn for it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._lane, copy_context().run, read, *args)

    def connection(self) -> Connection:
        """This thread's connection; checked out at its first read, or again if it
        was invalidated. Raises as a checkout does (the pool never waits)."""
        return self._current().connection

    def session(self, make: Callable[..., Session]) -> Session:
        """This thread's session, bound to its connection: made by `make` at the
        connection's first read, the same one after. Its user closes it after
        each read and clears its `info` (web.unit_of_work.read_on_the_loop):
        a closed session holds no entity and no transaction, so a read finds
        nothing of the one before."""
        held = self._current()
        if held.session is None:
            held.session = make(bind=held.connection)
        return held.session

    def _current(self) -> _Held:
        held: _Held | None = getattr(self._held, "held", None)
        if held is not None and not (held.connection.closed or held.connection.invalidated):
            return held
        self._held.held = held = _Held(self.engine.connect())
        return held


class _Held:
    """A connection (and the session bound to it) given back to its pool once
    nothing holds this any more."""

    __slots__ = ("__weakref__", "connection", "session")

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.session: Session | None = None
        weakref.finalize(self, connection.close)


def confine_to_reads(engine: Engine) -> None:
    """Open `engine`'s SQLite connections read-only and unwilling to wait, and
    note any database error on them in the running attempt (see module)."""

    # Before the engine's own connect setup (db.engine): even its PRAGMAs must
    # not wait (journal_mode=WAL on a database not yet in WAL takes the lock).
    event.listen(engine, "connect", _read_only, insert=True)

    # And after it, which sets its own busy timeout. (A function of its own:
    # the same one listening twice would be listening once.)
    @event.listens_for(engine, "connect")
    def _read_only_again(dbapi_connection: Any, record: Any) -> None:
        _read_only(dbapi_connection, record)

    @event.listens_for(engine, "handle_error")
    def _refuse_attempt(context: ExceptionContext) -> None:
        attempt = _ATTEMPT.get()
        if attempt is not None:
            attempt.refuse(context.original_exception)
