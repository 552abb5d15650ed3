"""Deactivating a partner, defined: the operator chooses what its customers do.

`suspend`: every active sub-org is deactivated with it (marked so), and
reactivating the partner reactivates exactly those. Under a distributor this
goes down the tiers: a tier-2 partner suspended with it suspends its own
active customers, and comes back with them. `keep_running`: the
sub-orgs keep working and keep drawing on the partner's pool; the audit logs
say so and the partner's report flags their draw. Partner staff lose their
way in either way (a partner path through a deactivated partner is blocked).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.orgs.kinds import OrgStatus, PartnerCustomers
from tenantree.orgs.models import Org

CHOICE_NEEDED = (
    'deactivating a partner with active customers needs "customers": "suspend" '
    '(deactivate them too) or "keep_running" (they keep working and drawing on its pool, '
    "flagged in its report)"
)


def check_customers_choice(
    *,
    is_partner: bool,
    deactivating: bool,
    has_active_customers: bool,
    customers: PartnerCustomers | None,
) -> None:
    """The choice is asked for exactly when a partner with customers is deactivated."""
    if customers is not None and not (is_partner and deactivating):
        raise Invalid('"customers" applies only when deactivating a partner', field="customers")
    if customers is None and is_partner and deactivating and has_active_customers:
        raise Invalid(CHOICE_NEEDED, field="customers")


def _sub_orgs(session: Session, partner: Org, **where: object) -> list[Org]:
    query = select(Org).where(Org.parent_id == partner.id).filter_by(**where)
    return list(session.scalars(query.order_by(Org.id)))


def has_active_customers(session: Session, partner: Org) -> bool:
    return bool(partner.is_partner and _sub_orgs(session, partner, status=OrgStatus.ACTIVE))


def on_partner_deactivated(
    session: Session, trail: AuditTrail, partner: Org, customers: PartnerCustomers | None
) -> None:
    """Apply the operator's choice to the partner's active customers."""
    running = _sub_orgs(session, partner, status=OrgStatus.ACTIVE)
    if not running or customers is None:
        return
    suspend = customers == PartnerCustomers.SUSPEND
    action = (
        AuditAction.ORG_DEACTIVATED_WITH_PARTNER
        if suspend
        else AuditAction.ORG_CUSTOMERS_LEFT_RUNNING
    )
    for sub_org in running:
        if suspend:
            sub_org.status = OrgStatus.DEACTIVATED
            sub_org.deactivated_with_partner = True
            if sub_org.is_partner:  # a tier-2 partner: its customers go with it
                on_partner_deactivated(session, trail, sub_org, customers)
        trail.record(
            action,
            org_id=sub_org.id,
            target_type="org",
            target_id=sub_org.id,
            partner_id=str(partner.id),
        )
    session.flush()  # the sub-orgs' new status is what this request's next decision reads
    trail.record(
        action,
        org_id=partner.id,
        target_type="org",
        target_id=partner.id,
        customers=customers.value,
        sub_org_ids=[str(s.id) for s in running],
    )


def on_partner_reactivated(session: Session, trail: AuditTrail, partner: Org) -> None:
    """Reactivate the customers that were deactivated with the partner."""
    suspended = _sub_orgs(session, partner, deactivated_with_partner=True)
    for sub_org in suspended:
        sub_org.status = OrgStatus.ACTIVE
        sub_org.deactivated_with_partner = False
        if sub_org.is_partner:  # a tier-2 partner: those suspended with it come back
            on_partner_reactivated(session, trail, sub_org)
        trail.record(
            AuditAction.ORG_REACTIVATED_WITH_PARTNER,
            org_id=sub_org.id,
            target_type="org",
            target_id=sub_org.id,
            partner_id=str(partner.id),
        )
    session.flush()
