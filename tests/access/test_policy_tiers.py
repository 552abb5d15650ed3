"""The policy over a three-tier tree: a distributor D, its tier-2 partner T (a
reseller, still D's sub-org) and T's customer C, beside a sibling at each level.

Partner roles reach down the whole subtree; each level's primary admin alone
controls its own children's access; a higher level's primary admin always
reaches below; no sibling sees another. Plain facts in, answers out.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tenantree import clock
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    Actor,
    Block,
    MembershipFact,
    OrgFacts,
    decide,
    granted,
    partner_reaches_until,
    sees_pool_figures,
)
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

P = Permission
D, T, C, T_SIBLING, C_SIBLING, D_SIBLING = (uuid.uuid4() for _ in range(6))


def entry(org_id, role=Role.ADMIN, *, primary=False, active=True, org_active=True):
    return MembershipFact(uuid.uuid4(), org_id, role, primary, active, org_active)


def actor(*entries):
    return Actor(uuid.uuid4(), False, {e.org_id: e for e in entries})


def tier_two(**kw) -> OrgFacts:
    fields = {"active": True, **kw}
    return OrgFacts(id=T, kind=OrgKind.SUB_ORG, parent_id=D, **fields)


def customer(parent: OrgFacts | None = None, **kw) -> OrgFacts:
    return OrgFacts(
        id=C, kind=OrgKind.SUB_ORG, parent_id=T, active=True, parent=parent or tier_two(), **kw
    )


def test_distributor_staff_reach_a_tier_two_partners_customer() -> None:
    staff = actor(entry(D, Role.USER))
    decision = decide(staff, P.ORG_VIEW, customer())
    assert decision.allowed
    assert decision.via_org_id == D


def test_tier_two_staff_reach_their_customer_and_not_their_distributor() -> None:
    staff = actor(entry(T, Role.ADMIN))
    assert decide(staff, P.ORG_USERS_MANAGE, customer()).allowed
    distributor = OrgFacts(id=D, kind=OrgKind.PARTNER, parent_id=None, active=True)
    assert not decide(staff, P.ORG_VIEW, distributor).visible


def test_a_customer_never_reaches_its_tier_two_partner_or_distributor() -> None:
    own = actor(entry(C, Role.ADMIN))
    assert not decide(own, P.ORG_VIEW, tier_two()).visible
    distributor = OrgFacts(id=D, kind=OrgKind.PARTNER, parent_id=None, active=True)
    assert not decide(own, P.ORG_VIEW, distributor).visible


@pytest.mark.parametrize("sibling", [D_SIBLING, T_SIBLING, C_SIBLING])
def test_no_sibling_at_any_level_sees_the_customer(sibling: uuid.UUID) -> None:
    for role in Role:
        assert not decide(actor(entry(sibling, role, primary=True)), P.ORG_VIEW, customer()).visible


def test_a_sibling_tier_two_partner_does_not_see_the_other() -> None:
    other = OrgFacts(id=T_SIBLING, kind=OrgKind.SUB_ORG, parent_id=D, active=True)
    assert not decide(actor(entry(T, primary=True)), P.ORG_VIEW, other).visible


def test_distributor_staff_do_not_pass_a_customer_restricted_to_named_tier_two_users() -> None:
    restricted = customer(partner_users=frozenset())
    assert not decide(actor(entry(D, Role.ADMIN)), P.ORG_VIEW, restricted).visible


def test_distributor_staff_do_not_pass_a_tier_two_partner_that_keeps_them_out() -> None:
    closed = customer(tier_two(partner_users=frozenset()))
    assert not decide(actor(entry(D, Role.ADMIN)), P.ORG_VIEW, closed).visible


def test_distributor_staff_pass_while_the_customers_wide_window_is_open() -> None:
    now = clock.utcnow()
    open_ = customer(partner_users=frozenset(), partner_access_until=now + timedelta(hours=1))
    over = customer(partner_users=frozenset(), partner_access_until=now - timedelta(minutes=1))
    staff = actor(entry(D, Role.USER))
    assert decide(staff, P.ORG_VIEW, open_).allowed
    assert not decide(staff, P.ORG_VIEW, over).visible


def test_the_distributors_primary_admin_always_reaches_below() -> None:
    closed = customer(tier_two(partner_users=frozenset()), partner_users=frozenset())
    assert decide(actor(entry(D, primary=True)), P.ORG_USERS_MANAGE, closed).allowed


def test_only_the_direct_partners_primary_admin_controls_a_customers_access() -> None:
    assert decide(actor(entry(T, primary=True)), P.ORG_ACCESS_MANAGE, customer()).allowed
    above = decide(actor(entry(D, primary=True)), P.ORG_ACCESS_MANAGE, customer())
    assert above.visible and not above.allowed
    # ...while the distributor's primary admin controls its own child's, the tier-2 partner's.
    assert decide(actor(entry(D, primary=True)), P.ORG_ACCESS_MANAGE, tier_two()).allowed


def test_a_deactivated_tier_two_partner_blocks_the_way_from_above() -> None:
    down = customer(tier_two(active=False))
    decision = decide(actor(entry(D, primary=True)), P.ORG_VIEW, down)
    assert decision.visible and decision.denial_code == Block.ORG_DEACTIVATED


def test_a_refused_tier_two_partners_staff_reach_neither_it_nor_its_customers() -> None:
    refused = tier_two(customer_access_refused=True)
    staff = actor(entry(T, primary=True))
    assert decide(staff, P.ORG_VIEW, refused).denial_code == Block.CUSTOMER_ACCESS_REFUSED
    assert decide(staff, P.ORG_VIEW, customer(refused)).denial_code == Block.CUSTOMER_ACCESS_REFUSED
    # The distributor's staff still reach below it.
    assert decide(actor(entry(D, Role.USER)), P.ORG_VIEW, customer(refused)).allowed


def test_pool_figures_above_a_level_stay_hidden_from_it() -> None:
    # T's own staff see the figures of the pool T's customer draws on (T's own);
    # the distributor's admins do too (their subtree); C's own users never.
    assert sees_pool_figures(actor(entry(T)), customer())
    assert sees_pool_figures(actor(entry(D)), customer())
    assert not sees_pool_figures(actor(entry(C)), customer())
    # A tier-2 partner's own staff never see the distributor's pool it draws on.
    assert not sees_pool_figures(actor(entry(T)), tier_two())
    assert sees_pool_figures(actor(entry(D)), tier_two())


def test_a_role_reaching_from_above_grants_no_more_than_it_does_one_level_down() -> None:
    for role in Role:
        from_above = granted(actor(entry(D, role)), customer())
        direct = granted(actor(entry(T, role)), customer())
        assert from_above <= direct


def test_the_customer_is_shown_the_first_end_along_a_path_from_above() -> None:
    now = clock.utcnow()
    sooner, later = now + timedelta(hours=1), now + timedelta(hours=5)
    down = customer(
        tier_two(partner_users=frozenset(), partner_access_until=later),
        partner_users=frozenset(),
        partner_access_until=sooner,
    )
    assert partner_reaches_until(down, entry(D, Role.USER)) == (True, sooner)
    assert partner_reaches_until(down, entry(D, primary=True)) == (True, None)
    assert partner_reaches_until(customer(), entry(D_SIBLING)) == (False, None)
