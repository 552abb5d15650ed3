"""Creating and changing orgs: operator work (listing them by reach: access.org_listing)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict, Invalid
from tenantree.identity.context import IdentityConfig
from tenantree.identity.invitations import invite
from tenantree.identity.roles import Role
from tenantree.licensing.consumer_state import changed_by
from tenantree.licensing.linked import gather_partner_use
from tenantree.licensing.sources import lock_path
from tenantree.lifecycle import deactivation, tiers
from tenantree.orgs.errors import (
    NotAPartner,
    NotEligibleForPartner,
    OrgNotFound,
    SalesforceIdTaken,
)
from tenantree.orgs.kinds import Edition, OrgKind, OrgStatus, PartnerCustomers, PartnerType
from tenantree.orgs.models import Org
from tenantree.orgs.salesforce import normalize_account_id
from tenantree.orgs.sub_org_access import SubOrgAccess


def _claim_salesforce_id(session: Session, raw: str) -> str:
    salesforce_id = normalize_account_id(raw)
    if session.scalar(select(Org.id).where(Org.salesforce_id == salesforce_id)):
        raise SalesforceIdTaken(
            f"Salesforce account {salesforce_id} already belongs to another org",
            field="salesforce_id",
        )
    return salesforce_id


def create_org(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    *,
    name: str,
    salesforce_id: str,
    edition: Edition,
    primary_admin_email: str,
) -> Org:
    org = Org(
        name=name,
        kind=OrgKind.STANDARD,
        edition=edition,
        salesforce_id=_claim_salesforce_id(session, salesforce_id),
    )
    session.add(org)
    session.flush()
    trail.record(
        AuditAction.ORG_CREATED,
        org_id=org.id,
        target_type="org",
        target_id=org.id,
        name=name,
        salesforce_id=org.salesforce_id,
        edition=edition.value,
    )
    invite(
        session,
        trail,
        config,
        org,
        email=primary_admin_email,
        role=Role.ADMIN,
        as_primary_admin=True,
    )
    return org


def activate_partner(
    session: Session, trail: AuditTrail, org: Org, *, partner_type: PartnerType
) -> Org:
    """Make the org a partner: a top-level org of any partner type, or a
    distributor's customer as an MSP or reseller (tier 2; it stays its
    distributor's sub-org). Operator work, as creating every org is."""
    parent = session.get(Org, org.parent_id) if org.parent_id is not None else None
    tiers.check_activation(
        is_sub_org=org.is_sub_org,
        parent_is_distributor=parent is not None and parent.is_distributor,
        depth=org.depth,
        partner_type=partner_type,
    )
    if org.is_partner:
        raise Conflict(
            f"this org is already a partner ({org.partner_type})", code="already_partner"
        )
    if org.edition != Edition.PRO:
        raise NotEligibleForPartner(
            "partner features need a Pro-licensed org; set edition to 'pro' first",
            field="partner_type",
        )
    if not org.is_active:
        raise Conflict("a deactivated org cannot become a partner", code="org_deactivated")
    if not org.is_sub_org:
        org.kind = OrgKind.PARTNER
    org.partner_type = partner_type
    session.flush()
    gathered = _gather_own_use(session, trail, org)
    for org_id in (org.id, parent.id) if parent is not None else (org.id,):
        trail.record(
            AuditAction.ORG_PARTNER_ACTIVATED,
            org_id=org_id,
            target_type="org",
            target_id=org.id,
            partner_type=partner_type.value,
            **({"own_use_gathered": gathered} if gathered else {}),
        )
    return org


def _gather_own_use(session: Session, trail: AuditTrail, org: Org) -> dict[str, int]:
    """A tier-2 partner's own use sits in its own pools (licensing.sources): if
    it drew on its distributor's pool, that use moves into its linked pools."""
    if not org.is_sub_org:
        return {}
    link = lock_path(session, org).link
    if link is None:
        return {}
    return gather_partner_use(session, link, at=clock.utcnow(), by=changed_by(trail))


def create_sub_org(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    parent: Org,
    *,
    name: str,
    salesforce_id: str,
    customer_name: str,
    primary_admin_email: str | None,
) -> Org:
    if not parent.is_partner:
        raise NotAPartner(
            "sub-orgs can be created only under a partner org; activate partner features first"
        )
    if not parent.is_active:
        raise Conflict("the partner org is deactivated", code="org_deactivated")
    tiers.check_child_depth(parent.depth)
    sub_org = Org(
        name=name,
        kind=OrgKind.SUB_ORG,
        edition=parent.edition,
        salesforce_id=_claim_salesforce_id(session, salesforce_id),
        # An MSP's customers link to it through its Salesforce account.
        partner_salesforce_id=parent.salesforce_id
        if parent.partner_type == PartnerType.MSP
        else None,
        customer_name=customer_name,
    )
    sub_org.place_under(parent)
    session.add(sub_org)
    session.flush()
    session.add(SubOrgAccess(org_id=sub_org.id))
    session.flush()
    for org_id in (sub_org.id, parent.id):
        trail.record(
            AuditAction.SUB_ORG_CREATED,
            org_id=org_id,
            target_type="org",
            target_id=sub_org.id,
            name=name,
            parent_id=str(parent.id),
            salesforce_id=sub_org.salesforce_id,
            customer_name=customer_name,
        )
    if primary_admin_email:
        invite(
            session,
            trail,
            config,
            sub_org,
            email=primary_admin_email,
            role=Role.ADMIN,
            as_primary_admin=True,
        )
    return sub_org


def update_org(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    name: str | None = None,
    edition: Edition | None = None,
    status: OrgStatus | None = None,
    customers: PartnerCustomers | None = None,
) -> Org:
    """Change an org. Deactivating a partner with active customers needs the
    operator's choice for them (`customers`, lifecycle.deactivation)."""
    before = {"name": org.name, "edition": org.edition, "status": org.status}
    deactivating = org.is_active and status == OrgStatus.DEACTIVATED
    reactivating = not org.is_active and status == OrgStatus.ACTIVE
    deactivation.check_customers_choice(
        is_partner=org.is_partner,
        deactivating=deactivating,
        has_active_customers=deactivating and deactivation.has_active_customers(session, org),
        customers=customers,
    )
    if edition is not None and edition != Edition.PRO and org.is_partner:
        raise Conflict(
            "a partner org must stay on the Pro edition", code="partner_needs_pro", field="edition"
        )
    if name is not None:
        org.name = name
    if edition is not None:
        org.edition = edition
    if status is not None:
        org.status = status
    session.flush()
    after = {"name": org.name, "edition": org.edition, "status": org.status}
    changed = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if changed:
        trail.record(
            AuditAction.ORG_UPDATED,
            org_id=org.id,
            target_type="org",
            target_id=org.id,
            changes=changed,
        )
    if org.is_partner and deactivating:
        deactivation.on_partner_deactivated(session, trail, org, customers)
    elif org.is_partner and reactivating:
        deactivation.on_partner_reactivated(session, trail, org)
    return org


def find_org(session: Session, ref: str) -> Org:
    """An org by its id or its Salesforce account ID, for operator tools (no visibility rule).

    Raises 404 when no org has it.
    """
    ref = ref.strip()
    try:
        org = session.get(Org, uuid.UUID(ref))
    except ValueError:
        try:
            salesforce_id = normalize_account_id(ref, field="org")
        except Invalid as exc:
            raise Invalid(
                f"{ref!r} is neither an org id (a UUID) nor a Salesforce account ID: {exc.message}",
                field="org",
            ) from exc
        org = session.scalar(select(Org).where(Org.salesforce_id == salesforce_id))
    if org is None:
        raise OrgNotFound(f"no org has the id or Salesforce account ID {ref!r}", field="org")
    return org


def find_partner(session: Session, partner_id: uuid.UUID) -> Org:
    """The org a body names as the partner to move to (422 when none has the id)."""
    org = session.get(Org, partner_id)
    if org is None:
        raise Invalid(f"no org has the id {partner_id}", field="to_partner_id")
    return org
