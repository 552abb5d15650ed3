"""The hot authenticated reads make one thread-pool hop each, and GET org none on
SQLite: every hop hands the GIL between threads, the largest cost of a read
under load (bench/ANALYSIS.md). On SQLite an org is read on the event loop
itself, unless the read would write (an API token's last-used stamp) or wait;
then it is read again in the thread pool, as on PostgreSQL
(web.unit_of_work.read_on_the_loop). The sub-orgs page is read in a thread
(api.routes.orgs.list_sub_orgs says why): on SQLite the read lane's, with the
same refusals, else one hop (web.unit_of_work.read_in_the_lane)."""

import asyncio
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import pytest
from sqlalchemy import Engine, event, exc

from factories import bearer, build_world
from tenantree.access import org_listing
from tenantree.identity.integration_models import ApiToken
from tenantree.web import orgs

# A generous bound on waits that end as soon as the app gets there: only a
# broken app ever reaches it (nothing here is timed).
NEVER = 60


@pytest.fixture
def hops(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(getattr(func, "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return seen


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    return world


def _read_hops(backend: str) -> int:
    """Hops of a read that writes nothing: none on SQLite (on the loop), one on PostgreSQL."""
    return 0 if backend == "sqlite" else 1


def test_the_sub_orgs_page_checks_the_org_and_reads_the_page_in_one_hop_and_none_on_sqlite(
    client, world, hops, backend
):
    response = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=world.headers("P-PA"))
    assert response.status_code == 200, response.text
    assert str(world.S.id) in {item["id"] for item in response.json()["items"]}
    assert len(hops) == _read_hops(backend), hops


# The org listings read in a thread: the read lane's on SQLite.
_LISTINGS = ["/api/v1/orgs/{P}/sub-orgs", "/api/v1/orgs?limit=20"]


@pytest.mark.parametrize("path", _LISTINGS)
def test_a_listing_is_read_in_the_read_lane_on_sqlite(client, world, backend, monkeypatch, path):
    readers: list[str] = []
    list_orgs = org_listing.list_orgs

    def noting(*args, **kwargs):  # type: ignore[no-untyped-def]
        readers.append(threading.current_thread().name)
        return list_orgs(*args, **kwargs)

    monkeypatch.setattr(org_listing, "list_orgs", noting)
    response = client.get(path.format(P=world.P.id), headers=world.headers("P-PA"))
    assert response.status_code == 200, response.text
    assert str(world.S.id) in {item["id"] for item in response.json()["items"]}
    assert len(readers) == 1
    assert readers[0].startswith("tenantree-read-lane") == (backend == "sqlite"), readers


def test_the_callers_orgs_are_read_in_one_hop_and_none_on_sqlite(client, world, hops, backend):
    response = client.get("/api/v1/orgs?limit=20", headers=world.headers("P-PA"))
    assert response.status_code == 200, response.text
    assert len(hops) == _read_hops(backend), hops


def test_the_callers_orgs_refuse_a_missing_token_before_any_read(client, world, monkeypatch):
    read: list[object] = []
    monkeypatch.setattr(org_listing, "list_orgs", lambda *a, **k: read.append(a))
    response = client.get("/api/v1/orgs?limit=20")
    assert response.status_code == 401, response.text
    assert read == []


def test_a_refused_page_is_never_read(client, world, hops, monkeypatch, backend):
    read: list[object] = []
    monkeypatch.setattr(org_listing, "list_sub_orgs", lambda *a, **k: read.append(a))
    # A customer's admin may not list its partner's sub-orgs: refused in the
    # one hop, before the page would be read.
    response = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=world.headers("S-A"))
    assert response.status_code in (403, 404), response.text
    assert read == []
    assert len(hops) == _read_hops(backend), hops


def _api_token(client, world) -> tuple[uuid.UUID, str]:  # type: ignore[no-untyped-def]
    """A new API token of S's, never used: its first use is due its last-used stamp."""
    issued = client.post(
        f"/api/v1/orgs/{world.S.id}/api-tokens",
        json={"name": "ci", "role": "read_only"},
        headers=world.headers("S-A"),
    )
    assert issued.status_code == 201, issued.text
    return uuid.UUID(issued.json()["id"]), issued.json()["token"]


def test_a_token_due_its_stamp_is_read_in_the_thread_pool_and_stamped(
    client, world, hops, backend, sessions
):
    token_id, token = _api_token(client, world)
    hops.clear()
    first = client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(token))
    assert first.status_code == 200, first.text
    # On SQLite the read on the loop tried to write the stamp, was refused and
    # was done again in one hop, the stamp with it.
    assert len(hops) == 1, hops
    with sessions() as check:
        assert check.get(ApiToken, token_id).last_used_at is not None
    hops.clear()
    again = client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(token))
    assert again.status_code == 200 and again.content == first.content
    assert len(hops) == _read_hops(backend), hops  # stamped already: nothing to write


def test_a_page_whose_token_is_due_its_stamp_is_read_in_the_thread_pool_and_stamped(
    client, world, hops, backend, sessions
):
    issued = client.post(
        f"/api/v1/orgs/{world.P.id}/api-tokens",
        json={"name": "ci", "role": "admin"},
        headers=world.headers("P-PA"),
    )
    assert issued.status_code == 201, issued.text
    token_id, token = uuid.UUID(issued.json()["id"]), issued.json()["token"]
    hops.clear()
    page = f"/api/v1/orgs/{world.P.id}/sub-orgs"
    first = client.get(page, headers=bearer(token))
    assert first.status_code == 200, first.text
    # On SQLite the read lane's attempt tried to write the stamp, was refused
    # and was done again in one hop, the stamp with it.
    assert len(hops) == 1, hops
    with sessions() as check:
        assert check.get(ApiToken, token_id).last_used_at is not None
    hops.clear()
    again = client.get(page, headers=bearer(token))
    assert again.status_code == 200 and again.content == first.content
    assert len(hops) == _read_hops(backend), hops


def test_a_read_on_the_loop_is_answered_while_a_token_waits_on_the_write_lock(
    app, client, world, backend, settings, sessions
):
    if backend != "sqlite":
        pytest.skip("SQLite's write lock; PostgreSQL reads in the thread pool")
    token_id, token = _api_token(client, world)
    stamping = threading.Event()
    on_the_loop: set[tuple[int, int]] = set()

    def note_stamp(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE api_tokens"):
            stamping.set()

    def note_loop(_conn, cursor, *_args) -> None:  # type: ignore[no-untyped-def]
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # a worker thread
        raw = cursor.connection
        on_the_loop.add(
            (
                raw.execute("PRAGMA query_only").fetchone()[0],
                raw.execute("PRAGMA busy_timeout").fetchone()[0],
            )
        )

    event.listen(app.state.engine, "before_cursor_execute", note_stamp)
    event.listen(Engine, "before_cursor_execute", note_loop)
    writer = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process's write, holding the lock
        with ThreadPoolExecutor(1) as pool:
            stamped = pool.submit(client.get, f"/api/v1/orgs/{world.S.id}", headers=bearer(token))
            assert stamping.wait(NEVER)  # its stamp now waits for the lock, in a thread
            read = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("S-A"))
            assert read.status_code == 200, read.text
            assert not stamped.done()  # answered while the stamp still waited
            writer.execute("ROLLBACK")
            answer = stamped.result(NEVER)
        assert answer.status_code == 200, answer.text
        assert answer.content == read.content
    finally:
        writer.close()
        event.remove(app.state.engine, "before_cursor_execute", note_stamp)
        event.remove(Engine, "before_cursor_execute", note_loop)
    # Whatever ran on the event loop ran on a connection that can neither
    # write nor wait for the lock: the stamp only ever waited in a thread.
    assert on_the_loop == {(1, 0)}
    with sessions() as check:
        assert check.get(ApiToken, token_id).last_used_at is not None


def _failing(monkeypatch, failures: int) -> list[int]:  # type: ignore[no-untyped-def]
    """The org check fails with a database error its first `failures` times."""
    calls: list[int] = []
    authorize = orgs.authorize

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) <= failures:
            raise exc.OperationalError("SELECT", {}, Exception("disk I/O error"))
        return authorize(*args, **kwargs)

    monkeypatch.setattr(orgs, "authorize", failing)
    return calls


def test_a_database_error_is_answered_503_as_in_the_thread_pool(client, world, monkeypatch):
    calls = _failing(monkeypatch, failures=2)
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("S-A"))
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_unavailable"
    assert response.headers["retry-after"] == "2"
    assert len(calls) in (1, 2)  # the thread pool's attempt, after the loop's on SQLite


def test_a_database_error_on_the_loop_is_read_again_in_the_thread_pool(
    client, world, monkeypatch, backend
):
    if backend != "sqlite":
        pytest.skip("only SQLite reads on the loop")
    calls = _failing(monkeypatch, failures=1)
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("S-A"))
    assert response.status_code == 200, response.text
    assert len(calls) == 2


def _listing_failing(monkeypatch, failures: int) -> list[int]:  # type: ignore[no-untyped-def]
    """The listing fails with a database error its first `failures` times."""
    calls: list[int] = []
    list_orgs = org_listing.list_orgs

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) <= failures:
            raise exc.OperationalError("SELECT", {}, Exception("disk I/O error"))
        return list_orgs(*args, **kwargs)

    monkeypatch.setattr(org_listing, "list_orgs", failing)
    return calls


@pytest.mark.parametrize("path", _LISTINGS)
def test_a_database_error_in_a_listing_is_answered_503(client, world, monkeypatch, path):
    _listing_failing(monkeypatch, failures=2)
    response = client.get(path.format(P=world.P.id), headers=world.headers("P-PA"))
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_unavailable"


@pytest.mark.parametrize("path", _LISTINGS)
def test_a_database_error_in_the_lane_is_read_again_in_the_thread_pool(
    client, world, monkeypatch, backend, path
):
    if backend != "sqlite":
        pytest.skip("only SQLite reads in the lane")
    calls = _listing_failing(monkeypatch, failures=1)
    response = client.get(path.format(P=world.P.id), headers=world.headers("P-PA"))
    assert response.status_code == 200, response.text
    assert str(world.S.id) in {item["id"] for item in response.json()["items"]}
    assert len(calls) == 2
