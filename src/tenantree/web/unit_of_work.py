"""The unit of work of a web request: opened by the session dependency, finished
by the route class once the route has answered.

Every router of the API, the console and SCIM uses `UnitOfWorkRoute` (or a
subclass): when the route returns a response below 400 (a page, a redirect
after a POST, a 204) the work is committed before the response is sent; an
exception, or an error response a route rendered itself, rolls it back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy import exc
from sqlalchemy.orm import Session

from tenantree.db.loop_reads import LoopConnections, on_the_loop
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.web.request_state import noted
from tenantree.web.services import Services, ServicesDep

_READS_ONLY = "__tenantree_reads_only__"

_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])
_Done = TypeVar("_Done")
_Checked = TypeVar("_Checked")


def reads_only(endpoint: _Endpoint) -> _Endpoint:
    """Mark a route that only reads: its session runs outside a transaction.

    See db.reads_only_engine: the same results (PostgreSQL reads each
    statement of a READ COMMITTED transaction from its own snapshot), two
    round trips fewer. Only for routes that write nothing but kept records
    (an API token's last-used time), which are durable once flushed.
    """
    setattr(endpoint, _READS_ONLY, True)
    return endpoint


def _reads_only_route(request: Request) -> bool:
    """Whether the request's route is marked `reads_only`."""
    return getattr(request.scope.get("endpoint"), _READS_ONLY, False)


def _open_unit(request: Request, services: Services) -> UnitOfWork:
    # Making the session does no I/O (it connects on first use).
    if services.reads_only_bind is not None and _reads_only_route(request):
        return UnitOfWork(services.sessions(bind=services.reads_only_bind), reads_only=True)
    return UnitOfWork(services.sessions())


def in_own_unit(request: Request, services: Services, work: Callable[[Session], _Done]) -> _Done:
    """Run `work` in a unit of work of its own, finished and closed before this
    returns (blocking I/O: call it from the thread pool).

    For a route that does all of its I/O in one hop (web.orgs.org_reader): the
    session is opened, committed when `work` returns and closed in that hop,
    where the session dependency would close it on the event loop after the
    answer, through a generator dependency (bench/ANALYSIS.md, round 5). Such
    a route takes no `SessionDep`. An exception rolls the work back (what
    services kept is still written), as the route class does.
    """
    unit = _open_unit(request, services)
    try:
        done = work(unit.session)
        unit.finish(succeeded=True)
        return done
    finally:
        unit.close()


class NotOnTheLoop:
    """The answer of `read_on_the_loop` when the work must be done in the thread pool."""


NOT_ON_THE_LOOP = NotOnTheLoop()


def _guarded_reads(request: Request, services: Services) -> LoopConnections | None:
    """The guarded read-only connections a read may use off the thread pool:
    on SQLite (none on PostgreSQL), for a reads-only route."""
    if services.loop_reads is None or not _reads_only_route(request):
        return None
    return services.loop_reads


def read_on_the_loop(
    request: Request, services: Services, work: Callable[[Session], _Done]
) -> _Done | NotOnTheLoop:
    """Run a reads-only route's `work` as `in_own_unit` does, but on the event
    loop itself (or in the read lane, `read_in_the_lane`), on the thread's own
    read-only connection (db.loop_reads); or answer
    NOT_ON_THE_LOOP, having written nothing and left the request as it found
    it, when it cannot be (not SQLite, not a reads-only route) or the work
    tried to write or to wait: the caller then runs it with `in_own_unit` in
    the thread pool. Exceptions of the work's own (refusals, 404s) are raised
    as they would be there.
    """
    loop_reads = _guarded_reads(request, services)
    if loop_reads is None:
        return NOT_ON_THE_LOOP
    # What the attempt notes on the request (its caller) is forgotten if it is
    # refused: the attempt in the thread pool starts as this one did.
    state: dict[str, Any] = request.scope.setdefault("state", {})
    noted_before = dict(state)
    unit: UnitOfWork | None = None
    with on_the_loop() as attempt:
        try:
            # The thread's own connection, kept checked out between reads, and
            # its session on it.
            unit = UnitOfWork(loop_reads.session(services.sessions), reads_only=True)
            done = work(unit.session)
        except exc.SQLAlchemyError as error:
            attempt.refuse(error)
        except Exception:
            if attempt.refused is None:
                raise
        finally:
            if unit is not None:
                unit.close()  # no I/O: no transaction; the connection stays the thread's
                # The session serves the thread's next read: nothing noted on it stays.
                unit.session.info.clear()
    if attempt.refused is None:
        return done
    state.clear()
    state.update(noted_before)
    return NOT_ON_THE_LOOP


async def read_in_the_lane(
    request: Request, services: Services, work: Callable[[Session], _Done]
) -> _Done | NotOnTheLoop:
    """`read_on_the_loop`, run in the read lane's thread (db.loop_reads): for
    work that spends long in SQLite's own code, which the loop would wait
    through and the lane overlaps with the loop's other requests. Answers as
    `read_on_the_loop` does."""
    loop_reads = _guarded_reads(request, services)
    if loop_reads is None:
        return NOT_ON_THE_LOOP
    return await loop_reads.in_the_lane(read_on_the_loop, request, services, work)


@dataclass(frozen=True)
class Reader(Generic[_Checked]):
    """A reads-only route's check (its caller, the org in its path) and the
    read it admits, in one unit of work: for a route that takes no
    `SessionDep`, where a check's dependency and a sync route would be two
    thread-pool hops, each handing the GIL between threads (bench/ANALYSIS.md).

    `read(work)` runs `check` then `work` on what it gave, in a unit of work
    opened and closed around them (nothing of the session left for the event
    loop). On SQLite on the event loop itself, with no hop at all, or in the
    read lane's thread when the route asks for a thread (`on_the_loop=False`),
    unless the work would write or wait (`read_on_the_loop`); else, and on
    PostgreSQL, in one thread-pool hop (`in_own_unit`).
    """

    check: Callable[[Session], _Checked]
    request: Request
    services: Services

    async def read(self, work: Callable[[_Checked], _Done], *, on_the_loop: bool = True) -> _Done:
        """`on_the_loop=False`: in the read lane's thread instead, for work that
        spends long in the database's own code, which a thread overlaps with
        other requests and the loop cannot (bench/ANALYSIS.md, rounds 12 and
        15). Either way, a read refused there is done in the thread pool."""

        def checked_work(session: Session) -> _Done:
            return work(self.check(session))

        if on_the_loop:
            done = read_on_the_loop(self.request, self.services, checked_work)
        else:
            done = await read_in_the_lane(self.request, self.services, checked_work)
        if not isinstance(done, NotOnTheLoop):
            return done
        return await run_in_threadpool(in_own_unit, self.request, self.services, checked_work)


async def get_session(request: Request, services: ServicesDep) -> AsyncIterator[Session]:
    unit = _open_unit(request, services)
    request.state.unit_of_work = unit
    try:
        yield unit.session
    finally:
        # Normally finished already by the route class; this is for work it
        # did not finish (a route outside it, a cancelled request).
        if unit.reads_only or (unit.finished and not unit.session.in_transaction()):
            # No transaction to roll back: closing only hands the connection
            # back to the pool, no round trip.
            unit.close()
        else:
            # ROLLBACK is a round trip: in the thread pool, shielded so a
            # cancelled request still returns its connection.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(unit.close)


SessionDep = Annotated[Session, Depends(get_session)]


def refuse_work(request: Request) -> None:
    """Roll the request's work back although the route answers below 400 (a
    refusal answered with a redirect); what services kept is still written."""
    request.state.work_refused = True


async def finish_work(request: Request, *, succeeded: bool) -> None:
    """Commit or roll back the request's unit of work, if it opened one."""
    unit: UnitOfWork | None = noted(request, "unit_of_work")
    if unit is None or unit.finished:
        return
    if unit.reads_only:
        unit.finish(succeeded)  # no I/O: nothing to commit or roll back
        return
    # COMMIT or ROLLBACK is a round trip: in the thread pool (the one hop the
    # request makes to end its work), shielded so a cancelled request ends it.
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(unit.finish, succeeded)


class UnitOfWorkRoute(APIRoute):
    """A route whose unit of work is committed once it has answered without error."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except BaseException:
                await finish_work(request, succeeded=False)
                raise
            succeeded = response.status_code < 400 and not noted(request, "work_refused", False)
            await finish_work(request, succeeded=succeeded)
            return response

        return handler
