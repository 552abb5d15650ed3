"""The connections of reads on the event loop (db.loop_reads.LoopConnections): each
thread keeps its own checked out between reads, and gives it back when it ends;
the read lane is one thread of its own."""

from __future__ import annotations

import asyncio
import threading
from contextvars import ContextVar

import pytest
from sqlalchemy import text
from sqlalchemy.events import ConnectionEvents


@pytest.fixture
def loop_reads(app, db, backend):  # type: ignore[no-untyped-def]
    if backend != "sqlite":
        pytest.skip("only SQLite reads on the loop")
    return app.state.services.loop_reads


def test_a_thread_gets_the_connection_it_kept(loop_reads) -> None:
    first = loop_reads.connection()
    assert loop_reads.connection() is first


def test_another_thread_gets_a_connection_of_its_own(loop_reads) -> None:
    mine = loop_reads.connection()
    theirs: list[object] = []
    thread = threading.Thread(target=lambda: theirs.append(loop_reads.connection()))
    thread.start()
    thread.join()
    assert theirs and theirs[0] is not mine


def test_a_threads_connection_goes_back_to_the_pool_when_the_thread_ends(loop_reads) -> None:
    pool = loop_reads.engine.pool
    before = pool.checkedout()
    during: list[int] = []

    def read() -> None:
        loop_reads.connection().execute(text("SELECT 1"))
        during.append(pool.checkedout())

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert during == [before + 1]
    assert pool.checkedout() == before


def test_an_invalidated_connection_is_replaced(loop_reads) -> None:
    first = loop_reads.connection()
    first.invalidate()
    second = loop_reads.connection()
    assert second is not first
    assert second.execute(text("SELECT 1")).scalar() == 1


def test_the_loops_engine_listens_to_no_connection_event(loop_reads) -> None:
    # One listener (a begin hook) would make SQLAlchemy dispatch four events on
    # every statement of every read on the loop.
    dispatch = loop_reads.engine.dispatch
    listened = [
        name
        for name in dir(ConnectionEvents)
        if not name.startswith("_") and len(getattr(dispatch, name, ()))
    ]
    assert listened == []


def test_a_read_on_the_loop_runs_in_no_transaction(loop_reads) -> None:
    connection = loop_reads.connection()
    assert connection.execute(text("SELECT 1")).scalar() == 1
    assert connection.in_transaction()  # SQLAlchemy's, begun on the statement
    assert not connection.connection.dbapi_connection.in_transaction  # SQLite's


def test_a_thread_gets_the_session_it_kept_on_its_connection(app, loop_reads) -> None:  # type: ignore[no-untyped-def]
    make = app.state.services.sessions
    first = loop_reads.session(make)
    assert loop_reads.session(make) is first
    assert first.get_bind() is loop_reads.connection()


def test_a_replaced_connection_gets_a_session_of_its_own(app, loop_reads) -> None:  # type: ignore[no-untyped-def]
    make = app.state.services.sessions
    first = loop_reads.session(make)
    loop_reads.connection().invalidate()
    second = loop_reads.session(make)
    assert second is not first
    assert second.get_bind() is loop_reads.connection()


def test_reads_in_the_lane_take_turns_on_one_thread_of_their_own(loop_reads) -> None:
    threads: set[int] = set()
    another_came_in = threading.Event()
    overlapped: list[bool] = []

    def read(first: bool) -> None:
        threads.add(threading.get_ident())
        if first:
            # Only a read running beside this one could set it meanwhile.
            overlapped.append(another_came_in.wait(0.2))
        else:
            another_came_in.set()

    async def reads() -> None:
        await asyncio.gather(*(loop_reads.in_the_lane(read, i == 0) for i in range(4)))

    asyncio.run(reads())
    assert overlapped == [False]
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_a_read_in_the_lane_sees_its_callers_context(loop_reads) -> None:
    noted: ContextVar[str] = ContextVar("noted", default="nothing")

    async def read() -> str:
        noted.set("the caller's")
        return await loop_reads.in_the_lane(noted.get)

    assert asyncio.run(read()) == "the caller's"
