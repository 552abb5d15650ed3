"""Revoking access takes effect on the very next request: nothing caches a grant."""

from factories import build_world


def _put_access(client, world, actor="P-PA", **changes):
    body = {"customer_access": "permitted", "partner_users": "all", "customer_may_brand": False}
    body.update(changes)
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/access", json=body, headers=world.headers(actor)
    )
    assert response.status_code == 200, response.text
    return response.json()


def _status(client, world, actor, org):
    return client.get(f"/api/v1/orgs/{org.id}", headers=world.headers(actor)).status_code


def _listed_ids(client, world, actor):
    response = client.get("/api/v1/orgs", headers=world.headers(actor))
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def test_refusing_customer_access_locks_out_the_customer_on_the_next_request(
    client, session, identity
):
    world = build_world(session, identity)
    session.commit()
    assert _status(client, world, "S-A", world.S) == 200

    _put_access(client, world, customer_access="refused")

    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("S-A"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "customer_access_refused"
    assert str(world.S.id) not in _listed_ids(client, world, "S-A")


def test_partner_users_keep_reaching_a_sub_org_whose_customer_is_refused(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    _put_access(client, world, customer_access="refused")
    assert _status(client, world, "P-A", world.S) == 200


def test_permitting_customer_access_again_lets_the_customer_back_in(client, session, identity):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    assert _status(client, world, "S-A", world.S) == 403
    _put_access(client, world, customer_access="permitted")
    assert _status(client, world, "S-A", world.S) == 200


def test_restricting_partner_users_hides_the_sub_org_from_those_left_off(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    _put_access(client, world, partner_users="all")
    assert _status(client, world, "P-U", world.S) == 200

    _put_access(client, world, partner_users=[str(world.members["P-A"].id)])

    assert _status(client, world, "P-U", world.S) == 404
    assert _status(client, world, "P-A", world.S) == 200
    assert str(world.S.id) not in _listed_ids(client, world, "P-U")


def test_removing_a_partner_user_ends_their_reach_into_sub_orgs_at_once(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    assert _status(client, world, "P-A", world.T) == 200

    removed = client.delete(
        f"/api/v1/orgs/{world.P.id}/users/{world.members['P-A'].id}",
        headers=world.headers("P-PA"),
    )
    assert removed.status_code == 204, removed.text

    # P-A belonged to no other org: their token is revoked with the entry.
    assert _status(client, world, "P-A", world.T) == 401


def test_deactivating_a_sub_org_blocks_its_users_and_partner_users_but_not_operators(
    client, session, identity
):
    world = build_world(session, identity)
    session.commit()
    response = client.patch(
        f"/api/v1/orgs/{world.S.id}", json={"status": "deactivated"}, headers=world.headers("OP")
    )
    assert response.status_code == 200, response.text

    for actor in ("S-A", "P-A"):
        blocked = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers(actor))
        assert blocked.status_code == 403
        assert blocked.json()["error"]["code"] == "org_deactivated"
    assert _status(client, world, "OP", world.S) == 200
    # Siblings are untouched.
    assert _status(client, world, "P-A", world.T) == 200


def test_suspending_a_users_only_membership_stops_their_token_at_once(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    response = client.patch(
        f"/api/v1/orgs/{world.S.id}/users/{world.members['S-U'].id}",
        json={"status": "suspended"},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 200, response.text
    assert client.get("/api/v1/me", headers=world.headers("S-U")).status_code == 401
