"""License reports over three tiers: each level sees its own subtree and never a
figure above it. D holds 1000 units; R (tier 2) draws on D's pool (its pool is
linked: its own use and its customers' go into it, and it draws on D's) and
holds 50 of its own; C (R's customer) draws on R's pool. Quantities are chosen
so each level's figure is a number no other level's report carries."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from api.tiers_world import TierWorld, build_tiers
from factories import make_license
from tenantree.licensing.models import LicenseSource, LicenseSourceChange
from tenantree.web.cookie_session import SESSION_COOKIE

SKU = "mon"


def _arrange(client, session: Session, identity) -> TierWorld:  # type: ignore[no-untyped-def]
    world = build_tiers(session, identity)
    make_license(session, world.D, quantity=1000, sku=SKU)
    make_license(session, world.R, quantity=50, sku=SKU)
    for org in (world.R, world.C):
        session.add(LicenseSourceChange(org_id=org.id, source=LicenseSource.PARENT_POOL))
    session.commit()
    for org, actor, units in ((world.R, "R-A", 7), (world.C, "C-A", 3)):
        response = client.post(
            f"/api/v1/orgs/{org.id}/usage", json={"sku": SKU, "set": units},
            headers=world.headers(actor),
        )  # fmt: skip
        assert response.status_code == 200, response.text
    return world


def _report(client, world: TierWorld, org, actor: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/orgs/{org.id}/license-report", headers=world.headers(actor))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _figures(report: dict) -> set[int]:  # type: ignore[type-arg]
    """Every number anywhere in the report."""
    found: set[int] = set()

    def walk(value: object) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int):
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(report)
    return found


def test_a_tier_two_partners_report_shows_its_subtree_and_nothing_of_its_distributors(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)
    report = _report(client, world, world.R, "R-A")
    assert report["view"] == "parent"
    (pool,) = report["pools"]
    assert [c["org_id"] for c in pool["children"]] == [str(world.C.id)]
    assert pool["children"][0]["used"] == 3
    assert 50 in _figures(report)
    assert 1000 not in _figures(report)
    assert str(world.D.id) not in json.dumps(report)


def test_a_tier_three_customers_report_never_shows_its_partners_pool(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)
    report = _report(client, world, world.C, "C-A")
    assert report["view"] == "child"
    assert not {50, 1000} & _figures(report)


def test_the_distributors_report_shows_its_tier_two_partners_draw(client, session, identity):
    world = _arrange(client, session, identity)
    report = _report(client, world, world.D, "D-A")
    (pool,) = report["pools"]
    # R's draw is its whole subtree: its own 7 and its customer's 3.
    assert {c["org_id"]: c["used"] for c in pool["children"]} == {str(world.R.id): 10}
    assert 1000 in _figures(report)
    # The distributor reads its tier-2 partner's subtree in R's own report.
    below = _report(client, world, world.R, "D-A")
    assert below["pools"][0]["children"][0]["used"] == 3


def test_a_linked_pool_is_bound_in_reports_by_the_partners_quota_never_the_distributors(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)
    response = client.put(
        f"/api/v1/orgs/{world.R.id}/quotas/{SKU}", json={"max_units": 40},
        headers=world.headers("D-A"),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    (pool,) = _report(client, world, world.R, "R-A")["pools"]
    assert pool["draws_on_distributor"] is True and pool["distributor_quota"] == 40
    assert (pool["quantity"], pool["used"], pool["remaining"]) == (40, 10, 30)
    # R's admins reading their customer's report see R's pool as R's report does.
    child = _report(client, world, world.C, "R-A")
    (item,) = [i for i in child["items"] if i["source"] == "parent_pool"]
    assert (item["pool"]["quantity"], item["pool"]["used"]) == (40, 10)
    assert 1000 not in _figures(child)


def test_only_the_distributors_admins_learn_what_its_pool_has_left_from_a_tier_three_refusal(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)  # D's pool: 10 of 1000 used
    body = {"sku": SKU, "set": 995}
    for actor, shown in (("D-A", {"remaining": 990}), ("R-A", {}), ("C-A", {})):
        response = client.post(
            f"/api/v1/orgs/{world.C.id}/usage", json=body, headers=world.headers(actor)
        )
        assert response.status_code == 409, response.text
        error = response.json()["error"]
        assert {k: error[k] for k in ("remaining",) if k in error} == shown, actor
        if not shown:
            assert "990" not in response.text and "1000" not in response.text


def test_the_console_shows_a_linked_pool_bound_by_the_quota_never_the_distributors_quantity(
    client, session, identity
) -> None:
    world = _arrange(client, session, identity)
    page = client.get(
        f"/orgs/{world.R.id}/licenses",
        headers={"Cookie": f"{SESSION_COOKIE}={world.tokens['R-A']}"},
    )
    assert page.status_code == 200, page.text
    assert 'data-testid="draws-on-distributor"' in page.text
    assert "none set" in page.text and "1000" not in page.text
