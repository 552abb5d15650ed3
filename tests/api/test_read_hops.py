"""The hot authenticated reads make one thread-pool hop each: every hop hands
the GIL between threads, the largest cost of a read under load (bench/ANALYSIS.md)."""

import anyio.to_thread
import pytest

from factories import build_world
from tenantree.access import org_listing


@pytest.fixture
def hops(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(getattr(func, "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return seen


def test_the_sub_orgs_page_checks_the_org_and_reads_the_page_in_one_hop(
    client, session, identity, hops
):
    world = build_world(session, identity)
    session.commit()
    response = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=world.headers("P-PA"))
    assert response.status_code == 200, response.text
    assert str(world.S.id) in {item["id"] for item in response.json()["items"]}
    assert len(hops) == 1, hops


def test_an_org_makes_one_hop(client, session, identity, hops):
    world = build_world(session, identity)
    session.commit()
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-PA"))
    assert response.status_code == 200, response.text
    assert len(hops) == 1, hops


def test_a_refused_page_is_never_read(client, session, identity, hops, monkeypatch):
    world = build_world(session, identity)
    session.commit()
    read: list[object] = []
    monkeypatch.setattr(org_listing, "list_sub_orgs", lambda *a, **k: read.append(a))
    # A customer's admin may not list its partner's sub-orgs: refused in the
    # one hop, before the page would be read.
    response = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=world.headers("S-A"))
    assert response.status_code in (403, 404), response.text
    assert read == []
    assert len(hops) == 1, hops
