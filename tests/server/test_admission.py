"""Admission: a process never stalls; beyond its connections it answers 503 at once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import anyio
import httpx
import pytest
from starlette.types import Receive, Scope, Send

from factories import bearer, issue_token, make_account, make_member, make_org
from server.live import run_async, serving
from tenantree.server.admission import AdmissionLimit
from tenantree.server.app import create_app


def test_a_request_beyond_the_limit_is_answered_503_with_retry_after() -> None:
    release = anyio.Event()
    entered = anyio.Event()

    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        entered.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    shed: list[int] = []
    admission = AdmissionLimit(slow_app, limit=1, wait_seconds=0.05, on_shed=lambda: shed.append(1))
    answers: dict[str, httpx.Response] = {}

    async def main() -> None:
        transport = httpx.ASGITransport(app=admission)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def first() -> None:
                answers["first"] = await client.get("/a")

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(first)
                await entered.wait()
                answers["second"] = await client.get("/b")
                release.set()

    run_async(main)
    assert answers["first"].status_code == 200
    second = answers["second"]
    assert second.status_code == 503
    assert second.headers["retry-after"] == "1"
    assert second.json()["error"]["code"] == "overloaded"
    assert shed == [1]


def test_a_waiting_request_is_admitted_when_a_slot_frees() -> None:
    async def quick_app(scope: Scope, receive: Receive, send: Send) -> None:
        await anyio.sleep(0.01)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    admission = AdmissionLimit(quick_app, limit=1, wait_seconds=5)
    statuses: list[int] = []

    async def main() -> None:
        transport = httpx.ASGITransport(app=admission)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

            async def one() -> None:
                statuses.append((await client.get("/")).status_code)

            async with anyio.create_task_group() as tasks:
                for _ in range(5):
                    tasks.start_soon(one)

    run_async(main)
    assert statuses == [200] * 5


def test_exempt_paths_are_never_held_back() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    admission = AdmissionLimit(app, limit=1, wait_seconds=0, exempt={"/healthz"})

    async def main() -> int:
        slots = admission._slots_of_this_loop()
        slots.acquire_nowait()  # the only slot is taken
        transport = httpx.ASGITransport(app=admission)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return (await client.get("/healthz")).status_code

    assert run_async(main) == 200


def test_the_thread_pool_is_sized_to_the_limit() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    admission = AdmissionLimit(app, limit=7, wait_seconds=0)

    async def main() -> float:
        transport = httpx.ASGITransport(app=admission)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            await client.get("/")
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert run_async(main) == 7


POOL = 4


@pytest.fixture
def small_server(settings, mailbox, db):  # type: ignore[no-untyped-def]
    small = settings.model_copy(update={"db_pool_size": POOL, "admission_wait_seconds": 0.5})
    app = create_app(small, email_backend=mailbox)
    with serving(app) as url:
        yield url
    app.state.engine.dispose()


def test_four_times_the_pool_in_flight_is_answered_and_the_server_stays_live(
    small_server: str, session, identity
) -> None:
    org = make_org(session)
    account = make_account(session, identity)
    make_member(session, identity, org, account=account)
    token = issue_token(session, identity, account)
    session.commit()
    url = f"{small_server}/api/v1/orgs/{org.id}"
    headers = bearer(token)

    def client_loop(_: int) -> list[httpx.Response]:
        with httpx.Client(timeout=30) as client:
            return [client.get(url, headers=headers) for _ in range(8)]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4 * POOL) as pool:
        answers = [r for rs in pool.map(client_loop, range(4 * POOL)) for r in rs]
    assert time.monotonic() - started < 30  # liveness bound, not a performance claim

    assert {r.status_code for r in answers} <= {200, 503}
    assert any(r.status_code == 200 for r in answers)
    for shed in (r for r in answers if r.status_code == 503):
        assert shed.headers["retry-after"]
        assert shed.json()["error"]["code"] == "overloaded"

    started = time.monotonic()
    after = httpx.get(url, headers=headers, timeout=30)
    assert after.status_code == 200
    assert time.monotonic() - started < 5
