"""Distributors and tier-2 partners through the API: who may become what, and where."""

from __future__ import annotations

from typing import Any

import pytest

ORGS = "/api/v1/orgs"


def _error(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return response.json()["error"]  # type: ignore[no-any-return]


def _tier_two(orgs_api, partner_type: str = "reseller") -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    distributor = orgs_api.partner("distributor")
    customer = orgs_api.sub_org(distributor["id"])
    response = orgs_api.activate(customer["id"], partner_type)
    assert response.status_code == 200, response.text
    return distributor, response.json()


def test_the_operator_activates_a_distributor(orgs_api) -> None:
    distributor = orgs_api.partner("distributor")
    assert distributor["kind"] == "partner"
    assert distributor["partner_type"] == "distributor"
    assert distributor["depth"] == 0


@pytest.mark.parametrize("partner_type", ["msp", "reseller"])
def test_a_distributors_customer_becomes_a_tier_two_partner(orgs_api, partner_type: str) -> None:
    distributor, tier_two = _tier_two(orgs_api, partner_type)
    # Still the distributor's sub-org (its settings for it still apply), now a partner.
    assert tier_two["kind"] == "sub_org"
    assert tier_two["partner_type"] == partner_type
    assert tier_two["parent_id"] == distributor["id"]
    assert tier_two["depth"] == 1


def test_a_tier_two_partner_has_customers_of_its_own(orgs_api, client) -> None:
    _, tier_two = _tier_two(orgs_api, "msp")
    customer = orgs_api.sub_org(tier_two["id"])
    assert customer["parent_id"] == tier_two["id"]
    assert customer["depth"] == 2
    # An MSP's customers link to it through its Salesforce account, at any tier.
    assert customer["partner_salesforce_id"] == tier_two["salesforce_id"]
    listed = client.get(f"{ORGS}/{tier_two['id']}/sub-orgs", headers=orgs_api.headers).json()
    assert [o["id"] for o in listed["items"]] == [customer["id"]]


def test_a_distributors_customer_cannot_become_a_distributor(orgs_api) -> None:
    distributor = orgs_api.partner("distributor")
    customer = orgs_api.sub_org(distributor["id"])
    response = orgs_api.activate(customer["id"], "distributor")
    assert response.status_code == 422
    assert _error(response)["field"] == "partner_type"
    assert "not a distributor" in _error(response)["message"]


@pytest.mark.parametrize("parent_type", ["msp", "reseller"])
def test_a_customer_of_an_msp_or_reseller_cannot_become_a_partner(
    orgs_api, parent_type: str
) -> None:
    customer = orgs_api.sub_org(orgs_api.partner(parent_type)["id"])
    response = orgs_api.activate(customer["id"], "msp")
    assert response.status_code == 422
    assert _error(response)["code"] == "not_eligible_for_partner"
    assert "only under a distributor" in _error(response)["message"]


def test_a_tier_three_customer_cannot_become_a_partner(orgs_api) -> None:
    _, tier_two = _tier_two(orgs_api)
    customer = orgs_api.sub_org(tier_two["id"])
    response = orgs_api.activate(customer["id"], "reseller")
    assert response.status_code == 422
    assert _error(response)["code"] == "not_eligible_for_partner"


def test_activating_a_tier_two_partner_is_audited_in_both_levels(orgs_api, client) -> None:
    distributor, tier_two = _tier_two(orgs_api)
    for org_id in (tier_two["id"], distributor["id"]):
        events = client.get(
            f"{ORGS}/{org_id}/audit-events",
            params={"action": "org.partner_activated"},
            headers=orgs_api.headers,
        ).json()["items"]
        assert tier_two["id"] in [e["target_id"] for e in events]
