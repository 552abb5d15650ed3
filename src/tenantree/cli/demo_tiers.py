"""The demo's three-tier channel: a distributor, a tier-2 reseller and MSP under
it, and their customers (`tenantree demo`, cli/demo.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tenantree.audit.service import AuditTrail
from tenantree.identity.context import IdentityConfig
from tenantree.lifecycle import service as orgs
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org

TIER_TWO = (
    ("Relecloud Reseller", PartnerType.RESELLER, ("Fourth Coffee", "VanArsdel")),
    ("Woodgrove MSP", PartnerType.MSP, ("Southridge Video", "Graphic Design Institute")),
)


@dataclass
class Channel:
    """What the demo made: the distributor, its tier-2 partners, their customers."""

    distributor: Org
    tier_two: list[Org] = field(default_factory=list)
    # Per tier-2 partner's id, its customers (tier 3).
    customers: dict[object, list[Org]] = field(default_factory=dict)
    # (who, email, org name) of each persona to print.
    personas: list[tuple[str, str, str]] = field(default_factory=list)


def add_channel(
    session: Session,
    trail: AuditTrail,
    identity: IdentityConfig,
    new_org: Callable[[str, str], Org],
    new_salesforce_id: Callable[[], str],
) -> Channel:
    """Create the distributor and everything below it, through the services."""
    distributor = new_org("Contoso Distribution", "dana@contosodist.example")
    orgs.activate_partner(session, trail, distributor, partner_type=PartnerType.DISTRIBUTOR)
    channel = Channel(distributor)
    channel.personas.append(
        ("Distributor primary admin", "dana@contosodist.example", distributor.name)
    )
    for name, partner_type, customer_names in TIER_TWO:
        slug = name.split()[0].lower()
        partner = orgs.create_sub_org(
            session,
            trail,
            identity,
            distributor,
            name=name,
            salesforce_id=new_salesforce_id(),
            customer_name=name,
            primary_admin_email=f"admin@{slug}.example",
        )
        orgs.activate_partner(session, trail, partner, partner_type=partner_type)
        channel.tier_two.append(partner)
        label = "MSP" if partner_type == PartnerType.MSP else "reseller"
        channel.personas.append((f"Tier-2 {label} primary admin", f"admin@{slug}.example", name))
        channel.customers[partner.id] = [
            orgs.create_sub_org(
                session,
                trail,
                identity,
                partner,
                name=customer,
                salesforce_id=new_salesforce_id(),
                customer_name=f"{customer} Ltd",
                primary_admin_email=f"admin@{customer.split()[0].lower()}.example",
            )
            for customer in customer_names
        ]
        first = channel.customers[partner.id][0]
        channel.personas.append(
            (
                f"Customer admin (tier-2 {label}'s customer)",
                f"admin@{first.name.split()[0].lower()}.example",
                first.name,
            )
        )
    return channel
