"""The database holds the tree's depth: a child is its parent's depth plus one,
no org is deeper than MAX_DEPTH, and only a top-level org is a distributor.

Written around the services, straight to the rows, so each test shows the
constraint itself refusing (on every test backend).
"""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factories import make_partner, make_sub_org, salesforce_id
from tenantree.orgs.kinds import MAX_DEPTH, OrgKind, PartnerType
from tenantree.orgs.models import Org


def _child(parent: Org, **columns: object) -> Org:
    fields: dict[str, object] = {
        "name": "Too deep",
        "kind": OrgKind.SUB_ORG,
        "salesforce_id": salesforce_id(),
        "parent_id": parent.id,
        "parent_depth": parent.depth,
        "depth": parent.depth + 1,
    }
    fields.update(columns)
    return Org(**fields)


def _refused(session: Session, org: Org) -> None:
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(org)
        session.flush()


def test_a_child_one_level_below_its_parent_is_stored(session: Session) -> None:
    partner = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    tier_two = make_sub_org(session, partner)
    tier_three = make_sub_org(session, tier_two)
    assert (partner.depth, tier_two.depth, tier_three.depth) == (0, 1, 2)
    assert tier_three.parent_depth == tier_two.depth


def test_a_child_claiming_another_depth_than_its_parents_plus_one_is_refused(
    session: Session,
) -> None:
    partner = make_partner(session)
    _refused(session, _child(partner, depth=2))


def test_a_child_naming_a_wrong_parent_depth_is_refused(session: Session) -> None:
    # Consistent with itself (depth = parent_depth + 1) but not with the parent's row.
    partner = make_partner(session)
    _refused(session, _child(partner, parent_depth=1, depth=2))


def test_no_org_deeper_than_the_bound(session: Session) -> None:
    org = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    for _ in range(MAX_DEPTH):
        org = make_sub_org(session, org)
    assert org.depth == MAX_DEPTH
    _refused(session, _child(org))


def test_a_top_level_org_is_at_depth_zero(session: Session) -> None:
    partner = make_partner(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(update(Org).where(Org.id == partner.id).values(depth=1))


def test_a_sub_org_cannot_be_a_distributor(session: Session) -> None:
    partner = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    _refused(session, _child(partner, partner_type=PartnerType.DISTRIBUTOR))
