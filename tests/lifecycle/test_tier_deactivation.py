"""Deactivating a distributor with "suspend" goes down the tiers, and back up
on reactivation; only what was suspended with it comes back (over HTTP)."""

from api.tiers_world import build_tiers


def _patch(client, world, org, **body):
    return client.patch(f"/api/v1/orgs/{org.id}", json=body, headers=world.headers("OP"))


def _status(client, world, org):
    return client.get(f"/api/v1/orgs/{org.id}", headers=world.headers("OP")).json()["status"]


def test_suspending_a_distributors_customers_suspends_its_tier_two_partners_customers(
    client, session, identity
):
    world = build_tiers(session, identity)
    session.commit()
    # C2 was deactivated on its own before: it stays so after the distributor returns.
    assert _patch(client, world, world.C2, status="deactivated").status_code == 200
    response = _patch(client, world, world.D, status="deactivated", customers="suspend")
    assert response.status_code == 200, response.text
    for org in (world.R, world.R2, world.C, world.C2):
        assert _status(client, world, org) == "deactivated"
    assert client.get(f"/api/v1/orgs/{world.C.id}", headers=world.headers("C-A")).status_code == 403

    assert _patch(client, world, world.D, status="active").status_code == 200
    for org in (world.R, world.R2, world.C):
        assert _status(client, world, org) == "active"
    assert _status(client, world, world.C2) == "deactivated"
    assert client.get(f"/api/v1/orgs/{world.C.id}", headers=world.headers("C-A")).status_code == 200


def test_keeping_a_distributors_customers_running_leaves_every_tier_working(
    client, session, identity
):
    world = build_tiers(session, identity)
    session.commit()
    response = _patch(client, world, world.D, status="deactivated", customers="keep_running")
    assert response.status_code == 200, response.text
    for org in (world.R, world.C):
        assert _status(client, world, org) == "active"
    # The distributor's staff lose their way in; the tiers below keep theirs.
    assert client.get(f"/api/v1/orgs/{world.C.id}", headers=world.headers("D-A")).status_code == 403
    assert client.get(f"/api/v1/orgs/{world.C.id}", headers=world.headers("R-A")).status_code == 200
