"""The three-tier world of docs/ACCESS.md "Three tiers": distributor D over
R (a tier-2 reseller) and R2, R over customers C and C2; E another distributor.
Actor names follow ACCESS.md; each holds a password session in `tokens`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from factories import bearer, issue_token, make_account, make_member, make_partner, make_sub_org
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org


@dataclass
class TierWorld:
    D: Org
    R: Org
    R2: Org
    C: Org
    C2: Org
    E: Org
    accounts: dict[str, Account] = field(default_factory=dict)
    members: dict[str, Membership] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, actor: str) -> dict[str, str]:
        return {} if actor == "anon" else bearer(self.tokens[actor])


# (actor, its org's attribute, role, primary admin)
MEMBERS = (
    ("D-PA", "D", Role.ADMIN, True),
    ("D-A", "D", Role.ADMIN, False),
    ("D-U", "D", Role.USER, False),
    ("R-PA", "R", Role.ADMIN, True),
    ("R-A", "R", Role.ADMIN, False),
    ("R-U", "R", Role.USER, False),
    ("C-A", "C", Role.ADMIN, True),
    ("C-U", "C", Role.USER, False),
    ("R2-A", "R2", Role.ADMIN, True),
    ("C2-A", "C2", Role.ADMIN, True),
    ("E-A", "E", Role.ADMIN, True),
)


def build_tiers(session: Session, identity: IdentityConfig) -> TierWorld:
    distributor = make_partner(session, name="Distributor D", partner_type=PartnerType.DISTRIBUTOR)
    tier_two = make_sub_org(session, distributor, name="Tier-2 R")
    sibling = make_sub_org(session, distributor, name="Tier-2 R2")
    tier_two.partner_type = sibling.partner_type = PartnerType.RESELLER
    world = TierWorld(
        D=distributor,
        R=tier_two,
        R2=sibling,
        C=make_sub_org(session, tier_two, name="Customer C"),
        C2=make_sub_org(session, tier_two, name="Customer C2"),
        E=make_partner(session, name="Distributor E", partner_type=PartnerType.DISTRIBUTOR),
    )
    for actor, org, role, primary in MEMBERS:
        membership = make_member(
            session,
            identity,
            getattr(world, org),
            role=role,
            primary=primary,
            email=f"{actor.lower()}@tiers.example",
        )
        world.members[actor] = membership
        world.accounts[actor] = membership.account
    world.accounts["OP"] = make_account(
        session, identity, email="op@tiers.example", is_operator=True
    )
    for actor, account in world.accounts.items():
        world.tokens[actor] = issue_token(session, identity, account)
    return world
