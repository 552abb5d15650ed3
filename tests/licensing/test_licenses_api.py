"""Licenses, license sources, quotas and usage through the HTTP API."""

from __future__ import annotations

import pytest
from licensing_support import assert_figures_absent
from sqlalchemy import select

from factories import (
    PASSWORD,
    bearer,
    build_world,
    issue_token,
    make_member,
    make_org,
    make_partner,
    make_sub_org,
)
from tenantree.identity.roles import Role
from tenantree.licensing.models import License, LicensePool, LicenseSourceChange
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.salesforce import checksum_suffix

CONTRACT_15 = "800Ab0000012XyZ"
CONTRACT_18 = CONTRACT_15 + checksum_suffix(CONTRACT_15)


def error(response) -> dict:  # type: ignore[no-untyped-def]
    return response.json()["error"]


def assert_statuses(expected: dict[str, int], call) -> None:  # type: ignore[no-untyped-def]
    """Call once per actor; name every actor whose status differs."""
    got = {actor: call(actor).status_code for actor in expected}
    assert got == expected


def pool_of(report: dict, sku: str = "mon") -> dict:
    return next(pool for pool in report["pools"] if pool["sku"] == sku)


def children_use(pool: dict) -> dict[str, int]:
    return {child["org_name"]: child["used"] for child in pool["children"]}


# --- Granting ----------------------------------------------------------------


def test_operator_grants_a_license_201(api, world, session, audit):
    response = api.grant(world.P.id, quantity=25, salesforce_contract_id=CONTRACT_18)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["org_id"] == str(world.P.id)
    assert body["sku"] == "mon" and body["unit"] == "devices" and body["quantity"] == 25
    assert body["status"] == "active" and body["in_term"] is True
    assert body["overage_policy"] == "block"
    assert body["salesforce_contract_id"] == CONTRACT_18
    assert body["starts_at"].startswith("2020-01-01T00:00:00")
    (event,) = audit("license.granted", world.P.id)
    assert event.target_id == body["id"]
    assert event.details["quantity"] == 25


def test_only_operators_grant_licenses(api, world, session):
    statuses = {"P-PA": 403, "P-A": 403, "P-U": 403, "S-A": 404, "U-A": 404, "anon": 401}
    assert_statuses(statuses, lambda actor: api.grant(world.P.id, actor=actor))
    statuses = {"P-PA": 403, "P-A": 403, "S-PA": 403, "S-A": 403, "T-A": 404, "anon": 401}
    assert_statuses(statuses, lambda actor: api.grant(world.S.id, actor=actor))
    session.expire_all()
    assert session.scalars(select(License)).all() == []
    session.commit()


@pytest.mark.parametrize(
    "ends_at", ["2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", "2020-01-01T01:00:00+01:00"]
)
def test_a_term_ending_at_or_before_its_start_is_422_naming_ends_at(api, world, ends_at):
    response = api.grant(world.P.id, starts_at="2020-01-01T00:00:00Z", ends_at=ends_at)
    assert response.status_code == 422, response.text
    assert error(response)["field"] == "ends_at"


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        ("2020-01-01T00:00:00", "2099-01-01T00:00:00Z", "starts_at"),
        ("2020-01-01T00:00:00Z", "2099-01-01T00:00:00", "ends_at"),
    ],
)
def test_naive_datetimes_are_422(api, world, starts_at, ends_at, field):
    response = api.grant(world.P.id, starts_at=starts_at, ends_at=ends_at)
    assert response.status_code == 422, response.text
    assert error(response)["field"] == field


def test_a_15_character_contract_id_is_stored_in_its_18_character_form(api, world):
    body = api.grant_ok(world.P.id, salesforce_contract_id=CONTRACT_15)
    assert body["salesforce_contract_id"] == CONTRACT_18


@pytest.mark.parametrize(
    "contract_id",
    [
        CONTRACT_15 + ("AAA" if checksum_suffix(CONTRACT_15) != "AAA" else "AAB"),
        "800Ab0000012Xy!",
        "800Ab0000012XyZA",
    ],
)
def test_a_bad_contract_id_is_422(api, world, session, contract_id):
    response = api.grant(world.P.id, salesforce_contract_id=contract_id)
    assert response.status_code == 422, response.text
    assert error(response)["field"] == "salesforce_contract_id"
    session.expire_all()
    assert session.scalars(select(License)).all() == []


def test_a_unit_that_differs_from_the_pools_is_422(api, world, session):
    api.grant_ok(world.P.id, unit="devices")
    response = api.grant(world.P.id, unit="users")
    assert response.status_code == 422, response.text
    assert error(response)["field"] == "unit"
    # Another SKU may count in another unit; another holder too.
    api.grant_ok(world.P.id, sku="other", unit="users")
    api.grant_ok(world.U.id, unit="users")
    session.expire_all()
    assert len(session.scalars(select(License)).all()) == 3


def test_licenses_of_one_sku_add_up_to_the_pool(api, world):
    api.grant_ok(world.P.id, quantity=10)
    api.grant_ok(world.P.id, quantity=15)
    report = api.report(world.P.id, "P-A").json()
    assert len(report["pools"]) == 1
    assert pool_of(report)["quantity"] == 25
    assert len(pool_of(report)["licenses"]) == 2


# --- Listing -----------------------------------------------------------------


def test_holders_admins_and_operators_list_the_orgs_licenses(api, world):
    granted = api.grant_ok(world.P.id, quantity=12)
    api.grant_ok(world.S.id, quantity=3)  # someone else's license
    for actor in ("OP", "P-PA", "P-A"):
        response = api.client.get(
            f"/api/v1/orgs/{world.P.id}/licenses", headers=world.headers(actor)
        )
        assert response.status_code == 200, (actor, response.text)
        body = response.json()
        assert [item["id"] for item in body["items"]] == [granted["id"]], actor
        assert body["next_cursor"] is None


def test_others_cannot_list_a_partners_licenses(api, world):
    api.grant_ok(world.P.id)
    statuses = {"P-U": 403, "P-RO": 403, "S-A": 404, "T-A": 404, "U-A": 404, "anon": 401}
    assert_statuses(
        statuses,
        lambda actor: api.client.get(
            f"/api/v1/orgs/{world.P.id}/licenses", headers=world.headers(actor)
        ),
    )


def test_a_sub_org_admin_lists_only_the_sub_orgs_own_licenses(api, world):
    api.grant_ok(world.P.id, quantity=7919)
    own = api.grant_ok(world.S.id, sku="extra", quantity=3)
    response = api.client.get(f"/api/v1/orgs/{world.S.id}/licenses", headers=world.headers("S-A"))
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [own["id"]]
    assert_figures_absent(response.text, {"P's quantity": 7919})


# --- Changing ----------------------------------------------------------------


def patch(api, world, license_id, actor="OP", org=None, **body):  # type: ignore[no-untyped-def]
    org = org or world.P
    return api.client.patch(
        f"/api/v1/orgs/{org.id}/licenses/{license_id}", json=body, headers=world.headers(actor)
    )


def test_operator_changes_quantity_and_it_is_audited(api, world, audit):
    lic = api.grant_ok(world.P.id, quantity=10)
    response = patch(api, world, lic["id"], quantity=30)
    assert response.status_code == 200, response.text
    assert response.json()["quantity"] == 30
    assert pool_of(api.report(world.P.id, "P-A").json())["quantity"] == 30
    (event,) = audit("license.changed", world.P.id)
    assert event.details["changes"] == {"quantity": {"from": 10, "to": 30}}


def test_operator_changes_the_term(api, world):
    lic = api.grant_ok(world.P.id)
    response = patch(api, world, lic["id"], ends_at="2030-06-30T00:00:00Z")
    assert response.status_code == 200, response.text
    assert response.json()["ends_at"].startswith("2030-06-30T00:00:00")
    bad = patch(api, world, lic["id"], ends_at="2019-01-01T00:00:00Z")
    assert bad.status_code == 422 and error(bad)["field"] == "ends_at"
    naive = patch(api, world, lic["id"], starts_at="2021-01-01T00:00:00")
    assert naive.status_code == 422 and error(naive)["field"] == "starts_at"


def test_only_operators_change_licenses(api, world):
    lic = api.grant_ok(world.P.id)
    statuses = {"P-PA": 403, "P-A": 403, "P-U": 403, "S-A": 404, "anon": 401}
    assert_statuses(statuses, lambda actor: patch(api, world, lic["id"], actor=actor, quantity=99))


def test_a_license_is_changed_only_under_its_holder(api, world):
    lic = api.grant_ok(world.P.id)
    response = patch(api, world, lic["id"], org=world.U, quantity=99)
    assert response.status_code == 404
    assert error(response)["code"] == "license_not_found"


def test_ending_a_license_shrinks_the_pool_refuses_consumption_but_allows_release(api, world):
    api.grant_ok(world.P.id, quantity=10)
    extra = api.grant_ok(world.P.id, quantity=5)
    assert api.use_ok(world.S.id, "S-U", add=12) == 12
    ended = patch(api, world, extra["id"], status="ended")
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended" and ended.json()["in_term"] is False
    pool = pool_of(api.report(world.P.id, "P-A").json())
    assert pool["quantity"] == 10 and pool["used"] == 12 and pool["remaining"] == -2
    assert pool["over_quantity"] is True

    refused = api.use(world.S.id, "S-U", add=1)
    assert refused.status_code == 409
    assert error(refused)["code"] == "pool_exhausted"
    assert api.use_ok(world.S.id, "S-U", release=3) == 9
    assert api.use_ok(world.S.id, "S-U", set=4) == 4


def test_ending_the_last_license_refuses_consumption_with_no_license(api, world):
    lic = api.grant_ok(world.P.id, quantity=10)
    api.use_ok(world.S.id, "S-U", add=4)
    assert patch(api, world, lic["id"], status="ended").status_code == 200
    refused = api.use(world.S.id, "S-U", add=1)
    assert refused.status_code == 409
    assert error(refused)["code"] == "no_license"
    assert api.use_ok(world.S.id, "S-U", release=4) == 0


@pytest.mark.parametrize(
    "term",
    [
        {"starts_at": "2010-01-01T00:00:00Z", "ends_at": "2011-01-01T00:00:00Z"},
        {"starts_at": "2098-01-01T00:00:00Z", "ends_at": "2099-01-01T00:00:00Z"},
    ],
    ids=["expired", "not-yet-started"],
)
def test_consuming_a_license_out_of_term_is_409_no_license(api, world, term):
    api.grant_ok(world.P.id, **term)
    refused = api.use(world.S.id, "S-U", add=1)
    assert refused.status_code == 409
    assert error(refused)["code"] == "no_license"


def test_consuming_a_sku_the_source_does_not_hold_is_409_no_license(api, world):
    api.grant_ok(world.P.id, sku="mon")
    refused = api.use(world.S.id, "S-U", sku="other", add=1)
    assert refused.status_code == 409
    assert error(refused)["code"] == "no_license"


# --- License sources ---------------------------------------------------------


def get_source(api, world, org, actor="OP"):  # type: ignore[no-untyped-def]
    response = api.client.get(f"/api/v1/orgs/{org.id}/license-source", headers=world.headers(actor))
    assert response.status_code == 200, response.text
    return response.json()["source"]


def test_an_msp_sub_org_draws_on_its_parents_pool_by_default(api, world):
    assert get_source(api, world, world.S) == "parent_pool"
    api.grant_ok(world.P.id, quantity=10)
    api.use_ok(world.S.id, "S-U", add=3)
    pool = pool_of(api.report(world.P.id, "P-A").json())
    assert pool["used"] == 3 and children_use(pool) == {"Sub-org S": 3}


def test_a_reseller_sub_org_holds_its_own_licenses_by_default(api, world, session, identity):
    reseller = make_partner(session, partner_type=PartnerType.RESELLER)
    child = make_sub_org(session, reseller)
    session.commit()
    assert get_source(api, world, child) == "own"


def test_a_standard_org_holds_its_own_licenses(api, world):
    assert get_source(api, world, world.U) == "own"
    assert get_source(api, world, world.P) == "own"
    api.grant_ok(world.U.id, quantity=2)
    assert api.use_ok(world.U.id, "U-A", add=2) == 2
    refused = api.use(world.U.id, "U-A", add=1)
    assert refused.status_code == 409
    assert error(refused)["remaining"] == 0
    # Its report is the parent view without children.
    report = api.report(world.U.id, "U-A").json()
    assert report["view"] == "parent" and report["children"] == []
    assert (pool_of(report)["quantity"], pool_of(report)["own_use"]) == (2, 2)


def test_operator_changes_the_source_keeps_history_and_releases_the_old_pools_use(
    api, world, session, audit
):
    api.grant_ok(world.P.id, quantity=10)
    api.grant_ok(world.S.id, quantity=4)
    api.use_ok(world.S.id, "S-U", add=6)
    api.use_ok(world.T.id, "T-A", add=2)

    changed = api.set_source(world.S.id, "own")
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"source": "own"}
    assert get_source(api, world, world.S) == "own"
    # S's 6 units went back to P's pool; T's use is untouched.
    pool = pool_of(api.report(world.P.id, "P-A").json())
    assert pool["used"] == 2
    assert children_use(pool) == {"Sub-org S": 0, "Sibling T": 2}
    # S now draws on its own license of 4.
    assert api.use_ok(world.S.id, "S-U", add=4) == 4
    assert api.use(world.S.id, "S-U", add=1).status_code == 409

    back = api.set_source(world.S.id, "parent_pool")
    assert back.status_code == 200, back.text
    assert get_source(api, world, world.S) == "parent_pool"
    assert api.use_ok(world.S.id, "S-U", add=1) == 1  # fresh against P's pool
    report = api.report(world.P.id, "P-A").json()
    assert pool_of(report)["used"] == 3
    (s_summary,) = [c for c in report["children"] if c["org_name"] == "Sub-org S"]
    assert s_summary["license_source"] == "parent_pool"
    assert s_summary["own_pools"][0]["used"] == 0  # released from its own pool too

    session.expire_all()
    history = session.scalars(
        select(LicenseSourceChange)
        .where(LicenseSourceChange.org_id == world.S.id)
        .order_by(LicenseSourceChange.at)
    ).all()
    session.commit()  # end the read before the next one
    assert [h.source for h in history] == ["own", "parent_pool"]
    assert all(h.changed_by == world.accounts["OP"].id for h in history)
    events = audit("license.source_changed", world.S.id)
    assert [e.details["source"] for e in events] == [
        {"from": "parent_pool", "to": "own"},
        {"from": "own", "to": "parent_pool"},
    ]
    assert events[0].details["released"] == {"mon": 6}
    assert events[1].details["released"] == {"mon": 4}


def test_setting_the_same_source_again_changes_nothing(api, world, session, audit):
    assert api.set_source(world.S.id, "parent_pool").status_code == 200
    session.expire_all()
    assert session.scalars(select(LicenseSourceChange)).all() == []
    assert audit("license.source_changed") == []


@pytest.mark.parametrize("org", ["P", "U"])
def test_only_sub_orgs_have_a_license_source(api, world, org):
    response = api.set_source(getattr(world, org).id, "parent_pool")
    assert response.status_code == 422, response.text
    assert error(response)["code"] == "not_a_sub_org"


def test_only_operators_change_a_license_source(api, world):
    statuses = {"P-PA": 403, "P-A": 403, "S-PA": 403, "S-A": 403, "T-A": 404, "anon": 401}
    assert_statuses(statuses, lambda actor: api.set_source(world.S.id, "own", actor=actor))
    assert get_source(api, world, world.S) == "parent_pool"


# --- Quotas ------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["P-PA", "P-A", "OP"])
def test_partner_admins_set_and_clear_a_quota(api, world, audit, actor):
    api.grant_ok(world.P.id, quantity=100)
    response = api.set_quota(world.S.id, actor, 5)
    assert response.status_code == 200, response.text
    assert response.json() == {"sku": "mon", "max_units": 5}
    assert api.use(world.S.id, "S-U", add=6).status_code == 409
    assert api.set_quota(world.S.id, actor, 8).json()["max_units"] == 8

    cleared = api.set_quota(world.S.id, actor, None)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json() == {"sku": "mon", "max_units": None}
    assert api.use_ok(world.S.id, "S-U", add=60) == 60
    events = audit("license.quota_changed", world.S.id)
    assert [e.details["max_units"] for e in events] == [
        {"from": None, "to": 5},
        {"from": 5, "to": 8},
        {"from": 8, "to": None},
    ]


def test_others_cannot_set_a_quota(api, world):
    api.grant_ok(world.P.id, quantity=100)
    statuses = {
        "S-PA": 403,
        "S-A": 403,
        "S-U": 403,
        "P-U": 403,
        "P-RO": 403,
        "P-X": 404,
        "T-A": 404,
        "U-A": 404,
        "anon": 401,
    }
    assert_statuses(statuses, lambda actor: api.set_quota(world.S.id, actor, 0))
    assert api.use_ok(world.S.id, "S-U", add=50) == 50


def test_a_quota_needs_a_sub_org(api, world):
    response = api.set_quota(world.P.id, "P-A", 5)
    assert response.status_code == 422
    assert error(response)["code"] == "not_a_sub_org"


def test_a_quota_caps_a_child_below_the_pool(api, world, session, audit):
    api.grant_ok(world.P.id, quantity=100)
    api.set_quota(world.S.id, "P-A", 30)
    assert api.use_ok(world.S.id, "S-U", add=25) == 25
    refused = api.use(world.S.id, "S-U", add=6)
    assert refused.status_code == 409
    assert error(refused)["code"] == "quota_exceeded"
    assert error(refused)["quota_remaining"] == 5
    assert api.use_ok(world.S.id, "S-U", add=5) == 30
    # The sibling has no quota and uses the rest of the pool.
    assert api.use_ok(world.T.id, "T-A", add=70) == 70
    report = api.report(world.P.id, "P-A").json()
    quotas = {c["org_name"]: c["quota"] for c in pool_of(report)["children"]}
    assert quotas == {"Sub-org S": 30, "Sibling T": None}
    (event,) = audit("usage.refused", world.S.id)
    assert event.details["reason"] == "quota_exceeded"


def test_lowering_a_quota_below_use_keeps_the_use_but_refuses_more(api, world):
    api.grant_ok(world.P.id, quantity=100)
    api.use_ok(world.S.id, "S-U", add=20)
    api.set_quota(world.S.id, "P-A", 10)
    refused = api.use(world.S.id, "S-U", add=1)
    assert refused.status_code == 409 and error(refused)["quota_remaining"] == 0
    assert api.use_ok(world.S.id, "S-U", set=10) == 10


# --- Overage and refusals ----------------------------------------------------


def test_allow_and_flag_lets_use_go_over_and_flags_it(api, world, audit):
    api.grant_ok(world.P.id, quantity=10, overage_policy="allow_and_flag")
    api.use_ok(world.T.id, "T-A", add=8)
    response = api.use(world.S.id, "S-U", add=5)
    assert response.status_code == 200, response.text
    # The customer is not told the partner's pool went over; the partner is.
    assert response.json() == {"sku": "mon", "consumed": 5, "over_quantity": None}
    assert api.use(world.S.id, "P-A", add=0).json()["over_quantity"] is True

    (event,) = audit("usage.overage")
    assert event.org_id == world.S.id
    assert event.details["units"] == 5

    pool = pool_of(api.report(world.P.id, "P-A").json())
    assert pool["quantity"] == 10 and pool["used"] == 13 and pool["remaining"] == -3
    assert pool["over_quantity"] is True and pool["overage_allowed"] is True
    csv_text = api.report(world.P.id, "P-A", format="csv").text
    assert ",-3," in csv_text

    # Coming back under the quantity clears the flag.
    assert api.use(world.S.id, "P-A", release=4).json()["over_quantity"] is False
    pool = pool_of(api.report(world.P.id, "P-A").json())
    assert pool["remaining"] == 1 and pool["over_quantity"] is False


def test_a_refused_over_allocation_is_audited_though_the_request_failed(api, world, session, audit):
    api.grant_ok(world.P.id, quantity=10)
    api.use_ok(world.S.id, "S-U", add=10)
    refused = api.use(world.S.id, "S-U", add=2)
    assert refused.status_code == 409
    assert error(refused)["code"] == "pool_exhausted"
    (event,) = audit("usage.refused", world.S.id)
    assert event.actor_id == world.accounts["S-U"].id
    assert event.details["requested"] == {"add": 2}
    assert event.details["current"] == 10
    assert event.details["reason"] == "pool_exhausted"
    # ...and nothing else of the request stuck.
    pool = pool_of(api.report(world.P.id, "P-A").json())
    assert pool["used"] == 10


def test_a_refusal_for_an_invalid_amount_is_422_and_not_audited(api, world, audit):
    api.grant_ok(world.P.id, quantity=10)
    api.use_ok(world.S.id, "S-U", add=3)
    response = api.use(world.S.id, "S-U", release=4)
    assert response.status_code == 422
    assert error(response)["field"] == "release"
    assert audit("usage.refused") == []


def test_usage_takes_exactly_one_whole_non_negative_amount(api, world):
    api.grant_ok(world.P.id, quantity=10)
    bodies = [{}, {"set": 1, "add": 1}, {"add": -1}, {"release": -2}, {"set": "many"}, {"add": 1.5}]
    for body in bodies:
        response = api.client.post(
            f"/api/v1/orgs/{world.S.id}/usage",
            json={"sku": "mon", **body},
            headers=world.headers("S-U"),
        )
        assert response.status_code == 422, (body, response.text)
        assert error(response)["code"] == "invalid"


def test_set_add_and_release_move_the_use(api, world):
    api.grant_ok(world.P.id, quantity=200)
    assert api.use_ok(world.S.id, "S-U", set=142) == 142
    assert api.use_ok(world.S.id, "S-U", add=8) == 150
    assert api.use_ok(world.S.id, "S-U", release=50) == 100
    assert api.use_ok(world.S.id, "S-U", set=0) == 0


# --- Who may report usage ----------------------------------------------------


def test_who_may_report_usage_in_a_sub_org(api, world):
    api.grant_ok(world.P.id, quantity=100)
    statuses = {
        "OP": 200,
        "P-PA": 200,
        "P-A": 200,
        "P-U": 200,
        "S-PA": 200,
        "S-A": 200,
        "S-U": 200,
        "P-RO": 403,
        "S-RO": 403,
        "P-X": 404,
        "T-A": 404,
        "U-A": 404,
        "anon": 401,
    }
    assert_statuses(statuses, lambda actor: api.use(world.S.id, actor, add=1))
    # Only the allowed calls counted.
    allowed = sum(1 for status in statuses.values() if status == 200)
    pool = pool_of(api.report(world.P.id, "P-A").json())
    assert children_use(pool) == {"Sub-org S": allowed}


def test_customer_refused_members_cannot_report_usage(session, identity, client):
    world = build_world(session, identity, refuse_s=True)
    session.commit()
    response = client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "add": 1},
        headers=world.headers("S-U"),
    )
    assert response.status_code == 403
    assert error(response)["code"] == "customer_access_refused"


def test_an_api_token_of_an_org_user_reports_usage(api, world, session, identity):
    # A sign-in token from POST /auth/login works like any bearer token.
    api.grant_ok(world.P.id, quantity=10)
    login = api.client.post(
        "/api/v1/auth/login", json={"email": "s-u@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    response = api.client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "add": 2},
        headers=bearer(login.json()["access_token"]),
    )
    assert response.status_code == 200, response.text


# --- Resellers ---------------------------------------------------------------


def test_a_reseller_sub_org_consumes_its_own_licenses_apart_from_its_parent(
    api, world, session, identity
):
    reseller = make_partner(session, name="Reseller R", partner_type=PartnerType.RESELLER)
    child = make_sub_org(session, reseller, name="Reseller child C")
    child_admin = make_member(session, identity, child, role=Role.ADMIN)
    reseller_admin = make_member(session, identity, reseller, role=Role.ADMIN)
    child_headers = bearer(issue_token(session, identity, child_admin.account))
    reseller_headers = bearer(issue_token(session, identity, reseller_admin.account))
    session.commit()

    api.grant_ok(reseller.id, quantity=3)
    # Without a license of its own, the child cannot draw on the parent's.
    response = api.client.post(
        f"/api/v1/orgs/{child.id}/usage", json={"sku": "mon", "add": 1}, headers=child_headers
    )
    assert response.status_code == 409 and error(response)["code"] == "no_license"

    api.grant_ok(child.id, quantity=50)
    response = api.client.post(
        f"/api/v1/orgs/{child.id}/usage", json={"sku": "mon", "add": 40}, headers=child_headers
    )
    assert response.status_code == 200, response.text
    # The child holds its own pool: a refusal tells it what is left.
    refused = api.client.post(
        f"/api/v1/orgs/{child.id}/usage", json={"sku": "mon", "add": 11}, headers=child_headers
    )
    assert refused.status_code == 409 and error(refused)["remaining"] == 10

    report = api.client.get(f"/api/v1/orgs/{reseller.id}/license-report", headers=reseller_headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert pool_of(body)["quantity"] == 3
    assert pool_of(body)["used"] == 0 and pool_of(body)["children"] == []
    (summary,) = body["children"]
    assert summary["license_source"] == "own"
    (own,) = summary["own_pools"]
    assert own["quantity"] == 50 and own["used"] == 40 and own["remaining"] == 10

    child_report = api.client.get(f"/api/v1/orgs/{child.id}/license-report", headers=child_headers)
    (item,) = child_report.json()["items"]
    assert item["source"] == "own" and item["used"] == 40
    assert item["pool"]["quantity"] == 50 and item["pool"]["remaining"] == 10

    session.expire_all()
    pools = {
        p.holder_org_id: p.used
        for p in session.scalars(select(LicensePool).where(LicensePool.sku == "mon"))
    }
    assert pools == {reseller.id: 0, child.id: 40}


def test_a_standard_orgs_members_report_usage_against_its_own_pool(api, world, session, identity):
    org = make_org(session)
    user = make_member(session, identity, org, role=Role.USER)
    headers = bearer(issue_token(session, identity, user.account))
    session.commit()
    api.grant_ok(org.id, quantity=5)
    response = api.client.post(
        f"/api/v1/orgs/{org.id}/usage", json={"sku": "mon", "set": 5}, headers=headers
    )
    assert response.status_code == 200, response.text
