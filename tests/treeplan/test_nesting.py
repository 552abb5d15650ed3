"""Placing reached orgs into the file (plain): the roots are the orgs whose
parent is not reached and that may stand at the top; the rest nest below."""

from __future__ import annotations

from typing import Any

from tenantree.orgs.kinds import PartnerType
from tenantree.treeplan.nesting import Reached, nest
from treeplan.trees import sfid

Row = dict[str, Any]


class _Fields:
    def own(self, org: Row) -> dict[str, Any]:
        return {"salesforce_id": org["sfid"], "name": org["name"]}

    def as_customer(self, org: Row, partner: Row) -> dict[str, Any]:
        return self.own(org) | {"customer_name": f"{org['name']} of {partner['name']}"}


def _org(
    key: str,
    parent: str | None,
    n: int,
    partner_type: PartnerType | None = None,
) -> Reached[Row]:
    row = {"sfid": sfid(n), "name": key}
    return Reached(key, parent, parent is not None, partner_type, row)


DISTRIBUTOR = _org("D", None, 1, PartnerType.DISTRIBUTOR)
TIER_TWO = _org("R", "D", 2, PartnerType.MSP)
CUSTOMER = _org("C", "R", 3)
PLAIN_SUB_ORG = _org("S", "D", 4)


def test_the_whole_tree_nests_three_tiers_under_the_top_level_org() -> None:
    tree = nest([DISTRIBUTOR, TIER_TWO, CUSTOMER, PLAIN_SUB_ORG], _Fields())
    [top] = tree.orgs
    assert [sub.name for sub in top.sub_orgs] == ["R", "S"]
    assert [c.customer_name for c in top.sub_orgs[0].sub_orgs] == ["C of R"]


def test_a_tier_two_partner_without_its_distributor_is_the_top_with_its_own_fields() -> None:
    tree = nest([TIER_TWO, CUSTOMER], _Fields())
    [top] = tree.orgs
    assert (top.name, top.partner_type) == ("R", PartnerType.MSP)
    # Never the distributor's customer name for it: the top entry has none.
    assert "customer_name" not in top.model_dump()
    assert [c.customer_name for c in top.sub_orgs] == ["C of R"]


def test_a_customer_without_its_partner_has_no_place() -> None:
    assert nest([CUSTOMER, PLAIN_SUB_ORG], _Fields()).orgs == []
