"""Lists and the policy agree: `reachable_orgs(actor)` (SQL, used for every org
list) selects exactly the orgs where `decide(actor, ORG_VIEW, facts)` allows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from access.hierarchy_support import on_random_hierarchies, random_hierarchy
from factories import (
    World,
    build_world,
)
from tenantree import clock
from tenantree.access.facts import load_actor, load_org, load_org_row
from tenantree.access.permissions import Permission
from tenantree.access.policy import Actor, decide
from tenantree.access.service import reachable_orgs
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.kinds import OrgStatus
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser


def disagreements(
    session: Session, condition: Callable[[Actor], ColumnElement[bool]] = reachable_orgs
) -> dict[str, dict[str, set[str]]]:
    """Per account, the orgs only the SQL lists and those only the policy allows."""
    session.flush()
    orgs = {org.id: org.name for org in session.scalars(select(Org))}
    loaded = [load_org(session, org_id) for org_id in orgs]
    found = {}
    for account in session.scalars(select(Account)):
        actor = load_actor(session, account)
        listed = set(session.scalars(select(Org.id).where(condition(actor))))
        allowed = {
            o.org.id for o in loaded if o and decide(actor, Permission.ORG_VIEW, o.facts).allowed
        }
        if listed != allowed:
            found[account.email] = {
                "listed, not allowed": {orgs[i] for i in listed - allowed},
                "allowed, not listed": {orgs[i] for i in allowed - listed},
            }
    return found


def _deactivate(name: str) -> Callable[[Session, World], None]:
    def arrange(session: Session, world: World) -> None:
        getattr(world, name).status = OrgStatus.DEACTIVATED

    return arrange


def _suspend(*actors: str) -> Callable[[Session, World], None]:
    def arrange(session: Session, world: World) -> None:
        for actor in actors:
            world.members[actor].status = MemberStatus.SUSPENDED

    return arrange


def _open_s_to_all_partner_users(session: Session, world: World) -> None:
    session.get_one(SubOrgAccess, world.S.id).partner_users_restricted = False
    session.execute(delete(SubOrgPartnerUser).where(SubOrgPartnerUser.sub_org_id == world.S.id))


def _list_p_x_on_s(session: Session, world: World) -> None:
    session.add(SubOrgPartnerUser(sub_org_id=world.S.id, membership_id=world.members["P-X"].id))


def _window(minutes: int) -> datetime:
    return clock.utcnow() + timedelta(minutes=minutes)


def _p_x_window_on_s(minutes: int) -> Callable[[Session, World], None]:
    def arrange(session: Session, world: World) -> None:
        member = world.members["P-X"].id
        session.add(SubOrgPartnerUser(sub_org_id=world.S.id, membership_id=member))
        session.flush()
        session.get_one(SubOrgPartnerUser, (world.S.id, member)).expires_at = _window(minutes)

    return arrange


def _s_open_to_all_until(minutes: int) -> Callable[[Session, World], None]:
    def arrange(session: Session, world: World) -> None:
        access = session.get_one(SubOrgAccess, world.S.id)
        access.partner_users_restricted = False
        access.partner_access_expires_at = _window(minutes)

    return arrange


def _people_in_two_orgs(session: Session, world: World) -> None:
    # Invited elsewhere: S-A as a user of T, P-U as an admin of S, T-A as read_only in P.
    for actor, org, role in (
        ("S-A", world.T, Role.USER),
        ("P-U", world.S, Role.ADMIN),
        ("T-A", world.P, Role.READ_ONLY),
    ):
        session.add(Membership(org_id=org.id, account_id=world.accounts[actor].id, role=role))


def _refuse_s(session: Session, world: World) -> None:
    session.get_one(SubOrgAccess, world.S.id).customer_access = CustomerAccess.REFUSED


VARIANTS: dict[str, list[Callable[[Session, World], None]]] = {
    "as built": [],
    "S refused": [_refuse_s],
    "S deactivated": [_deactivate("S")],
    "P deactivated": [_deactivate("P")],
    "U deactivated": [_deactivate("U")],
    "S refused and deactivated": [_refuse_s, _deactivate("S")],
    "suspended members": [_suspend("S-U", "P-A", "P-PA", "T-A")],
    "S open to all partner users": [_open_s_to_all_partner_users],
    "P-X listed on S": [_list_p_x_on_s],
    "P-X in a window on S": [_p_x_window_on_s(30)],
    "P-X's window on S over": [_p_x_window_on_s(-1)],
    "S open to all partner users for a while": [_s_open_to_all_until(30)],
    "S's partner-wide access over": [_s_open_to_all_until(-1)],
    "people in two orgs": [_people_in_two_orgs],
    "people in two orgs, S refused": [_people_in_two_orgs, _refuse_s],
    "people in two orgs, some suspended": [_people_in_two_orgs, _suspend("S-A", "P-U")],
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_reachable_orgs_selects_exactly_the_orgs_the_policy_lets_each_actor_view(
    variant, session, identity
):
    world = build_world(session, identity)
    for arrange in VARIANTS[variant]:
        arrange(session, world)
    assert disagreements(session) == {}


def test_the_comparison_catches_a_condition_that_lists_too_much(session, identity):
    # Guards against a vacuous check: a condition ignoring S's partner_users list
    # must be caught listing S for P-X.
    build_world(session, identity)
    found = disagreements(session, condition=lambda actor: Org.status == OrgStatus.ACTIVE)
    assert found["p-x@example.com"]["listed, not allowed"] >= {"Sub-org S"}


# --- Random small hierarchies -------------------------------------------------


@on_random_hierarchies(examples=100)
def test_reachable_orgs_agrees_with_the_policy_on_random_hierarchies(session, identity, data):
    try:
        random_hierarchy(session, identity, data)
        assert disagreements(session) == {}
    finally:
        session.rollback()


@on_random_hierarchies(examples=40)
def test_an_org_read_as_its_row_has_the_columns_and_facts_of_its_entity(session, identity, data):
    # GET org and the sub-orgs page authorize on the row (web.orgs.org_reader).
    try:
        random_hierarchy(session, identity, data)
        session.flush()
        for org_id in session.scalars(select(Org.id)):
            entity, row = load_org(session, org_id), load_org_row(session, org_id)
            assert entity is not None and row is not None
            assert row.facts == entity.facts
            columns = [column.key for column in Org.__table__.c]
            assert [getattr(row.org, c) for c in columns] == [
                getattr(entity.org, c) for c in columns
            ]
    finally:
        session.rollback()
