"""Deactivating a partner: the operator chooses what its customers do (over HTTP)."""

import pytest

from factories import LICENSE_BODY, build_world

LICENSE = LICENSE_BODY


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)
    session.commit()
    return world


def _patch(client, world, org, **body):
    return client.patch(f"/api/v1/orgs/{org.id}", json=body, headers=world.headers("OP"))


def _get(client, world, actor, org):
    return client.get(f"/api/v1/orgs/{org.id}", headers=world.headers(actor))


def _actions(client, world, org, action):
    response = client.get(
        f"/api/v1/orgs/{org.id}/audit-events",
        params={"action": action},
        headers=world.headers("OP"),
    )
    return response.json()["items"]


def test_deactivating_a_partner_with_customers_asks_what_they_do(client, world):
    response = _patch(client, world, world.P, status="deactivated")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "customers" and "keep_running" in error["message"]
    assert _get(client, world, "OP", world.P).json()["status"] == "active"


def test_the_choice_is_refused_where_there_is_none_to_make(client, world):
    response = _patch(client, world, world.U, status="deactivated", customers="suspend")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "customers"


def test_suspending_customers_deactivates_them_with_the_partner(client, world):
    response = _patch(client, world, world.P, status="deactivated", customers="suspend")
    assert response.status_code == 200, response.text
    for org in (world.S, world.T):
        assert _get(client, world, "OP", org).json()["status"] == "deactivated"
    refused = _get(client, world, "S-A", world.S)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "org_deactivated"
    assert len(_actions(client, world, world.S, "org.deactivated_with_partner")) == 1


def test_reactivating_the_partner_brings_back_only_the_customers_suspended_with_it(client, world):
    assert _patch(client, world, world.T, status="deactivated").status_code == 200
    _patch(client, world, world.P, status="deactivated", customers="suspend")

    assert _patch(client, world, world.P, status="active").status_code == 200

    assert _get(client, world, "S-A", world.S).status_code == 200
    assert _get(client, world, "OP", world.T).json()["status"] == "deactivated"
    assert len(_actions(client, world, world.S, "org.reactivated_with_partner")) == 1


def test_customers_left_running_keep_working_and_drawing_on_the_pool_flagged(client, world):
    held = client.post(
        f"/api/v1/orgs/{world.P.id}/licenses", json=LICENSE, headers=world.headers("OP")
    )
    assert held.status_code == 201, held.text
    response = _patch(client, world, world.P, status="deactivated", customers="keep_running")
    assert response.status_code == 200, response.text

    assert _get(client, world, "S-A", world.S).status_code == 200
    used = client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "add": 2},
        headers=world.headers("S-A"),
    )
    assert used.status_code == 200, used.text
    report = client.get(
        f"/api/v1/orgs/{world.P.id}/license-report", headers=world.headers("OP")
    ).json()
    assert report["deactivated"] is True
    (pool,) = report["pools"]
    (child,) = [c for c in pool["children"] if c["org_id"] == str(world.S.id)]
    assert child["used"] == 2 and child["drawing_while_partner_deactivated"] is True
    assert len(_actions(client, world, world.S, "org.customers_left_running")) == 1


def test_partner_staff_lose_their_way_into_customers_either_way(client, world):
    _patch(client, world, world.P, status="deactivated", customers="keep_running")
    response = _get(client, world, "P-A", world.S)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "org_deactivated"


def test_an_active_partners_report_flags_nothing(client, world):
    client.post(f"/api/v1/orgs/{world.P.id}/licenses", json=LICENSE, headers=world.headers("OP"))
    client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "add": 1},
        headers=world.headers("S-A"),
    )
    report = client.get(
        f"/api/v1/orgs/{world.P.id}/license-report", headers=world.headers("OP")
    ).json()
    assert report["deactivated"] is False
    assert not any(c["drawing_while_partner_deactivated"] for c in report["pools"][0]["children"])
