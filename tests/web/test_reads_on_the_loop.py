"""A reads-only unit of work run on the event loop (web.unit_of_work.read_on_the_loop)
runs only where nothing in it can write or wait: any write, any other
connection's checkout, any database error (even one the work swallowed) sends
the whole work back to the thread pool, having written nothing and left the
request as it found it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, exc, func, select, text
from starlette.requests import Request

from factories import make_org
from tenantree import clock
from tenantree.identity.throttle_models import ThrottleHit
from tenantree.orgs.models import Org
from tenantree.web.unit_of_work import NOT_ON_THE_LOOP, read_on_the_loop, reads_only


@reads_only
def _reads_only_route() -> None: ...


def _writing_route() -> None: ...


def _request(endpoint=_reads_only_route) -> Request:  # type: ignore[no-untyped-def]
    return Request({"type": "http", "endpoint": endpoint, "state": {"request_id": "r1"}})


@pytest.fixture
def services(app, db, backend):  # type: ignore[no-untyped-def]
    if backend != "sqlite":
        pytest.skip("only SQLite reads on the loop")
    return app.state.services


def test_a_read_runs_on_the_calling_thread(services) -> None:
    def work(session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
        return threading.get_ident(), session.scalar(select(func.count(ThrottleHit.id)))

    assert read_on_the_loop(_request(), services, work) == (threading.get_ident(), 0)


def test_a_second_read_checks_no_connection_out_of_the_pool(services) -> None:
    def work(session) -> int:  # type: ignore[no-untyped-def]
        return session.scalar(text("SELECT 1"))  # type: ignore[no-any-return]

    assert read_on_the_loop(_request(), services, work) == 1
    checkouts: list[object] = []

    def checkout(*_args: object) -> None:
        checkouts.append(_args)

    engine = services.loop_reads.engine
    event.listen(engine, "checkout", checkout)
    try:
        assert read_on_the_loop(_request(), services, work) == 1
    finally:
        event.remove(engine, "checkout", checkout)
    assert checkouts == []


def test_a_route_that_may_write_is_not_read_on_the_loop(services) -> None:
    ran: list[int] = []
    assert read_on_the_loop(_request(_writing_route), services, ran.append) is NOT_ON_THE_LOOP
    assert ran == []


def _count_hits(sessions) -> int:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalar(select(func.count(ThrottleHit.id)))  # type: ignore[no-any-return]


def test_a_write_is_refused_and_leaves_nothing_written_nor_noted(services) -> None:
    request = _request()

    def work(session) -> str:  # type: ignore[no-untyped-def]
        request.state.caller = "someone"
        session.add(ThrottleHit(key="k", at=clock.utcnow()))
        session.flush()
        return "written"

    assert read_on_the_loop(request, services, work) is NOT_ON_THE_LOOP
    assert _count_hits(services.sessions) == 0
    assert request.scope["state"] == {"request_id": "r1"}


def test_a_write_the_work_swallowed_still_sends_it_to_the_thread_pool(services) -> None:
    def work(session) -> str:  # type: ignore[no-untyped-def]
        try:
            session.execute(text("DELETE FROM throttle_hits"))
        except exc.OperationalError:
            return "as if nothing happened"
        return "deleted"

    assert read_on_the_loop(_request(), services, work) is NOT_ON_THE_LOOP


def test_another_connection_is_never_checked_out_on_the_loop(app, services) -> None:
    def work(_session) -> int:  # type: ignore[no-untyped-def]
        # The app's own pool: there a wait for a connection could be for ever.
        with app.state.engine.connect() as connection:
            return connection.scalar(text("SELECT 1"))  # type: ignore[no-any-return]

    assert read_on_the_loop(_request(), services, work) is NOT_ON_THE_LOOP
    # Outside a read on the loop the pool is the app's as ever.
    with app.state.engine.connect() as connection:
        assert connection.scalar(text("SELECT 1")) == 1


def test_a_refusal_of_the_work_is_raised_as_it_is(services) -> None:
    class Refused(Exception):
        pass

    def work(_session) -> None:  # type: ignore[no-untyped-def]
        raise Refused

    with pytest.raises(Refused):
        read_on_the_loop(_request(), services, work)


def test_a_threads_reads_share_one_session_holding_nothing_of_the_read_before(services, db) -> None:  # type: ignore[no-untyped-def]
    with services.sessions() as writer:
        org_id = make_org(writer).id
        writer.commit()
    seen: list[tuple[object, int, bool]] = []

    def work(session) -> None:  # type: ignore[no-untyped-def]
        seen.append((session, len(session.identity_map), "noted by this read" in session.info))
        session.get(Org, org_id)
        session.info["noted by this read"] = org_id

    read_on_the_loop(_request(), services, work)
    read_on_the_loop(_request(), services, work)
    (first, *_), (second, entities, info) = seen
    assert second is first
    assert (entities, info) == (0, False)


def test_a_read_that_failed_leaves_nothing_on_the_session_either(services) -> None:
    class Refused(Exception):
        pass

    def refused(session) -> None:  # type: ignore[no-untyped-def]
        session.info["noted before the refusal"] = True
        raise Refused

    with pytest.raises(Refused):
        read_on_the_loop(_request(), services, refused)

    def noted_before(session) -> bool:  # type: ignore[no-untyped-def]
        return "noted before the refusal" in session.info

    assert read_on_the_loop(_request(), services, noted_before) is False
