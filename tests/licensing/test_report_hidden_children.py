"""The parent report reads its partner's children by a subquery on the parent
(not a list of visible ids), so it reads what a hidden child holds too: none of
it may reach the report, in any form, with or without a period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from licensing_support import Api

from factories import World

S_USE, T_USE = 5, 7


def test_a_hidden_childs_own_pool_licenses_and_period_stay_out(api: Api, world: World) -> None:
    api.grant_ok(world.P.id, sku="mon", quantity=100)
    own = api.grant_ok(world.S.id, sku="extra", unit="users", quantity=37)
    api.use_ok(world.S.id, "S-U", add=S_USE)
    api.use_ok(world.T.id, "T-A", add=T_USE)
    today = datetime.now(UTC).date()
    period = {"from": str(today - timedelta(days=3)), "to": str(today)}
    # P-A sees S, its own pool and license: what P-X must not.
    seen = api.report(world.P.id, "P-A", **period).text
    assert world.S.name in seen and own["id"] in seen and "extra" in seen
    for params in ({}, period, {"format": "csv"}, {**period, "format": "csv"}):
        response = api.report(world.P.id, "P-X", **params)
        assert response.status_code == 200, response.text
        for hidden in (str(world.S.id), world.S.name, own["id"], "extra"):
            assert hidden not in response.text, (hidden, params)
        if params.get("format") != "csv":
            report = response.json()
            (mon,) = report["pools"]
            assert mon["other_children_use"] == S_USE
            assert [c["org_name"] for c in mon["children"]] == [world.T.name]
            assert {c["org_name"] for c in report["children"]} == {world.T.name}
            if params:
                assert mon["children"][0]["period_use"]["peak"] == T_USE
