"""Which pool an org draws on: its license source."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.licensing.models import LicenseSource, LicenseSourceChange
from tenantree.orgs.models import Org, OrgKind, PartnerType


def default_source(org: Org, parent: Org | None) -> LicenseSource:
    """MSP customers share the MSP's pool; everyone else holds their own."""
    if (
        org.kind == OrgKind.SUB_ORG
        and parent is not None
        and parent.partner_type == PartnerType.MSP
    ):
        return LicenseSource.PARENT_POOL
    return LicenseSource.OWN


def current_source(session: Session, org: Org) -> LicenseSource:
    if org.kind != OrgKind.SUB_ORG:
        return LicenseSource.OWN
    latest = session.scalar(
        select(LicenseSourceChange.source)
        .where(LicenseSourceChange.org_id == org.id)
        .order_by(LicenseSourceChange.at.desc(), LicenseSourceChange.id.desc())
        .limit(1)
    )
    if latest is not None:
        return LicenseSource(latest)
    parent = session.get(Org, org.parent_id) if org.parent_id else None
    return default_source(org, parent)


def source_holder_id(session: Session, org: Org) -> tuple[LicenseSource, object]:
    source = current_source(session, org)
    if source == LicenseSource.PARENT_POOL and org.parent_id is not None:
        return source, org.parent_id
    return source, org.id
