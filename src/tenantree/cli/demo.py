"""`tenantree demo`: load a realistic demo through the services and print who can sign in.

An MSP with a dozen customer sub-orgs, a reseller with a few, users in each
(invited and accepting like real people, with known passwords), licenses,
two months of usage history, and a brand on the MSP.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.consent import accept_invitation
from tenantree.audit.service import AuditTrail
from tenantree.branding import service as branding_service
from tenantree.branding.config import BrandingConfig
from tenantree.cli import demo_tiers
from tenantree.config import Settings
from tenantree.db import make_engine, make_sessionmaker
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.errors import DomainError
from tenantree.identity.accounts import create_operator
from tenantree.identity.context import IdentityConfig
from tenantree.identity.invitations import invite
from tenantree.identity.roles import Role
from tenantree.identity.totp import enrol_known_totp_secret
from tenantree.licensing import consumption, grants
from tenantree.licensing.policies import LicenseSource, OveragePolicy
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sub_org_terms import set_license_source
from tenantree.lifecycle import service as orgs
from tenantree.orgs.kinds import Edition, PartnerType
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import checksum_suffix
from tenantree.outbox import MemoryBackend, Outbox
from tenantree.outbox.delivery import Delivery, drain

DEMO_PASSWORD = "tenantree-demo-2026"  # noqa: S105 - a demo's published password
# Operators always need a second factor: the demo operator's authenticator app
# secret, published like the password (add it to an app, or print a code with
# `python -c "import pyotp; print(pyotp.TOTP('<secret>').now())"`).
DEMO_TOTP_SECRET = "TENANTREEDEMOAPPTENANTREEDEMOAPP"  # noqa: S105
HISTORY_DAYS = 60

MSP_CUSTOMERS = (
    "Contoso", "Fabrikam", "Litware", "Tailspin Toys", "Wide World Importers", "Adventure Works",
    "Proseware", "Wingtip Toys", "Coho Winery", "Alpine Ski House", "Margie's Travel",
    "Lucerne Publishing",
)  # fmt: skip
RESELLER_CUSTOMERS = ("Humongous Insurance", "Trey Research", "Blue Yonder Airlines")


@dataclass(frozen=True)
class Persona:
    who: str
    email: str
    org: str


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


def _salesforce_id(rng: random.Random) -> str:
    body = "001" + "".join(
        rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789", k=12)
    )
    return body + checksum_suffix(body)


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """Record history as of a past moment (the services read the time from `clock`)."""
    original = clock.utcnow
    clock.utcnow = lambda: moment  # type: ignore[assignment]
    try:
        yield
    finally:
        clock.utcnow = original  # type: ignore[assignment]


def has_orgs(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Org)))


def load_demo(settings: Settings, *, password: str = DEMO_PASSWORD, seed: int = 7) -> list[Persona]:
    """Load the demo into the (migrated, empty) database of `settings`; return the personas."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    mailbox = MemoryBackend()
    outbox = Outbox(mailbox, settings.email_from)
    identity = IdentityConfig.from_settings(settings, outbox)
    branding = BrandingConfig.from_settings(settings)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    personas: list[Persona] = []
    now = clock.utcnow()
    try:
        with factory() as session:
            with UnitOfWork(session):  # its commit sends the invitations
                if has_orgs(session):
                    raise DomainError("the database already has orgs", code="not_empty")
                system = AuditTrail(session, None, request_id="demo")
                operator = create_operator(
                    session, system, identity, email="operator@demo.example", password=password
                )
                enrol_known_totp_secret(session, identity, operator.id, DEMO_TOTP_SECRET)
                trail = system.as_actor(operator.id, None)
                personas.append(Persona("Platform operator", operator.email, "(all orgs)"))

                def new_org(name: str, admin: str) -> Org:
                    return orgs.create_org(
                        session,
                        trail,
                        identity,
                        name=name,
                        salesforce_id=_salesforce_id(rng),
                        edition=Edition.PRO,
                        primary_admin_email=admin,
                    )

                msp = new_org("Northwind MSP", "pat@northwind.example")
                orgs.activate_partner(session, trail, msp, partner_type=PartnerType.MSP)
                reseller = new_org("Bluebird Reseller", "rita@bluebird.example")
                orgs.activate_partner(session, trail, reseller, partner_type=PartnerType.RESELLER)
                standalone = new_org("Globex Corporation", "gina@globex.example")
                personas += [
                    Persona("MSP primary admin", "pat@northwind.example", msp.name),
                    Persona("Reseller primary admin", "rita@bluebird.example", reseller.name),
                    Persona("Standard org admin", "gina@globex.example", standalone.name),
                ]
                for email, role, who in (
                    ("alex@northwind.example", Role.ADMIN, "MSP admin"),
                    ("uma@northwind.example", Role.USER, "MSP user"),
                    ("rob@northwind.example", Role.READ_ONLY, "MSP read-only"),
                ):
                    invite(session, trail, identity, msp, email=email, role=role)
                    personas.append(Persona(who, email, msp.name))

                # A distributor over a tier-2 reseller and MSP, each with customers.
                channel = demo_tiers.add_channel(
                    session, trail, identity, new_org, lambda: _salesforce_id(rng)
                )
                personas += [Persona(*persona) for persona in channel.personas]

                customers: list[Org] = []
                for parent, names in ((msp, MSP_CUSTOMERS), (reseller, RESELLER_CUSTOMERS)):
                    for name in names:
                        domain = f"{_slug(name)}.example"
                        sub = orgs.create_sub_org(
                            session,
                            trail,
                            identity,
                            parent,
                            name=name,
                            salesforce_id=_salesforce_id(rng),
                            customer_name=f"{name} Ltd",
                            primary_admin_email=f"admin@{domain}",
                        )
                        invite(
                            session, trail, identity, sub, email=f"user@{domain}", role=Role.USER
                        )
                        customers.append(sub)
                personas += [
                    Persona("Customer admin (MSP sub-org)", "admin@contoso.example", "Contoso"),
                    Persona("Customer user (MSP sub-org)", "user@contoso.example", "Contoso"),
                    Persona(
                        "Customer admin (reseller sub-org)",
                        "admin@humongousinsurance.example",
                        "Humongous Insurance",
                    ),
                ]

            # The invitations were queued with the work: deliver them to the mailbox.
            drain(session, Delivery(outbox, worker_id="demo"))
            with UnitOfWork(session):
                for message in list(mailbox.sent):
                    match = re.search(r"token=([A-Za-z0-9_\-]+)", message.text)
                    if match is None:
                        continue
                    accept_invitation(
                        session,
                        system,
                        identity,
                        token=match.group(1),
                        password=password,
                        display_name=message.to.split("@")[0].title(),
                    )

                # Licenses from a quarter ago to next year; resold customers hold their own.
                starts, ends = now - timedelta(days=90), now + timedelta(days=275)

                def grant(org: Org, sku: str, unit: str, quantity: int) -> None:
                    grants.grant_license(
                        session,
                        trail,
                        org,
                        sku=sku,
                        unit=unit,
                        quantity=quantity,
                        starts_at=starts,
                        ends_at=ends,
                        overage_policy=OveragePolicy.ALLOW_AND_FLAG,
                        salesforce_contract_id=None,
                    )

                grant(msp, "endpoint-protection", "devices", 1500)
                grant(msp, "backup", "terabytes", 120)
                grant(standalone, "endpoint-protection", "devices", 200)
                for sub in customers[len(MSP_CUSTOMERS) :]:
                    grant(sub, "endpoint-protection", "devices", 150)
                # The tier-2 MSP draws on the distributor's pool (its pool is
                # linked: its customers' use reaches the distributor's); the
                # reseller holds its own pool, and its customers their own.
                grant(channel.distributor, "endpoint-protection", "devices", 2000)
                for partner in channel.tier_two:
                    if partner.partner_type == PartnerType.MSP:
                        set_license_source(session, trail, partner, LicenseSource.PARENT_POOL)
                        continue
                    grant(partner, "endpoint-protection", "devices", 400)
                    for sub in channel.customers[partner.id]:
                        grant(sub, "endpoint-protection", "devices", 100)
                tier_three = [sub for subs in channel.customers.values() for sub in subs]

            # Two months of use: each customer grows (or shrinks) a little every few days.
            msp_subs = customers[: len(MSP_CUSTOMERS)]
            level = {sub.id: rng.randint(20, 90) for sub in [*customers, *tier_three]}
            level[standalone.id] = 60
            backup = {sub.id: rng.randint(1, 6) for sub in msp_subs[:6]}
            for day in range(HISTORY_DAYS, -1, -3):
                moment = now - timedelta(days=day, hours=rng.randint(1, 6))
                with _clock_at(moment), UnitOfWork(session):
                    for org in [*customers, *tier_three, standalone]:
                        level[org.id] = max(5, level[org.id] + rng.randint(-4, 9))
                        consumption.report_usage(
                            session,
                            trail,
                            org,
                            sku="endpoint-protection",
                            op=UsageOp.SET,
                            amount=level[org.id],
                            sees_pool_figures=True,
                        )
                    for org_id, units in backup.items():
                        backup[org_id] = max(1, units + rng.randint(-1, 1))
                        org = next(o for o in msp_subs if o.id == org_id)
                        consumption.report_usage(
                            session,
                            trail,
                            org,
                            sku="backup",
                            op=UsageOp.SET,
                            amount=backup[org_id],
                            sees_pool_figures=True,
                        )

            # The MSP sells under its own brand.
            with UnitOfWork(session):
                branding_service.save_draft(
                    session,
                    trail,
                    branding,
                    msp,
                    values={
                        "product_name": "Northwind Cloud",
                        "primary_color": "#7c2d12",
                        "accent_color": "#0f766e",
                        "support_email": "help@northwind.example",
                        "sign_in_message": "Welcome to Northwind Cloud, managed by Northwind MSP.",
                    },
                )
                branding_service.publish(session, trail, branding, msp)
    finally:
        engine.dispose()
    return personas


OPERATOR_MFA = (
    "The operator also proves a second factor (operators always do): the code of an\n"
    f"authenticator app holding the secret {DEMO_TOTP_SECRET}, or print one with\n"
    f"  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
)
