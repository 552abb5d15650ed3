"""A distributor's three tiers in the tree file: its tier-2 partners (their
partner type) and their customers, exported, planned and applied."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenantree.orgs.models import Org
from tenantree.treeplan.apply import ApplyRefused
from tenantree.treeplan.current import read_tree
from tenantree.treeplan.diff import Action, TreeDiff
from tenantree.treeplan.document import PartnerSpec, Tree, TreeFileError, dump_tree, parse_tree
from treeplan.conftest import Apply
from treeplan.trees import distributor, msp, sfid, sub_org, tier_two

Plan = Callable[[Tree], TreeDiff]


def _tree(msp_customers: tuple[int, ...] = (11, 12)) -> Tree:
    return Tree(
        orgs=[
            distributor(
                [
                    tier_two(1, list(msp_customers), quotas={"endpoint-protection": 30}),
                    tier_two(2, [21], partner_type="reseller"),
                    sub_org(3),
                ]
            )
        ]
    )


def _org(sessions: sessionmaker[Session], salesforce_id: str) -> Org:
    with sessions() as session:
        org = session.scalar(select(Org).where(Org.salesforce_id == salesforce_id))
        assert org is not None
        return org


def test_apply_creates_tier_two_partners_and_their_customers(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    result = apply(_tree())
    assert len(result.applied) == 7
    tier2 = _org(sessions, sfid(1, tag="TIER"))
    assert (tier2.partner_type, tier2.depth) == ("msp", 1)
    assert _org(sessions, sfid(2, tag="TIER")).partner_type == "reseller"
    customer = _org(sessions, sfid(11))
    assert (customer.parent_id, customer.depth) == (tier2.id, 2)
    assert _org(sessions, sfid(3)).partner_type is None
    assert plan(_tree()).changed == []
    assert apply(_tree()).applied == []


def test_export_nests_customers_under_their_tier_two_partner(
    apply: Apply, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    with sessions() as session:
        text = dump_tree(read_tree(session))
    exported = parse_tree(text)
    tiers = {sub.salesforce_id: sub for sub in exported.orgs[0].sub_orgs}
    msp_tier = tiers[sfid(1, tag="TIER")]
    assert msp_tier.partner_type == "msp"
    assert msp_tier.quotas == {"endpoint-protection": 30}
    assert [c.salesforce_id for c in msp_tier.sub_orgs] == [sfid(11), sfid(12)]
    # An MSP's customers share its pool: the default, left out of the file.
    assert msp_tier.sub_orgs[0].license_source is None
    assert [c.salesforce_id for c in tiers[sfid(2, tag="TIER")].sub_orgs] == [sfid(21)]
    assert tiers[sfid(3)].partner_type is None and tiers[sfid(3)].sub_orgs == []


def test_a_tier_three_customer_is_updated_alone(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    changed = _tree(msp_customers=(11,))
    tier = changed.orgs[0].sub_orgs[0]
    renamed = tier.sub_orgs[0].model_copy(update={"name": "Renamed", "quotas": {"backup": 2}})
    changed.orgs[0].sub_orgs[0] = tier.model_copy(update={"sub_orgs": [renamed, sub_org(12)]})
    diff = plan(changed)
    assert [(o.salesforce_id, o.parent_salesforce_id) for o in diff.changed] == [
        (sfid(11), sfid(1, tag="TIER"))
    ]
    apply(changed)
    assert _org(sessions, sfid(11)).name == "Renamed"
    assert plan(changed).changed == []


def test_a_customer_created_under_an_existing_tier_two_partner(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    grown = _tree(msp_customers=(11, 12, 13))
    assert [(o.salesforce_id, o.action) for o in plan(grown).changed] == [(sfid(13), Action.CREATE)]
    apply(grown)
    assert _org(sessions, sfid(13)).parent_id == _org(sessions, sfid(1, tag="TIER")).id
    assert plan(grown).changed == []


def test_prune_deactivates_a_dropped_tier_two_partner_after_its_customers(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    smaller = Tree(orgs=[distributor([tier_two(1, [11], quotas={"endpoint-protection": 30})])])
    dropped = [o.salesforce_id for o in plan(smaller).changed]
    # Deepest first: the customers, then the tier-2 partner and the plain sub-org.
    assert dropped[:2] == [sfid(12), sfid(21)] or dropped[:2] == [sfid(21), sfid(12)]
    assert set(dropped[2:]) == {sfid(2, tag="TIER"), sfid(3)}
    assert apply(smaller).applied == []
    assert _org(sessions, sfid(21)).status == "active"
    apply(smaller, prune=True)
    statuses = [_org(sessions, s).status for s in (sfid(12), sfid(21), sfid(2, tag="TIER"))]
    assert statuses == ["deactivated"] * 3
    assert _org(sessions, sfid(11)).status == "active"
    assert plan(smaller).changed == []


def test_a_tier_two_partner_deactivated_with_its_customers_suspends_them(
    apply: Apply, plan: Plan, sessions: sessionmaker[Session]
) -> None:
    apply(_tree())
    off = tier_two(
        1,
        [],
        status="deactivated",
        quotas={"endpoint-protection": 30},
        sub_orgs=[sub_org(11, status="deactivated"), sub_org(12, status="deactivated")],
    )
    tree = Tree(orgs=[distributor([off, tier_two(2, [21], partner_type="reseller"), sub_org(3)])])
    apply(tree)
    assert [_org(sessions, sfid(n)).deactivated_with_partner for n in (11, 12)] == [True, True]
    assert plan(tree).changed == []


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        # Only a distributor's customers can be partners.
        (lambda: msp([tier_two(1, [])]), "only a distributor's customers can be partners"),
        (lambda: distributor([tier_two(1, [], partner_type="distributor")]), "msp or reseller"),
        (lambda: distributor([tier_two(1, [11], partner_type=None)]), "sub_orgs need"),
    ],
)
def test_the_file_refuses_partners_where_the_tiers_allow_none(
    tree: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        tree()


def test_a_tier_three_customer_cannot_be_a_partner() -> None:
    data = yaml.safe_load(dump_tree(_tree()))
    data["orgs"][0]["sub_orgs"][0]["sub_orgs"][0]["partner_type"] = "msp"
    with pytest.raises(TreeFileError) as caught:
        parse_tree(yaml.safe_dump(data))
    assert caught.value.field == "orgs[0].sub_orgs[0].sub_orgs[0].partner_type"


def test_a_tier_two_partners_own_file_applied_locally_is_a_refused_move(
    apply: Apply, plan: Plan
) -> None:
    apply(_tree())
    tier = _tree().orgs[0].sub_orgs[0]
    own_fields = tier.model_dump(exclude={"customer_name", "license_source", "quotas", "access"})
    own_file = Tree(orgs=[PartnerSpec.model_validate(own_fields)])
    with pytest.raises(ApplyRefused) as refused:
        apply(own_file, prune=True)
    assert (refused.value.change.what, refused.value.error.code) == (
        "parent",
        "not_supported_by_tree",
    )
    assert refused.value.applied == []
    assert plan(_tree()).changed == []
