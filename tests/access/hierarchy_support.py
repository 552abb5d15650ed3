"""Random small hierarchies for the tests holding lists to the policy: partners
(some distributors with tier-2 partners), their sub-orgs and standard orgs,
accounts with entries in them, refusals, restrictions, listed partner users
and windows, drawn by hypothesis."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from factories import make_account, make_member, make_org, make_partner, make_sub_org
from tenantree import clock
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.kinds import OrgKind, OrgStatus, PartnerType
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser


def on_random_hierarchies(examples: int) -> Callable[..., Any]:
    """A test drawing a hierarchy (`random_hierarchy`) from `data`, in the
    test's own session (function-scoped fixtures, rolled back by the test)."""

    def wrap(test: Callable[..., Any]) -> Callable[..., Any]:
        return settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )(given(data=st.data())(test))

    return wrap


# Weighted towards working orgs and members, where the interesting paths are.
MOSTLY_ACTIVE_ORGS = [OrgStatus.ACTIVE, OrgStatus.ACTIVE, OrgStatus.ACTIVE, OrgStatus.DEACTIVATED]
MOSTLY_ACTIVE_MEMBERS = [MemberStatus.ACTIVE, MemberStatus.ACTIVE, MemberStatus.SUSPENDED]


def random_hierarchy(session: Session, identity: IdentityConfig, data: st.DataObject) -> None:
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


def _window(minutes: int) -> datetime:
    return clock.utcnow() + timedelta(minutes=minutes)
