"""Every cell of ../shared/ACCESS.md's tables, decided by the policy alone (no HTTP).

Actors and org facts come from the ACCESS.md world built in the database and
read back through access.facts, so the loaders are exercised too. Rows whose
endpoints do not exist yet are checked here all the same: the policy already
decides them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from access.accessmatrix import (
    ALLOWED,
    ANONYMOUS,
    FORBIDDEN,
    INVISIBLE,
    PARTNER,
    SUB_ORG,
    Case,
    cases,
    load_matrix,
    rows,
)
from factories import World, build_world
from tenantree.access.facts import load_actor, load_org
from tenantree.access.permissions import Permission
from tenantree.access.policy import Actor, Decision, OrgFacts, decide, granted
from tenantree.identity.context import IdentityConfig
from tenantree.identity.roles import MemberStatus
from tenantree.orgs.kinds import OrgStatus

MATRIX = load_matrix()
P = Permission

# The permission(s) each row of ACCESS.md stands for.
ROW_PERMISSIONS: dict[tuple[str, str], tuple[Permission, ...]] = {
    (SUB_ORG, "view S, list it in /orgs"): (P.ORG_VIEW,),
    (SUB_ORG, "list S's users"): (P.ORG_USERS_READ,),
    (SUB_ORG, "invite, change role/status, remove in S"): (P.ORG_USERS_MANAGE,),
    (SUB_ORG, "transfer S's primary admin"): (P.ORG_PRIMARY_ADMIN_TRANSFER,),
    (SUB_ORG, "read S's access settings"): (P.ORG_ACCESS_READ,),
    (SUB_ORG, "change S's access settings"): (P.ORG_ACCESS_MANAGE,),
    (SUB_ORG, "grant, renew or end a partner user's access window to S"): (P.ORG_ACCESS_MANAGE,),
    (SUB_ORG, "list the partner staff who reach S (names, emails, role, until when)"): (
        P.ORG_ACCESS_READ,
    ),
    (SUB_ORG, "report usage (consume) in S"): (P.ORG_USAGE_REPORT,),
    (SUB_ORG, "S license report (child view)"): (P.ORG_LICENSE_REPORT_READ,),
    (SUB_ORG, "grant/change S's licenses, license source"): (P.PLATFORM_ORGS_MANAGE,),
    (SUB_ORG, "move S to another partner (MSP or reseller)"): (P.PLATFORM_ORGS_MOVE,),
    (SUB_ORG, "set S's quota in P's pool"): (P.ORG_QUOTAS_MANAGE,),
    (SUB_ORG, "read S's brand"): (P.ORG_BRAND_READ,),
    (SUB_ORG, "change S's brand"): (P.ORG_BRAND_MANAGE,),
    (SUB_ORG, "read S's audit events"): (P.ORG_AUDIT_READ,),
    (SUB_ORG, "claim, verify, list, remove S's email domains"): (P.ORG_DOMAINS_MANAGE,),
    (SUB_ORG, "read/change S's MFA policy"): (P.ORG_MFA_POLICY_MANAGE,),
    (SUB_ORG, "read S's alerts (its licenses' ends, its own pools, its quota)"): (
        P.ORG_ALERTS_READ,
    ),
    (SUB_ORG, "acknowledge S's alerts (S's own admins; partner staff only read them)"): (
        P.ORG_ALERTS_ACKNOWLEDGE,
    ),
    (SUB_ORG, "register, change, test, remove S's webhooks; read their deliveries"): (
        P.ORG_WEBHOOKS_MANAGE,
    ),
    (PARTNER, "view P"): (P.ORG_VIEW,),
    (PARTNER, "list P's sub-orgs (those the caller reaches)"): (P.ORG_SUB_ORGS_READ,),
    (PARTNER, "list/manage P's users, invite into P"): (P.ORG_USERS_READ, P.ORG_USERS_MANAGE),
    (PARTNER, "P license report (parent view: P + every child)"): (P.ORG_LICENSE_REPORT_READ,),
    (PARTNER, "change P's brand"): (P.ORG_BRAND_MANAGE,),
    (PARTNER, "claim, verify, list, remove P's email domains"): (P.ORG_DOMAINS_MANAGE,),
    (PARTNER, "read/change P's MFA policy (own staff, sub-orgs)"): (P.ORG_MFA_POLICY_MANAGE,),
    (PARTNER, "read P's alerts and alert thresholds"): (P.ORG_ALERTS_READ,),
    (PARTNER, "acknowledge P's alerts"): (P.ORG_ALERTS_ACKNOWLEDGE,),
    (PARTNER, "set P's alert thresholds (its pools, its sub-orgs' quotas)"): (
        P.ORG_ALERT_THRESHOLDS_MANAGE,
    ),
    (PARTNER, "register, change, test, remove P's webhooks; read their deliveries"): (
        P.ORG_WEBHOOKS_MANAGE,
    ),
    (
        PARTNER,
        "create orgs or sub-orgs, activate partner features, grant licenses, deactivate",
    ): (P.PLATFORM_ORGS_MANAGE,),
}
TARGET = {SUB_ORG: "S", PARTNER: "P"}
ORG_NAMES = ("P", "S", "T", "U")


@dataclass(frozen=True)
class Facts:
    """A world read back into the policy's plain dataclasses."""

    actors: dict[str, Actor]
    orgs: dict[str, OrgFacts]


def world_facts(
    session: Session,
    identity: IdentityConfig,
    arrange: Callable[[World], None] | None = None,
    **variant: bool,
) -> Facts:
    world = build_world(session, identity, **variant)
    if arrange is not None:
        arrange(world)
    session.flush()
    facts = Facts(
        actors={name: load_actor(session, account) for name, account in world.accounts.items()},
        orgs={name: _org_facts(session, getattr(world, name).id) for name in ORG_NAMES},
    )
    # The facts are plain values; dropping the rows lets the next variant reuse the names.
    session.rollback()
    return facts


def _org_facts(session: Session, org_id: uuid.UUID) -> OrgFacts:
    loaded = load_org(session, org_id)
    assert loaded is not None
    return loaded.facts


def outcome(decision: Decision) -> tuple[str, str | None]:
    """A decision in the matrix's words, with the denial code of a 403."""
    if decision.allowed:
        return ALLOWED, None
    if decision.visible:
        return FORBIDDEN, decision.denial_code
    return INVISIBLE, None


def expected_outcome(case: Case) -> tuple[str, str | None]:
    if case.expected != FORBIDDEN:
        return case.expected, None
    return FORBIDDEN, "customer_access_refused" if case.refuse_s else "forbidden"


def test_every_row_of_access_md_maps_to_permissions():
    assert rows(MATRIX) == set(ROW_PERMISSIONS)


def test_anon_is_401_in_every_row():
    # Not a policy matter (no actor at all); the HTTP matrix checks the status.
    anon = {c.id: c.expected for c in cases(MATRIX) if c.actor == "anon"}
    assert anon == {case_id: ANONYMOUS for case_id in anon}


@pytest.mark.parametrize("row", sorted(ROW_PERMISSIONS), ids=lambda row: f"{row[0]}: {row[1]}")
def test_policy_decides_every_cell_of_the_row(row, session, identity):
    row_cases = [c for c in cases(MATRIX) if c.row == row and c.actor != "anon"]
    variants = {(c.refuse_s, c.customer_may_brand) for c in row_cases}
    worlds = {
        (refuse_s, may_brand): world_facts(
            session, identity, refuse_s=refuse_s, customer_may_brand=may_brand
        )
        for refuse_s, may_brand in variants
    }
    expected = {c.label: expected_outcome(c) for c in row_cases}
    for permission in ROW_PERMISSIONS[row]:
        observed = {}
        for c in row_cases:
            facts = worlds[(c.refuse_s, c.customer_may_brand)]
            decision = decide(facts.actors[c.actor], permission, facts.orgs[TARGET[c.table]])
            observed[c.label] = outcome(decision)
        assert observed == expected, permission


S_MEMBERS = ("S-PA", "S-A", "S-U", "S-RO")


def test_every_s_member_is_refused_everything_in_s_while_customer_access_is_refused(
    session, identity
):
    facts = world_facts(session, identity, refuse_s=True)
    observed = {
        (actor, permission.value): outcome(decide(facts.actors[actor], permission, facts.orgs["S"]))
        for actor in S_MEMBERS
        for permission in Permission
    }
    assert set(observed.values()) == {(FORBIDDEN, "customer_access_refused")}


def test_refusing_s_customers_leaves_partner_users_grants_in_s_unchanged(session, identity):
    permitted = world_facts(session, identity)
    refused = world_facts(session, identity, refuse_s=True)
    for actor in ("OP", "P-PA", "P-A", "P-U", "P-RO", "P-X"):
        assert granted(refused.actors[actor], refused.orgs["S"]) == granted(
            permitted.actors[actor], permitted.orgs["S"]
        ), actor


ADMIN = [
    "org:access:read",
    "org:alert_thresholds:manage",
    "org:alerts:acknowledge",
    "org:alerts:read",
    "org:audit:read",
    "org:brand:manage",
    "org:brand:read",
    "org:domains:manage",
    "org:license_report:read",
    "org:mfa_policy:manage",
    "org:quotas:manage",
    "org:sub_orgs:read",
    "org:usage:report",
    "org:users:manage",
    "org:users:read",
    "org:view",
    "org:webhooks:manage",
]
# Partner staff in a sub-org: their role's grants, but a customer's alerts are
# the customer's to acknowledge.
PARTNER_ADMIN = [p for p in ADMIN if p != "org:alerts:acknowledge"]
USER = ["org:sub_orgs:read", "org:usage:report", "org:view"]
READ_ONLY = ["org:sub_orgs:read", "org:view"]
# A sub-org's own admins: quotas are the partner's; brand only if the partner allows it.
SUB_ORG_ADMIN = [
    p
    for p in ADMIN
    if p not in ("org:quotas:manage", "org:brand:manage", "org:alert_thresholds:manage")
]


# Spelled out in full so any change to what a role may do shows up as a diff here.
GRANTS = {
    # own org (a partner, and a standard org)
    ("P-PA", "P"): sorted([*ADMIN, "org:primary_admin:transfer"]),
    ("P-A", "P"): ADMIN,
    ("P-U", "P"): USER,
    ("P-RO", "P"): READ_ONLY,
    ("U-A", "U"): sorted([*ADMIN, "org:primary_admin:transfer"]),
    # own org, a sub-org
    ("S-PA", "S"): sorted([*SUB_ORG_ADMIN, "org:primary_admin:transfer"]),
    ("S-A", "S"): SUB_ORG_ADMIN,
    ("S-U", "S"): USER,
    ("S-RO", "S"): READ_ONLY,
    # partner roles mapped down into a sub-org
    ("P-PA", "S"): sorted([*PARTNER_ADMIN, "org:access:manage"]),
    ("P-A", "S"): PARTNER_ADMIN,
    ("P-U", "S"): USER,
    ("P-RO", "S"): READ_ONLY,
    ("P-X", "S"): [],  # left off S's partner_users
    ("P-X", "T"): PARTNER_ADMIN,
    ("T-A", "S"): [],
    ("U-A", "S"): [],
    ("OP", "S"): sorted(p.value for p in Permission),
}


def test_full_grant_list_of_every_role(session, identity):
    facts = world_facts(session, identity)
    observed = {
        (actor, org): sorted(p.value for p in granted(facts.actors[actor], facts.orgs[org]))
        for actor, org in GRANTS
    }
    assert observed == GRANTS


def _deactivate(org_name: str) -> Callable[[World], None]:
    def arrange(world: World) -> None:
        getattr(world, org_name).status = OrgStatus.DEACTIVATED

    return arrange


def test_deactivated_sub_org_is_403_org_deactivated_for_everyone_who_sees_it_but_op(
    session, identity
):
    facts = world_facts(session, identity, _deactivate("S"))
    observed = {
        actor: {outcome(decide(facts.actors[actor], p, facts.orgs["S"])) for p in Permission}
        for actor in facts.actors
    }
    deactivated = {(FORBIDDEN, "org_deactivated")}
    assert observed == {
        "OP": {(ALLOWED, None)},
        "P-PA": deactivated,
        "P-A": deactivated,
        "P-U": deactivated,
        "P-RO": deactivated,
        "S-PA": deactivated,
        "S-A": deactivated,
        "S-U": deactivated,
        "S-RO": deactivated,
        # Deactivation must not reveal the org to those who could not see it.
        "P-X": {(INVISIBLE, None)},
        "T-A": {(INVISIBLE, None)},
        "U-A": {(INVISIBLE, None)},
    }


def test_deactivation_outranks_customer_access_refusal(session, identity):
    facts = world_facts(session, identity, _deactivate("S"), refuse_s=True)
    decision = decide(facts.actors["S-A"], P.ORG_VIEW, facts.orgs["S"])
    assert outcome(decision) == (FORBIDDEN, "org_deactivated")


def test_deactivated_partner_is_403_org_deactivated_for_its_members_in_it_and_its_sub_orgs(
    session, identity
):
    facts = world_facts(session, identity, _deactivate("P"))
    for actor in ("P-PA", "P-A", "P-U", "P-RO", "P-X"):
        for org in ("P", "T"):
            decision = decide(facts.actors[actor], P.ORG_VIEW, facts.orgs[org])
            assert outcome(decision) == (FORBIDDEN, "org_deactivated"), (actor, org)
    assert decide(facts.actors["OP"], P.ORG_VIEW, facts.orgs["P"]).allowed
    # S itself is still active: its own members keep working in it.
    assert decide(facts.actors["S-A"], P.ORG_USERS_MANAGE, facts.orgs["S"]).allowed


def test_deactivated_standard_org_is_403_org_deactivated_for_its_admin(session, identity):
    facts = world_facts(session, identity, _deactivate("U"))
    decision = decide(facts.actors["U-A"], P.ORG_VIEW, facts.orgs["U"])
    assert outcome(decision) == (FORBIDDEN, "org_deactivated")


def _suspend(*actors: str) -> Callable[[World], None]:
    def arrange(world: World) -> None:
        for actor in actors:
            world.members[actor].status = MemberStatus.SUSPENDED

    return arrange


def test_suspended_member_is_403_user_suspended_on_everything_in_their_org(session, identity):
    facts = world_facts(session, identity, _suspend("S-A"))
    observed = {outcome(decide(facts.actors["S-A"], p, facts.orgs["S"])) for p in Permission}
    assert observed == {(FORBIDDEN, "user_suspended")}


def test_suspended_partner_member_is_403_user_suspended_in_the_partner_and_its_sub_orgs(
    session, identity
):
    facts = world_facts(session, identity, _suspend("P-A"))
    for org in ("P", "S", "T"):
        observed = {outcome(decide(facts.actors["P-A"], p, facts.orgs[org])) for p in Permission}
        assert observed == {(FORBIDDEN, "user_suspended")}, org


def test_suspending_one_member_leaves_the_others_untouched(session, identity):
    facts = world_facts(session, identity, _suspend("S-A"))
    assert decide(facts.actors["S-PA"], P.ORG_USERS_MANAGE, facts.orgs["S"]).allowed
    assert decide(facts.actors["P-A"], P.ORG_USERS_MANAGE, facts.orgs["S"]).allowed
