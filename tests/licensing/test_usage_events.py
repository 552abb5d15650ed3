"""Every successful change of use is recorded with who made it, in which request,
and read back at GET /orgs/{id}/usage-events without leaking a partner's pool.
"""

from __future__ import annotations

import uuid
from typing import Any

from licensing_support import Api, assert_figures_absent
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from factories import World
from tenantree.licensing.models import UsageSnapshot

P_QUANTITY = 7919
T_USE = 4241
S_USE = 1301


def _events(api: Api, org_id: uuid.UUID, actor: str, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get(
        f"/api/v1/orgs/{org_id}/usage-events", params=params, headers=api.world.headers(actor)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def _account(world: World, actor: str) -> str:
    return str(world.accounts[actor].id)


def test_a_change_records_its_actor_and_request(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    response = api.client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "set": S_USE},
        headers={**world.headers("S-A"), "X-Request-ID": "req-usage-1"},
    )
    assert response.status_code == 200, response.text

    [event] = _events(api, world.S.id, "S-A")
    assert event["sku"] == "mon"
    assert event["units"] == S_USE
    assert event["actor_id"] == _account(world, "S-A")
    assert event["request_id"] == "req-usage-1"


def test_a_partner_users_change_names_the_partner_it_acted_from(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.use_ok(world.S.id, "P-U", add=3)

    [event] = _events(api, world.S.id, "S-A")
    assert event["actor_id"] == _account(world, "P-U")
    assert event["actor_org_id"] == str(world.P.id)


def test_every_change_is_listed_newest_first(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.use_ok(world.S.id, "S-A", set=5)
    api.use_ok(world.S.id, "P-A", add=2)
    api.use_ok(world.S.id, "S-U", release=4)

    events = _events(api, world.S.id, "P-A")
    assert [(e["units"], e["actor_id"]) for e in events] == [
        (3, _account(world, "S-U")),
        (7, _account(world, "P-A")),
        (5, _account(world, "S-A")),
    ]


def test_a_refused_change_is_not_a_usage_event(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=10)
    assert api.use(world.S.id, "S-A", set=11).status_code == 409
    assert _events(api, world.S.id, "S-A") == []


def test_the_customer_never_sees_the_partners_pool_figures(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.use_ok(world.T.id, "P-A", set=T_USE)
    api.use_ok(world.S.id, "S-A", set=S_USE)

    response = api.client.get(
        f"/api/v1/orgs/{world.S.id}/usage-events", headers=world.headers("S-A")
    )
    assert response.status_code == 200
    [event] = response.json()["items"]
    assert event["pool_used"] is None
    assert event["over_quantity"] is None
    assert_figures_absent(response.text, {"T's use": T_USE, "pool used": T_USE + S_USE})


def test_the_partners_admin_sees_the_pool_figures_of_a_sub_orgs_change(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.use_ok(world.T.id, "P-A", set=T_USE)
    api.use_ok(world.S.id, "S-A", set=S_USE)

    [event] = _events(api, world.S.id, "P-A")
    assert event["pool_used"] == T_USE + S_USE
    assert event["over_quantity"] is False


def test_a_sub_org_sees_the_figures_of_its_own_licenses(api: Api, world: World):
    api.grant_ok(world.S.id, quantity=50)
    assert api.set_source(world.S.id, "own").status_code == 200
    api.use_ok(world.S.id, "S-A", set=12)

    [event] = _events(api, world.S.id, "S-A")
    assert event["pool_used"] == 12


def test_a_sibling_change_is_not_in_the_orgs_events(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.use_ok(world.T.id, "P-A", set=T_USE)
    assert _events(api, world.S.id, "P-A") == []


def test_events_filter_by_sku_and_actor(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.grant_ok(world.P.id, sku="backup", quantity=P_QUANTITY)
    api.use_ok(world.S.id, "S-A", set=1)
    api.use_ok(world.S.id, "P-A", sku="backup", set=2)

    assert [e["units"] for e in _events(api, world.S.id, "S-A", sku="backup")] == [2]
    by_s_a = _events(api, world.S.id, "S-A", actor_id=_account(world, "S-A"))
    assert [e["sku"] for e in by_s_a] == ["mon"]


def test_events_page_with_a_cursor(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    for units in (1, 2, 3):
        api.use_ok(world.S.id, "S-A", set=units)
    headers = world.headers("S-A")
    path = f"/api/v1/orgs/{world.S.id}/usage-events"
    first = api.client.get(path, params={"limit": 2}, headers=headers).json()
    rest = api.client.get(
        path, params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert [e["units"] for e in first["items"] + rest["items"]] == [3, 2, 1]
    assert rest["next_cursor"] is None


def test_a_time_without_a_zone_is_refused_naming_the_field(api: Api, world: World):
    response = api.client.get(
        f"/api/v1/orgs/{world.S.id}/usage-events",
        params={"from": "2026-01-01T00:00:00"},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 422
    assert "from" in response.text


def test_the_snapshot_row_holds_the_actor(api: Api, world: World, sessions: sessionmaker[Session]):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.use_ok(world.S.id, "P-A", set=4)
    with sessions() as reader:
        snapshot = reader.scalars(select(UsageSnapshot)).one()
        reader.commit()
    assert snapshot.actor_id == world.accounts["P-A"].id
    assert snapshot.actor_org_id == world.P.id
    assert snapshot.request_id


def test_the_release_when_the_source_changes_is_the_operators_change(api: Api, world: World):
    api.grant_ok(world.P.id, quantity=P_QUANTITY)
    api.use_ok(world.S.id, "S-U", set=6)
    assert api.set_source(world.S.id, "own").status_code == 200

    released, used = _events(api, world.S.id, "P-A")
    assert (released["units"], released["actor_id"]) == (0, _account(world, "OP"))
    assert (used["units"], used["actor_id"]) == (6, _account(world, "S-U"))
