"""POST /api/v1/orgs/{id}/move over HTTP: access follows the move at once."""

from __future__ import annotations

import pytest

from factories import LICENSE_BODY, build_world, issue_token, make_member, make_partner
from tenantree.identity.roles import Role


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    q = make_partner(session, name="Partner Q")
    q_admin = make_member(session, identity, q, role=Role.ADMIN, email="q-a@example.com")
    world.accounts["Q-A"] = q_admin.account
    world.tokens["Q-A"] = issue_token(session, identity, q_admin.account)
    world.Q = q  # type: ignore[attr-defined]
    session.commit()
    return world


def _move(client, world, **body):  # type: ignore[no-untyped-def]
    payload = {"to_partner_id": str(world.Q.id), **body}
    return client.post(f"/api/v1/orgs/{world.S.id}/move", json=payload, headers=world.headers("OP"))


def _grant(client, world, org, quantity):  # type: ignore[no-untyped-def]
    body = {**LICENSE_BODY, "quantity": quantity}
    response = client.post(
        f"/api/v1/orgs/{org.id}/licenses", json=body, headers=world.headers("OP")
    )
    assert response.status_code == 201, response.text


def _use(client, world, units):  # type: ignore[no-untyped-def]
    response = client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "set": units},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 200, response.text


def _get_s(client, world, actor):  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers(actor))


def test_the_old_partners_staff_are_refused_on_the_very_next_request(client, world):  # type: ignore[no-untyped-def]
    for actor in ("P-PA", "P-A"):
        assert _get_s(client, world, actor).status_code == 200

    response = _move(client, world)

    assert response.status_code == 200, response.text
    for actor in ("P-PA", "P-A", "P-U"):
        assert _get_s(client, world, actor).status_code == 404, actor
        users = client.get(f"/api/v1/orgs/{world.S.id}/users", headers=world.headers(actor))
        assert users.status_code == 404, actor


def test_the_new_partners_staff_reach_the_sub_org_and_its_own_users_keep_theirs(client, world):  # type: ignore[no-untyped-def]
    assert _get_s(client, world, "Q-A").status_code == 404

    assert _move(client, world).status_code == 200

    assert _get_s(client, world, "Q-A").status_code == 200
    assert _get_s(client, world, "S-A").status_code == 200
    body = _get_s(client, world, "OP").json()
    assert body["parent_id"] == str(world.Q.id)
    listed = client.get(f"/api/v1/orgs/{world.Q.id}/sub-orgs", headers=world.headers("Q-A"))
    assert [o["id"] for o in listed.json()["items"]] == [str(world.S.id)]


def test_a_shortfall_is_a_409_naming_each_sku(client, world):  # type: ignore[no-untyped-def]
    _grant(client, world, world.P, 10)
    _grant(client, world, world.Q, 2)
    _use(client, world, 5)

    response = _move(client, world)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "new_pool_lacks_room"
    assert "mon: 3 units short" in error["message"]
    assert error["shortfall"] == {"mon": 3}
    assert _get_s(client, world, "P-A").status_code == 200  # nothing moved


def test_allow_overage_moves_the_use_and_says_how_far_over(client, world):  # type: ignore[no-untyped-def]
    _grant(client, world, world.P, 10)
    _grant(client, world, world.Q, 2)
    _use(client, world, 5)

    response = _move(client, world, allow_overage=True)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["moved"] == {"mon": 5} and body["overage"] == {"mon": 3}
    assert body["license_source"] == "parent_pool"
    report = client.get(f"/api/v1/orgs/{world.Q.id}/license-report", headers=world.headers("OP"))
    [pool] = report.json()["pools"]
    assert pool["used"] == 5 and pool["quantity"] == 2


def test_the_move_is_in_the_audit_log_of_the_sub_org_and_both_partners(client, world):  # type: ignore[no-untyped-def]
    assert _move(client, world).status_code == 200

    for org in (world.S, world.P, world.Q):
        response = client.get(
            f"/api/v1/orgs/{org.id}/audit-events",
            params={"action": "org.moved"},
            headers=world.headers("OP"),
        )
        [event] = response.json()["items"]
        assert event["target_id"] == str(world.S.id)
    ended = event["details"]["ended"]
    # S restricted P's users to a list: the move ended those grants.
    assert ended["grants_ended"] == ["p-a@example.com", "p-ro@example.com", "p-u@example.com"]
    assert ended["partner_users_restricted"] is True


def test_the_new_partners_brand_applies_after_the_move(client, world):  # type: ignore[no-untyped-def]
    ok = client.put(
        f"/api/v1/orgs/{world.Q.id}/branding",
        json={"product_name": "Q Cloud"},
        headers=world.headers("OP"),
    )
    assert ok.status_code == 200, ok.text
    published = client.post(
        f"/api/v1/orgs/{world.Q.id}/branding/publish", headers=world.headers("OP")
    )
    assert published.status_code == 200, published.text

    assert _move(client, world).status_code == 200

    brand = client.get(f"/api/v1/orgs/{world.S.id}/branding", headers=world.headers("S-A"))
    assert brand.status_code == 200
    assert "Q Cloud" in brand.text


def test_only_an_operator_moves_a_sub_org(client, world):  # type: ignore[no-untyped-def]
    for actor, status in (("P-PA", 403), ("S-PA", 403), ("Q-A", 404), ("anon", 401)):
        response = client.post(
            f"/api/v1/orgs/{world.S.id}/move",
            json={"to_partner_id": str(world.Q.id)},
            headers=world.headers(actor),
        )
        assert response.status_code == status, actor


def test_an_unknown_partner_is_refused_naming_the_field(client, world):  # type: ignore[no-untyped-def]
    response = client.post(
        f"/api/v1/orgs/{world.S.id}/move",
        json={"to_partner_id": "00000000-0000-4000-8000-000000000000"},
        headers=world.headers("OP"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "to_partner_id"
