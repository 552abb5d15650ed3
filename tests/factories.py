"""Builders for test state. They write through the ORM (fast, explicit) and
flush; the caller commits. `build_world` makes the cast of docs/ACCESS.md.
"""

from __future__ import annotations

import random
import string
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.service import AuditTrail
from tenantree.domains.models import EmailDomain
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.identity.mfa_models import TotpFactor
from tenantree.identity.models import AccessToken, Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.identity.totp import enrol_known_totp_secret
from tenantree.licensing import grants
from tenantree.licensing.models import License
from tenantree.licensing.policies import OveragePolicy
from tenantree.orgs.kinds import Edition, OrgKind, OrgStatus, PartnerType
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import checksum_suffix
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser

PASSWORD = "correct horse battery staple"
_rng = random.Random()


def salesforce_id(*, long: bool = True) -> str:
    """A fresh, valid Salesforce account ID (18 characters unless long=False)."""
    body = "001" + "".join(_rng.choices(string.ascii_letters + string.digits, k=12))
    return body + checksum_suffix(body) if long else body


def make_org(
    session: Session,
    *,
    name: str | None = None,
    edition: Edition = Edition.PRO,
    status: OrgStatus = OrgStatus.ACTIVE,
) -> Org:
    org = Org(
        name=name or f"Org {uuid.uuid4().hex[:6]}",
        kind=OrgKind.STANDARD,
        edition=edition,
        status=status,
        salesforce_id=salesforce_id(),
    )
    session.add(org)
    session.flush()
    return org


def make_partner(
    session: Session, *, name: str | None = None, partner_type: PartnerType = PartnerType.MSP
) -> Org:
    org = make_org(session, name=name or f"Partner {uuid.uuid4().hex[:6]}")
    org.kind = OrgKind.PARTNER
    org.partner_type = partner_type
    session.flush()
    return org


def make_sub_org(
    session: Session,
    parent: Org,
    *,
    name: str | None = None,
    customer_access: CustomerAccess = CustomerAccess.PERMITTED,
    partner_users: list[Membership] | None = None,
    customer_may_brand: bool = False,
) -> Org:
    org = Org(
        name=name or f"Customer {uuid.uuid4().hex[:6]}",
        kind=OrgKind.SUB_ORG,
        edition=parent.edition,
        salesforce_id=salesforce_id(),
        partner_salesforce_id=parent.salesforce_id
        if parent.partner_type == PartnerType.MSP
        else None,
        customer_name=name or "Customer",
    )
    org.place_under(parent)
    session.add(org)
    session.flush()
    session.add(
        SubOrgAccess(
            org_id=org.id,
            customer_access=customer_access,
            partner_users_restricted=partner_users is not None,
            customer_may_brand=customer_may_brand,
        )
    )
    for membership in partner_users or []:
        session.add(SubOrgPartnerUser(sub_org_id=org.id, membership_id=membership.id))
    session.flush()
    return org


def make_license(
    session: Session,
    holder: Org,
    *,
    quantity: int,
    sku: str = "mon",
    overage_policy: OveragePolicy = OveragePolicy.BLOCK,
) -> License:
    """A license in term from 2020 to 2099, granted through the service (so its
    pool exists), unaudited."""
    return grants.grant_license(
        session,
        AuditTrail(session, actor_id=None),
        holder,
        sku=sku,
        unit="devices",
        quantity=quantity,
        starts_at=datetime(2020, 1, 1, tzinfo=UTC),
        ends_at=datetime(2099, 1, 1, tzinfo=UTC),
        overage_policy=overage_policy,
        salesforce_contract_id=None,
    )


def make_account(
    session: Session,
    identity: IdentityConfig,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    is_operator: bool = False,
) -> Account:
    email = (email or f"person-{uuid.uuid4().hex[:8]}@example.com").lower()
    account = Account(
        email=email,
        display_name=email.split("@")[0],
        password_hash=identity.hasher.hash(password),
        is_operator=is_operator,
    )
    session.add(account)
    session.flush()
    if is_operator:
        # Operators always need a second factor (access.policy.mfa_required_of).
        enrol_totp(session, identity, account)
    return account


# The authenticator app's secret of every account a factory enrols.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enrol_totp(
    session: Session, identity: IdentityConfig, account: Account, secret: str = TOTP_SECRET
) -> None:
    """Give the account a confirmed authenticator app (secret `secret`)."""
    enrol_known_totp_secret(session, identity, account.id, secret)


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The app's code now (by tenantree's clock, which tests may freeze)."""
    return pyotp.TOTP(secret).at(clock.utcnow())


def allow_totp_code_again(session: Session, account_id: uuid.UUID) -> None:
    """Forget which code the account used last: a test signing in twice within
    one 30-second step would otherwise be refused the code as replayed."""
    session.execute(
        update(TotpFactor).where(TotpFactor.account_id == account_id).values(last_used_step=None)
    )


def make_member(
    session: Session,
    identity: IdentityConfig,
    org: Org,
    *,
    role: Role = Role.USER,
    primary: bool = False,
    email: str | None = None,
    account: Account | None = None,
    status: MemberStatus = MemberStatus.ACTIVE,
) -> Membership:
    account = account or make_account(session, identity, email=email)
    membership = Membership(
        org_id=org.id,
        account_id=account.id,
        role=Role.ADMIN if primary else role,
        is_primary_admin=primary,
        status=status,
    )
    session.add(membership)
    session.flush()
    return membership


def prove_domain(session: Session, org: Org, domain: str) -> EmailDomain:
    """The org has verified `domain` (as if its TXT record had been found)."""
    proven = EmailDomain(
        org_id=org.id, domain=domain, token=new_token()[:32], verified_at=clock.utcnow()
    )
    session.add(proven)
    session.flush()
    return proven


def issue_token(session: Session, identity: IdentityConfig, account: Account) -> str:
    """A bearer token for an account, without going through sign-in."""
    token = new_token()
    session.add(
        AccessToken(
            account_id=account.id,
            token_hash=token_digest(identity.secret_key, token),
            expires_at=clock.utcnow() + timedelta(hours=1),
        )
    )
    session.flush()
    return token


def lowered_limits(identity: IdentityConfig, **limits: int) -> IdentityConfig:
    """The identity config with some throttle rules' limits changed (by rule field)."""
    rules = {name: replace(getattr(identity.limits, name), limit=n) for name, n in limits.items()}
    return replace(identity, limits=replace(identity.limits, **rules))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class World:
    """Partner P (an MSP) with sub-orgs S and T (siblings); U is unrelated.

    Actor names follow ACCESS.md. S restricts its partner users to P-A, P-U
    and P-RO, so P-X (a P admin left off the list) cannot reach S.
    """

    P: Org
    S: Org
    T: Org
    U: Org
    accounts: dict[str, Account] = field(default_factory=dict)
    members: dict[str, Membership] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, actor: str) -> dict[str, str]:
        if actor == "anon":
            return {}
        return bearer(self.tokens[actor])


# A license of P's pool as the API grants it (POST /orgs/{id}/licenses).
LICENSE_BODY = {
    "sku": "mon",
    "unit": "devices",
    "quantity": 10,
    "starts_at": "2020-01-01T00:00:00Z",
    "ends_at": "2099-01-01T00:00:00Z",
}


def build_world(
    session: Session,
    identity: IdentityConfig,
    *,
    refuse_s: bool = False,
    customer_may_brand: bool = False,
) -> World:
    """The cast, in the caller's session, from tables that hold none of its rows.

    Built afresh the first time per database and variant, its rows written
    again after (api/world_replay.py): ~50 flushes and 17 password hashes cost
    far more than a few multi-row INSERTs, and hundreds of tests ask for it.
    """
    from api.world_replay import WORLDS  # it builds through build_world_afresh below

    return WORLDS.build(session, identity, refuse_s=refuse_s, customer_may_brand=customer_may_brand)


def build_world_afresh(
    session: Session,
    identity: IdentityConfig,
    *,
    refuse_s: bool = False,
    customer_may_brand: bool = False,
) -> World:
    """The cast of docs/ACCESS.md, written one row at a time."""
    P = make_partner(session, name="Partner P")
    U = make_org(session, name="Unrelated U")
    world = World(P=P, S=P, T=P, U=U)  # S and T set below

    def member(actor: str, org: Org, role: Role, primary: bool = False) -> Membership:
        membership = make_member(
            session,
            identity,
            org,
            role=role,
            primary=primary,
            email=f"{actor.lower()}@example.com",
        )
        world.members[actor] = membership
        world.accounts[actor] = membership.account
        return membership

    member("P-PA", P, Role.ADMIN, primary=True)
    pa = member("P-A", P, Role.ADMIN)
    pu = member("P-U", P, Role.USER)
    pro = member("P-RO", P, Role.READ_ONLY)
    member("P-X", P, Role.ADMIN)
    world.S = make_sub_org(
        session,
        P,
        name="Sub-org S",
        customer_access=CustomerAccess.REFUSED if refuse_s else CustomerAccess.PERMITTED,
        partner_users=[pa, pu, pro],
        customer_may_brand=customer_may_brand,
    )
    world.T = make_sub_org(session, P, name="Sibling T")
    member("S-PA", world.S, Role.ADMIN, primary=True)
    member("S-A", world.S, Role.ADMIN)
    member("S-U", world.S, Role.USER)
    member("S-RO", world.S, Role.READ_ONLY)
    member("T-A", world.T, Role.ADMIN, primary=True)
    member("U-A", U, Role.ADMIN, primary=True)
    world.accounts["OP"] = make_account(session, identity, email="op@example.com", is_operator=True)
    for actor, account in world.accounts.items():
        world.tokens[actor] = issue_token(session, identity, account)
    return world
