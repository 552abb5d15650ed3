"""Lists and the policy agree: `reachable_orgs(actor)` (SQL, used for every org
list) selects exactly the orgs where `decide(actor, ORG_VIEW, facts)` allows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from factories import (
    World,
    build_world,
    make_account,
    make_member,
    make_org,
    make_partner,
    make_sub_org,
)
from tenantree import clock
from tenantree.access.facts import load_actor, load_org, load_org_row
from tenantree.access.permissions import Permission
from tenantree.access.policy import Actor, decide
from tenantree.access.service import reachable_orgs
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.kinds import OrgKind, OrgStatus, PartnerType
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

# Weighted towards working orgs and members, where the interesting paths are.
MOSTLY_ACTIVE_ORGS = [OrgStatus.ACTIVE, OrgStatus.ACTIVE, OrgStatus.ACTIVE, OrgStatus.DEACTIVATED]
MOSTLY_ACTIVE_MEMBERS = [MemberStatus.ACTIVE, MemberStatus.ACTIVE, MemberStatus.SUSPENDED]


# Random worlds are built in the test's session, and take their time.
_RANDOM_WORLDS = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(max_examples=100, **_RANDOM_WORLDS)
@given(data=st.data())
def test_reachable_orgs_agrees_with_the_policy_on_random_hierarchies(session, identity, data):
    try:
        _random_hierarchy(session, identity, data)
        assert disagreements(session) == {}
    finally:
        session.rollback()


@settings(max_examples=40, **_RANDOM_WORLDS)
@given(data=st.data())
def test_an_org_read_as_its_row_has_the_columns_and_facts_of_its_entity(session, identity, data):
    # GET org and the sub-orgs page authorize on the row (web.orgs.OrgRead).
    try:
        _random_hierarchy(session, identity, data)
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


def _random_hierarchy(session: Session, identity: IdentityConfig, data: st.DataObject) -> None:
    draw = data.draw
    orgs: list[Org] = []
    for _ in range(draw(st.integers(1, 2), label="partners")):
        distributor = draw(st.booleans(), label="a distributor")
        partner = make_partner(
            session, partner_type=PartnerType.DISTRIBUTOR if distributor else PartnerType.MSP
        )
        orgs.append(partner)
        for _ in range(draw(st.integers(1, 3))):
            sub = make_sub_org(session, partner)
            orgs.append(sub)
            if distributor and draw(st.booleans(), label=f"{sub.name} a tier-2 partner"):
                sub.partner_type = PartnerType.RESELLER
                orgs += [make_sub_org(session, sub) for _ in range(draw(st.integers(1, 2)))]
    orgs += [make_org(session) for _ in range(draw(st.integers(0, 1), label="standard orgs"))]
    accounts = [
        make_account(session, identity, is_operator=draw(st.booleans()) and draw(st.booleans()))
        for _ in range(draw(st.integers(2, 4), label="accounts"))
    ]
    # Per org, its directory by email (emails make a falsifying example readable).
    directories: dict[object, dict[str, Membership]] = {}
    for org in orgs:
        org.status = draw(st.sampled_from(MOSTLY_ACTIVE_ORGS), label=f"{org.name} status")
        directory = directories[org.id] = {}
        for account in accounts:
            role = draw(
                st.sampled_from([Role.ADMIN, Role.USER, Role.READ_ONLY, None]),
                label=f"{account.email} in {org.name}",
            )
            if role is not None:
                directory[account.email] = make_member(
                    session,
                    identity,
                    org,
                    role=role,
                    account=account,
                    status=draw(st.sampled_from(MOSTLY_ACTIVE_MEMBERS)),
                )
        admins = [email for email, m in directory.items() if m.role == Role.ADMIN]
        primary = draw(st.sampled_from([*admins, None]), label=f"{org.name} primary admin")
        if primary is not None:
            directory[primary].is_primary_admin = True
    session.flush()
    for org in orgs:
        if org.kind != OrgKind.SUB_ORG:
            continue
        access = session.get_one(SubOrgAccess, org.id)
        if draw(st.sampled_from([False, False, True]), label=f"{org.name} refused"):
            access.customer_access = CustomerAccess.REFUSED
        if draw(st.sampled_from([True, False]), label=f"{org.name} restricted"):
            access.partner_users_restricted = True
            partner_directory = directories[org.parent_id]
            listed = (
                draw(
                    st.lists(st.sampled_from(sorted(partner_directory)), unique=True),
                    label=f"{org.name} partner_users",
                )
                if partner_directory
                else []
            )
            for email in listed:
                session.add(
                    SubOrgPartnerUser(
                        sub_org_id=org.id,
                        membership_id=partner_directory[email].id,
                        expires_at=_drawn_end(draw, f"{org.name} {email}'s window"),
                    )
                )
        else:
            access.partner_access_expires_at = _drawn_end(draw, f"{org.name} wide access end")


def _drawn_end(draw: Callable[..., object], label: str) -> datetime | None:
    """No end, an end to come, or one passed."""
    minutes = draw(st.sampled_from([None, 30, -1]), label=label)
    return None if minutes is None else _window(minutes)  # type: ignore[arg-type]
