"""API tokens: service accounts that act by the same rules as people."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from factories import bearer, build_world
from tenantree import clock
from tenantree.audit.models import AuditEvent
from tenantree.identity.integration_models import ApiToken
from tenantree.identity.models import Membership


def _create(client, world, org, actor="S-A", **body):
    body = {"name": "ci", "role": "user", **body}
    return client.post(f"/api/v1/orgs/{org.id}/api-tokens", json=body, headers=world.headers(actor))


def _token(client, world, org, actor="S-A", **body):
    response = _create(client, world, org, actor, **body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)
    session.commit()
    return world


def test_secret_is_shown_once_and_listing_never_repeats_it(client, world):
    issued = _token(client, world, world.S, role="admin")
    assert issued["token"].startswith("tt_api_")
    assert issued["status"] == "active" and issued["role"] == "admin"
    listed = client.get(f"/api/v1/orgs/{world.S.id}/api-tokens", headers=world.headers("S-A"))
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert "token" not in item
    assert item["name"] == "ci" and item["last_used_at"] is None


@pytest.mark.parametrize("name", ["ci\x00", "ci\nnext line", "   "])
def test_a_name_with_a_nul_a_line_break_or_only_blanks_is_422_naming_it(client, world, name):
    # A NUL once reached PostgreSQL and failed there (500).
    response = _create(client, world, world.S, name=name)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "name"


def test_secret_is_stored_hashed(client, world, session):
    issued = _token(client, world, world.S)
    row = session.get(ApiToken, uuid.UUID(issued["id"]))
    assert row.token_hash != issued["token"] and issued["token"] not in row.token_hash


def test_token_acts_with_its_role_and_records_last_use(client, world):
    issued = _token(client, world, world.S, role="read_only")
    headers = bearer(issued["token"])
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 200
    # read_only may not report usage nor manage users
    assert client.get(f"/api/v1/orgs/{world.S.id}/users", headers=headers).status_code == 403
    listed = client.get(f"/api/v1/orgs/{world.S.id}/api-tokens", headers=world.headers("S-A"))
    assert listed.json()["items"][0]["last_used_at"] is not None


def test_token_of_one_org_never_acts_in_another(client, world):
    issued = _token(client, world, world.S, role="admin")
    headers = bearer(issued["token"])
    for org in (world.T, world.U, world.P):
        assert client.get(f"/api/v1/orgs/{org.id}", headers=headers).status_code == 404
    orgs = client.get("/api/v1/orgs", headers=headers).json()["items"]
    assert [o["id"] for o in orgs] == [str(world.S.id)]


def test_token_stays_in_its_org_even_if_its_account_gains_another_entry(client, world, session):
    issued = _token(client, world, world.S, role="admin")
    row = session.get(ApiToken, uuid.UUID(issued["id"]))
    session.add(Membership(org_id=world.U.id, account_id=row.account_id, role="admin"))
    session.commit()
    headers = bearer(issued["token"])
    assert client.get(f"/api/v1/orgs/{world.U.id}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("S-A", 201),
        ("S-PA", 201),
        ("P-A", 201),  # partner admin, listed on S
        ("P-PA", 201),
        ("OP", 201),
        ("S-U", 403),
        ("S-RO", 403),
        ("P-U", 403),
        ("P-X", 404),  # left off S's partner_users
        ("T-A", 404),  # sibling
        ("U-A", 404),
        ("anon", 401),
    ],
)
def test_who_may_create_tokens_in_s(client, world, actor, status):
    assert _create(client, world, world.S, actor).status_code == status
    listing = client.get(f"/api/v1/orgs/{world.S.id}/api-tokens", headers=world.headers(actor))
    assert listing.status_code == (200 if status == 201 else status)


def test_refused_customer_may_not_create_or_use_tokens(client, session, identity):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    response = _create(client, world, world.S, "S-A")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "customer_access_refused"
    # A token made by the partner for S's own directory is refused like S's people.
    issued = _token(client, world, world.S, "P-A")
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(issued["token"]))
    assert response.status_code == 403


def test_partner_token_reaches_a_restricted_sub_org_only_if_listed(client, world):
    issued = _token(client, world, world.P, "P-A", role="admin")
    headers = bearer(issued["token"])
    # T lets every partner user in; S lists only P-A, P-U, P-RO.
    assert client.get(f"/api/v1/orgs/{world.T.id}/users", headers=headers).status_code == 200
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 404
    listed = [str(world.members[a].id) for a in ("P-A", "P-U", "P-RO")] + [issued["user_id"]]
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/access",
        json={"customer_access": "permitted", "partner_users": listed, "customer_may_brand": False},
        headers=world.headers("P-PA"),
    )
    assert response.status_code == 200, response.text
    assert client.get(f"/api/v1/orgs/{world.S.id}/users", headers=headers).status_code == 200
    # Revoking the token also drops it from S's list.
    revoke = client.delete(
        f"/api/v1/orgs/{world.P.id}/api-tokens/{issued['id']}", headers=world.headers("P-A")
    )
    assert revoke.status_code == 204
    access = client.get(f"/api/v1/orgs/{world.S.id}/access", headers=world.headers("P-PA"))
    assert issued["user_id"] not in access.json()["partner_users"]


def test_partner_user_token_maps_down_as_user(client, world):
    issued = _token(client, world, world.P, "P-A", role="user")
    headers = bearer(issued["token"])
    assert client.get(f"/api/v1/orgs/{world.T.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/orgs/{world.T.id}/users", headers=headers).status_code == 403


def test_revocation_is_immediate(client, world, session):
    issued = _token(client, world, world.S, role="admin")
    headers = bearer(issued["token"])
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 200
    response = client.delete(
        f"/api/v1/orgs/{world.S.id}/api-tokens/{issued['id']}", headers=world.headers("S-A")
    )
    assert response.status_code == 204
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=headers)
    assert response.status_code == 401
    listed = client.get(f"/api/v1/orgs/{world.S.id}/api-tokens", headers=world.headers("S-A"))
    assert listed.json()["items"][0]["status"] == "revoked"
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"api_token.created", "api_token.revoked"} <= actions


def test_removing_the_service_account_from_the_directory_kills_the_token(client, world):
    issued = _token(client, world, world.S, role="admin")
    response = client.delete(
        f"/api/v1/orgs/{world.S.id}/users/{issued['user_id']}", headers=world.headers("S-A")
    )
    assert response.status_code == 204
    assert (
        client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(issued["token"])).status_code == 401
    )


def test_suspending_the_service_account_stops_the_token(client, world):
    issued = _token(client, world, world.S, role="admin")
    response = client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{issued['user_id']}",
        json={"status": "suspended"},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 200
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(issued["token"]))
    assert response.status_code == 401


def test_expired_token_is_refused_at_once(client, world, monkeypatch):
    expires = (clock.utcnow() + timedelta(hours=1)).isoformat()
    issued = _token(client, world, world.S, expires_at=expires)
    headers = bearer(issued["token"])
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 200
    later = clock.utcnow() + timedelta(hours=2)
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    assert client.get(f"/api/v1/orgs/{world.S.id}", headers=headers).status_code == 401


def test_expiry_in_the_past_and_duplicate_names_are_refused(client, world):
    past = (clock.utcnow() - timedelta(hours=1)).isoformat()
    response = _create(client, world, world.S, expires_at=past)
    assert response.status_code == 422 and response.json()["error"]["field"] == "expires_at"
    _token(client, world, world.S)
    assert _create(client, world, world.S).status_code == 409


def test_a_token_of_another_org_cannot_be_revoked_through_this_one(client, world):
    issued = _token(client, world, world.T, "T-A")
    response = client.delete(
        f"/api/v1/orgs/{world.S.id}/api-tokens/{issued['id']}", headers=world.headers("S-A")
    )
    assert response.status_code == 404
    assert (
        client.get(f"/api/v1/orgs/{world.T.id}", headers=bearer(issued["token"])).status_code == 200
    )


def test_unknown_and_tampered_tokens_are_401(client, world):
    issued = _token(client, world, world.S)
    for token in ("tt_api_nope", issued["token"][:-2] + "xx"):
        response = client.get(f"/api/v1/orgs/{world.S.id}", headers=bearer(token))
        assert response.status_code == 401
