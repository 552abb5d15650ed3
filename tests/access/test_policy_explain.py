"""`explain` is `decide` with its reasons: the same answer on every combination
of facts, the rule and path that settled it, and a sentence that names only
the orgs it is given names for."""

from __future__ import annotations

import uuid

from access.test_policy_decide import ACCOUNT, ORG, PARENT, actors, orgs
from tenantree.access.explain import PathKind, Rule, explain
from tenantree.access.permissions import Permission
from tenantree.access.policy import Actor, MembershipFact, OrgFacts, decide
from tenantree.identity.models import Role
from tenantree.orgs.models import OrgKind

P = Permission


def test_explain_answers_exactly_what_decide_answers_for_every_combination_of_facts():
    checked = 0
    for org in orgs():
        for actor in actors(org):
            for permission in (P.ORG_VIEW, P.ORG_USERS_MANAGE, P.ORG_ACCESS_MANAGE):
                decision = decide(actor, permission, org)
                why = explain(actor, permission, org)
                assert (why.allowed, why.visible, why.denial_code) == (
                    decision.allowed,
                    decision.visible,
                    decision.denial_code,
                ), (actor, permission, org)
                if decision.allowed:
                    assert why.path is not None and why.path.via_org_id == decision.via_org_id
                why.sentence(who="x", org_name="Org", names={})  # words every case
                checked += 1
    assert checked > 10_000


def _sub_org(refused: bool = False) -> OrgFacts:
    return OrgFacts(
        id=ORG,
        kind=OrgKind.SUB_ORG,
        parent_id=PARENT,
        active=True,
        customer_access_refused=refused,
    )


def _partner_admin() -> Actor:
    entry = MembershipFact(uuid.uuid4(), PARENT, Role.ADMIN, False, True, True)
    return Actor(account_id=ACCOUNT, memberships={PARENT: entry})


def test_a_partner_admin_into_a_refused_sub_org_is_told_the_refusal_does_not_apply():
    why = explain(_partner_admin(), P.ORG_USERS_MANAGE, _sub_org(refused=True))
    assert why.rule == Rule.ROLE_GRANTS and why.path.kind == PathKind.PARTNER
    assert why.refusal_not_applied
    text = why.sentence(
        who="pat@northwind.example",
        org_name="Contoso",
        names={ORG: "Contoso", PARENT: "Northwind MSP"},
    )
    assert text == (
        "pat@northwind.example (partner staff of Northwind MSP) → Contoso (partner access,"
        " role admin); the role grants 'org:users:manage': allowed. Contoso refuses its"
        " customer's own access, which does not apply to partner staff."
    )


def test_a_partner_the_caller_may_not_see_is_never_named():
    why = explain(_partner_admin(), P.ORG_VIEW, _sub_org())
    text = why.sentence(who="a partner user", org_name="Contoso", names={ORG: "Contoso"})
    assert "its partner" in text and "Northwind" not in text


def test_no_path_is_said_plainly():
    why = explain(Actor(account_id=ACCOUNT), P.ORG_VIEW, _sub_org())
    assert why.rule == Rule.NO_PATH and not why.visible and why.paths == ()
    assert "no way into Contoso" in why.sentence(who="x", org_name="Contoso", names={})


def test_a_token_refused_for_its_creator_says_so():
    creator = Actor(account_id=uuid.uuid4())
    own = MembershipFact(uuid.uuid4(), ORG, Role.ADMIN, False, True, True)
    token = Actor(account_id=ACCOUNT, memberships={ORG: own}, creator=creator)
    why = explain(token, P.ORG_VIEW, _sub_org())
    assert why.rule == Rule.CREATOR_LACKS and not why.allowed
    assert "creator" in why.sentence(who="ci", org_name="Contoso", names={})
