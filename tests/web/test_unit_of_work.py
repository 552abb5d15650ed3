"""A request's unit of work: committed when the route answers below 400, rolled back
otherwise (raised or rendered errors alike), with kept records written either way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenantree import clock
from tenantree.db.unit_of_work import keep
from tenantree.errors import Conflict
from tenantree.identity.throttle_models import ThrottleHit
from tenantree.web.unit_of_work import SessionDep, UnitOfWorkRoute, reads_only, refuse_work

router = APIRouter(route_class=UnitOfWorkRoute)


def _write(session: Session, *, kept: bool = False) -> None:
    def add() -> None:
        email = "kept@example.com" if kept else "work@example.com"
        session.add(ThrottleHit(key=email, at=clock.utcnow()))

    if kept:
        keep(session, add)
    else:
        add()
        session.flush()


@router.post("/redirect")
def redirect(session: SessionDep) -> Response:
    _write(session)
    return RedirectResponse("/done", 303)


@router.post("/error-page")
def error_page(session: SessionDep) -> Response:
    _write(session, kept=True)
    _write(session)
    return Response("refused", status_code=409)


@router.post("/raises")
def raises(session: SessionDep) -> Response:
    _write(session, kept=True)
    _write(session)
    raise Conflict("refused")


@router.post("/refused-redirect")
def refused_redirect(request: Request, session: SessionDep) -> Response:
    _write(session, kept=True)
    _write(session)
    refuse_work(request)
    return RedirectResponse("/try-again", 303)


@router.get("/reads")
@reads_only
def reads(session: SessionDep) -> dict[str, int]:
    _write(session, kept=True)
    return {"ok": 1}


@pytest.fixture
def web(app, db) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    tiny = FastAPI()
    tiny.state.services = app.state.services
    tiny.include_router(router)

    @tiny.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> Response:
        return Response(exc.message, status_code=exc.status)

    with TestClient(tiny) as client:
        yield client


def _emails(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as s:
        return sorted(s.scalars(select(ThrottleHit.key)))


def test_a_redirect_after_post_commits_the_work(web, sessions) -> None:  # type: ignore[no-untyped-def]
    assert web.post("/redirect", follow_redirects=False).status_code == 303
    assert _emails(sessions) == ["work@example.com"]


def test_an_error_response_rolls_back_all_but_what_was_kept(web, sessions) -> None:  # type: ignore[no-untyped-def]
    assert web.post("/error-page").status_code == 409
    assert _emails(sessions) == ["kept@example.com"]


def test_a_raised_error_rolls_back_all_but_what_was_kept(web, sessions) -> None:  # type: ignore[no-untyped-def]
    assert web.post("/raises").status_code == 409
    assert _emails(sessions) == ["kept@example.com"]


def test_a_refusal_answered_with_a_redirect_rolls_back(web, sessions) -> None:  # type: ignore[no-untyped-def]
    assert web.post("/refused-redirect", follow_redirects=False).status_code == 303
    assert _emails(sessions) == ["kept@example.com"]


def test_a_reads_only_route_still_writes_what_it_keeps(web, sessions) -> None:  # type: ignore[no-untyped-def]
    assert web.get("/reads").status_code == 200
    assert _emails(sessions) == ["kept@example.com"]
