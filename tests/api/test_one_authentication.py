"""A request authenticates its bearer token once, even when the route needs both
the caller and an org (the org check resolves the caller in its own hop), and
never reuses a caller across requests."""

import pytest

import tenantree.web.caller as caller_module
from api.credentials import API_TOKEN, SSO, hold
from factories import build_world
from licensing.test_report_queries import counting
from tenantree.authn.signin import authenticate


def _counting(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    authenticate = caller_module.authenticate

    def counted(session, config, token, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(token)
        return authenticate(session, config, token, **kwargs)

    monkeypatch.setattr(caller_module, "authenticate", counted)
    return seen


def test_the_sub_orgs_page_authenticates_its_caller_once(client, session, identity, monkeypatch):
    world = build_world(session, identity)
    session.commit()
    seen = _counting(monkeypatch)
    response = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=world.headers("P-PA"))
    assert response.status_code == 200, response.text
    assert str(world.S.id) in {item["id"] for item in response.json()["items"]}
    assert len(seen) == 1


def test_each_request_authenticates_anew(client, session, identity, monkeypatch):
    world = build_world(session, identity)
    session.commit()
    seen = _counting(monkeypatch)
    for _ in range(2):
        response = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("P-PA"))
        assert response.status_code == 200, response.text
    assert len(seen) == 2


def test_a_signed_out_token_is_refused_on_the_page_that_needs_caller_and_org(
    client, session, identity
):
    world = build_world(session, identity)
    session.commit()
    headers = world.headers("P-PA")
    assert client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code in (200, 204)
    response = client.get(f"/api/v1/orgs/{world.P.id}/sub-orgs", headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("kind", [API_TOKEN, SSO])
def test_a_prefixed_token_is_read_with_its_account_and_entries_in_one_statement(
    client, session, identity, kind
):
    # One round trip per request, as a password session's (authn.signin).
    world = build_world(session, identity)
    session.commit()
    headers = hold(client, session, identity, world, kind, "S-A")
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 200
    token = headers["Authorization"].removeprefix("Bearer ")
    with counting(session.get_bind()) as statements:
        _, actor = authenticate(session, identity, token)
    assert set(actor.memberships) == {world.S.id}
    # Its last use was stamped by the request above: nothing but the read.
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, statements
