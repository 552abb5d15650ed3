"""`decide` gives, on every combination of the facts it reads, the answer its paths define.

decide is on every request's path, so it does not build `Path` objects or sets:
it reads precomputed grant sets and returns shared denials. This pins it to
the definition in policy.py's docstring, written here over `paths()`: allowed
along the first open path that grants the permission; otherwise 403 when some
path exists (`forbidden` if one is open, else its highest-priority block);
otherwise 404.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator

from tenantree.access.errors import AccessDenied, OrgInvisible
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    Actor,
    Block,
    Decision,
    MembershipFact,
    OrgFacts,
    can,
    decide,
    granted,
    paths,
    sees_every_sub_org,
)
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

FLAGS = (False, True)
ACCOUNT, PARENT, ORG = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
LISTED, UNLISTED = uuid.uuid4(), uuid.uuid4()  # partner entries, on and off a restricted list


def defined(actor: Actor, permission: Permission, org: OrgFacts) -> Decision:
    found = paths(actor, org)
    if not found:
        return Decision(allowed=False, visible=False)
    for path in found:
        if path.block is None and permission in path.permissions:
            return Decision(allowed=True, visible=True, via_org_id=path.via_org_id)
    if any(path.block is None for path in found):
        return Decision(allowed=False, visible=True, denial_code="forbidden")
    worst = min((path.block for path in found if path.block), key=list(Block).index)
    return Decision(allowed=False, visible=True, denial_code=worst.value)


def orgs() -> Iterator[OrgFacts]:
    for kind, active, refused, brand in itertools.product(OrgKind, FLAGS, FLAGS, FLAGS):
        sub = kind == OrgKind.SUB_ORG
        for partner_users in (None, frozenset(), frozenset({LISTED})) if sub else (None,):
            yield OrgFacts(
                id=ORG,
                kind=kind,
                parent_id=PARENT if sub else None,
                active=active,
                customer_access_refused=refused,
                partner_users=partner_users,
                customer_may_brand=brand,
            )


def entries(org_id: uuid.UUID, ids: tuple[uuid.UUID, ...]) -> Iterator[MembershipFact | None]:
    yield None
    for role, primary, active, org_active, membership_id in itertools.product(
        Role, FLAGS, FLAGS, FLAGS, ids
    ):
        if primary and role != Role.ADMIN:
            continue  # the database refuses it (primary_admin_is_admin)
        yield MembershipFact(membership_id, org_id, role, primary, active, org_active)


def actors(org: OrgFacts) -> Iterator[Actor]:
    partner_entries = list(entries(PARENT, (LISTED, UNLISTED))) if org.parent_id else [None]
    for own in entries(ORG, (uuid.uuid4(),)):
        for partner in partner_entries:
            held = {m.org_id: m for m in (own, partner) if m is not None}
            yield Actor(account_id=ACCOUNT, memberships=held)


def test_decide_answers_as_its_paths_define_for_every_combination_of_facts():
    checked = 0
    for org in orgs():
        for actor in actors(org):
            for permission in Permission:
                decision = decide(actor, permission, org)
                assert decision == defined(actor, permission, org), (actor, permission, org)
                assert can(actor, permission, org) is decision.allowed
            open_grants = [p.permissions for p in paths(actor, org) if p.block is None]
            assert granted(actor, org) == frozenset().union(*open_grants)
            checked += 1
    assert checked > 10_000


def test_an_operator_is_allowed_everything_everywhere_directly():
    operator = Actor(account_id=ACCOUNT, is_operator=True)
    for org in orgs():
        for permission in Permission:
            assert decide(operator, permission, org) == Decision(True, True, None)


def test_a_denial_names_its_cause_and_maps_to_its_error():
    member = MembershipFact(uuid.uuid4(), ORG, Role.READ_ONLY, False, True, True)
    actor = Actor(account_id=ACCOUNT, memberships={ORG: member})
    org = OrgFacts(id=ORG, kind=OrgKind.STANDARD, parent_id=None, active=True)
    denied = decide(actor, Permission.ORG_USERS_MANAGE, org)
    assert (denied.allowed, denied.visible, denied.denial_code) == (False, True, "forbidden")
    assert isinstance(denied.error(), AccessDenied)
    hidden = decide(Actor(account_id=ACCOUNT), Permission.ORG_VIEW, org)
    assert (hidden.allowed, hidden.visible) == (False, False)
    assert isinstance(hidden.error(), OrgInvisible)
    assert decide(actor, Permission.ORG_VIEW, org).error() is None


def test_sees_every_sub_org_only_when_every_sub_org_has_a_path():
    seen = 0
    for org in orgs():
        if org.kind != OrgKind.SUB_ORG:
            continue
        for actor in actors(org):
            if sees_every_sub_org(actor, PARENT):
                seen += 1
                assert paths(actor, org), (actor, org)
    assert seen > 100
    assert sees_every_sub_org(Actor(account_id=ACCOUNT, is_operator=True), PARENT)
