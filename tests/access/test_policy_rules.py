"""The rules moved into the policy from the layers that used to decide them:
pool figures, signing in, password sessions under mandatory SSO, API token
narrowing, SCIM token binding. Plain facts in, answers out."""

from __future__ import annotations

import uuid

from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    CREATOR_LACKS,
    Actor,
    Block,
    MembershipFact,
    OrgFacts,
    SignInRefusal,
    api_token_actor,
    breaks_glass,
    decide,
    decide_scim,
    granted,
    one_org_actor,
    password_reaches_nothing,
    password_session_keeps,
    sees_pool_figures,
    shows_pool,
    sign_in_refusal,
    sso_required_refusal,
    suspended_everywhere,
)
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

P = Permission
PARTNER, SUB, OTHER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def entry(org_id, role=Role.ADMIN, *, primary=False, active=True, org_active=True):
    return MembershipFact(uuid.uuid4(), org_id, role, primary, active, org_active)


def actor(*entries, operator=False, creator=None):
    return Actor(uuid.uuid4(), operator, {e.org_id: e for e in entries}, creator)


def sub_org(**kw):
    return OrgFacts(id=SUB, kind=OrgKind.SUB_ORG, parent_id=PARTNER, active=True, **kw)


PARTNER_ORG = OrgFacts(id=PARTNER, kind=OrgKind.PARTNER, parent_id=None, active=True)


# --- pool figures -----------------------------------------------------------


def test_partner_admins_see_the_partner_pool_figures_of_a_sub_org():
    assert sees_pool_figures(actor(entry(PARTNER)), sub_org())


def test_a_sub_orgs_own_admin_never_sees_the_partner_pool_figures():
    assert not sees_pool_figures(actor(entry(SUB)), sub_org())


def test_partner_users_without_the_report_permission_do_not_see_them():
    assert not sees_pool_figures(actor(entry(PARTNER, Role.USER)), sub_org())


def test_an_org_sees_the_figures_of_its_own_pools():
    assert sees_pool_figures(actor(entry(PARTNER, Role.USER)), PARTNER_ORG)


def test_operators_see_every_pools_figures():
    assert sees_pool_figures(actor(operator=True), sub_org())


def test_a_holder_is_always_shown_its_own_pool():
    assert shows_pool(False, holder_id=SUB, org_id=SUB)


def test_a_partners_pool_is_shown_only_to_who_sees_its_figures():
    assert not shows_pool(False, holder_id=PARTNER, org_id=SUB)
    assert shows_pool(True, holder_id=PARTNER, org_id=SUB)


def test_a_token_sees_pool_figures_only_if_its_creator_does():
    creator = actor(entry(PARTNER, Role.USER))
    token = actor(entry(PARTNER), creator=creator)
    assert not sees_pool_figures(token, sub_org())


# --- signing in -------------------------------------------------------------


def test_an_account_that_enters_an_org_may_sign_in():
    assert sign_in_refusal(actor(entry(SUB)), enters_an_org=True) is None


def test_operators_always_may_sign_in():
    assert sign_in_refusal(actor(operator=True), enters_an_org=False) is None


def test_no_membership_is_the_refusal_of_an_account_in_no_org():
    assert sign_in_refusal(actor(), enters_an_org=False) == SignInRefusal.NO_MEMBERSHIP


def test_every_org_deactivated_is_org_deactivated():
    refusal = sign_in_refusal(actor(entry(SUB, org_active=False)), enters_an_org=False)
    assert refusal == SignInRefusal.ORG_DEACTIVATED


def test_suspended_in_every_active_org_is_user_suspended():
    entries = (entry(SUB, active=False), entry(OTHER, org_active=False))
    refusal = sign_in_refusal(actor(*entries), enters_an_org=False)
    assert refusal == SignInRefusal.USER_SUSPENDED


def test_otherwise_the_customer_was_refused():
    refusal = sign_in_refusal(actor(entry(SUB)), enters_an_org=False)
    assert refusal == SignInRefusal.CUSTOMER_ACCESS_REFUSED


def test_suspended_everywhere_needs_every_entry_suspended():
    assert suspended_everywhere(actor(entry(SUB, active=False)))
    assert not suspended_everywhere(actor(entry(SUB, active=False), entry(OTHER)))
    assert not suspended_everywhere(actor())


def test_a_password_session_drops_entries_in_orgs_that_mandate_sso_except_for_operators():
    assert not password_session_keeps(is_operator=False, sso_required=True)
    assert password_session_keeps(is_operator=False, sso_required=False)
    assert password_session_keeps(is_operator=False, sso_required=None)
    assert password_session_keeps(is_operator=True, sso_required=True)


# --- API tokens -------------------------------------------------------------


def test_a_token_acts_only_with_its_own_entry_and_never_as_an_operator():
    own = actor(entry(SUB), entry(OTHER), operator=True)
    token = api_token_actor(SUB, own, None)
    assert not token.is_operator and set(token.memberships) == {SUB}


def test_a_token_may_do_what_its_entry_and_its_creator_both_may():
    creator = actor(entry(PARTNER))
    token = api_token_actor(SUB, actor(entry(SUB)), creator)
    assert decide(token, P.ORG_USERS_MANAGE, sub_org()).allowed


def test_a_token_whose_creator_lacks_a_permission_is_refused_it():
    creator = actor(entry(SUB, Role.READ_ONLY))
    token = api_token_actor(SUB, actor(entry(SUB)), creator)
    decision = decide(token, P.ORG_USERS_MANAGE, sub_org())
    assert not decision.allowed and decision.denial_code == CREATOR_LACKS
    assert decide(token, P.ORG_VIEW, sub_org()).allowed


def test_a_token_whose_creator_left_the_partners_list_is_refused():
    creator_entry = entry(PARTNER)
    creator = actor(creator_entry)
    token = api_token_actor(SUB, actor(entry(SUB)), creator)
    org = sub_org(partner_users=frozenset())
    assert decide(token, P.ORG_VIEW, org).denial_code == CREATOR_LACKS


def test_a_tokens_grants_are_bounded_by_its_creators():
    creator = actor(entry(SUB, Role.USER))
    token = api_token_actor(SUB, actor(entry(SUB)), creator)
    assert granted(token, sub_org()) == granted(creator, sub_org())


def test_a_tokens_own_refusal_comes_first():
    creator = actor(entry(PARTNER))
    token = api_token_actor(SUB, actor(entry(SUB)), creator)
    decision = decide(token, P.ORG_VIEW, sub_org(customer_access_refused=True))
    assert decision.denial_code == Block.CUSTOMER_ACCESS_REFUSED.value


# --- SCIM tokens ------------------------------------------------------------


def test_a_scim_token_serves_only_its_own_org():
    assert not decide_scim(OTHER, None, sub_org()).visible


def test_a_scim_token_of_a_refused_customer_is_refused():
    decision = decide_scim(SUB, actor(entry(PARTNER)), sub_org(customer_access_refused=True))
    assert decision.denial_code == Block.CUSTOMER_ACCESS_REFUSED.value


def test_a_scim_token_of_a_deactivated_org_is_refused():
    org = OrgFacts(id=SUB, kind=OrgKind.SUB_ORG, parent_id=PARTNER, active=False)
    assert decide_scim(SUB, None, org).denial_code == Block.ORG_DEACTIVATED.value


def test_a_scim_token_needs_its_creator_to_manage_users_now():
    assert decide_scim(SUB, actor(entry(SUB)), sub_org()).allowed
    refused = decide_scim(SUB, actor(entry(SUB, active=False)), sub_org())
    assert refused.denial_code == CREATOR_LACKS


def test_a_password_reaches_nothing_when_every_active_entry_mandates_sso():
    assert password_reaches_nothing(is_operator=False, entries=[(True, False), (True, False)])
    assert not password_reaches_nothing(is_operator=False, entries=[(True, False), (None, False)])
    assert not password_reaches_nothing(is_operator=False, entries=[])
    assert not password_reaches_nothing(is_operator=True, entries=[(True, False)])


def test_only_the_primary_admin_of_an_sso_mandatory_org_breaks_glass():
    assert breaks_glass(sso_required=True, is_primary_admin=True)
    assert not breaks_glass(sso_required=True, is_primary_admin=False)
    assert not breaks_glass(sso_required=False, is_primary_admin=True)
    assert password_session_keeps(is_operator=False, sso_required=True, is_primary_admin=True)
    assert not password_reaches_nothing(is_operator=False, entries=[(True, True)])


def test_making_sso_required_needs_a_test_in_this_session_with_the_stored_provider():
    refusal = sso_required_refusal
    assert refusal(turning_on=True, provider_changed=False, tested_in_this_session=False) == (
        "sso_test_required"
    )
    assert refusal(turning_on=True, provider_changed=True, tested_in_this_session=True) == (
        "sso_test_required"
    )
    assert refusal(turning_on=True, provider_changed=False, tested_in_this_session=True) is None
    assert refusal(turning_on=False, provider_changed=True, tested_in_this_session=False) is None


def test_a_one_org_credential_carries_only_that_entry():
    held = actor(entry(SUB), entry(PARTNER), operator=True)
    narrowed = one_org_actor(SUB, held)
    assert set(narrowed.memberships) == {SUB} and not narrowed.is_operator
    assert narrowed.creator is None
