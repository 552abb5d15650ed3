"""The database's tree, read in the file's form (what `export` writes, what `plan` compares).

A handful of queries for the whole tree, whatever its size: a no-op apply of
a thousand sub-orgs reads it once and compares in memory. A section at its
default (no licenses, no quotas, default access, no published brand) is left
out, which the file reads as "not managed" and creation makes the same.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.branding.fields import TEXT_FIELDS
from tenantree.branding.models import Brand, Stage
from tenantree.identity.models import Account, Membership
from tenantree.licensing.models import License, LicenseSource, LicenseSourceChange, Quota
from tenantree.orgs.kinds import Edition, OrgKind, OrgStatus, PartnerType
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser
from tenantree.treeplan.diff import default_source
from tenantree.treeplan.document import (
    AccessSpec,
    BrandSpec,
    CustomerSpec,
    LicenseSpec,
    PartnerSpec,
    SubOrgSpec,
    Tree,
)


def _licenses(session: Session) -> dict[uuid.UUID, list[LicenseSpec]]:
    held: dict[uuid.UUID, list[LicenseSpec]] = defaultdict(list)
    for license_ in session.scalars(
        select(License).order_by(License.sku, License.starts_at, License.id)
    ):
        held[license_.holder_org_id].append(
            LicenseSpec(
                sku=license_.sku,
                unit=license_.unit,
                quantity=license_.quantity,
                starts_at=license_.starts_at,
                ends_at=license_.ends_at,
                overage_policy=license_.overage_policy,
                status=license_.status,
                salesforce_contract_id=license_.salesforce_contract_id,
            )
        )
    return held


def _latest_sources(session: Session) -> dict[uuid.UUID, LicenseSource]:
    """Each sub-org's newest source change (of two at one moment the higher id wins,
    as licensing.sources reads it)."""
    latest: dict[uuid.UUID, LicenseSource] = {}
    rows = session.execute(
        select(LicenseSourceChange.org_id, LicenseSourceChange.source).order_by(
            LicenseSourceChange.at, LicenseSourceChange.id
        )
    )
    for org_id, source in rows:
        latest[org_id] = LicenseSource(source)
    return latest


def _quotas(session: Session) -> dict[uuid.UUID, dict[str, int]]:
    quotas: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for quota in session.scalars(select(Quota).order_by(Quota.sku)):
        quotas[quota.sub_org_id][quota.sku] = quota.max_units
    return quotas


def _access(session: Session) -> dict[uuid.UUID, AccessSpec]:
    listed: dict[uuid.UUID, list[str]] = defaultdict(list)
    rows = session.execute(
        select(SubOrgPartnerUser.sub_org_id, Account.email)
        .join(Membership, Membership.id == SubOrgPartnerUser.membership_id)
        .join(Account, Account.id == Membership.account_id)
    )
    for sub_org_id, email in rows:
        listed[sub_org_id].append(email)
    return {
        row.org_id: AccessSpec(
            customer_access=CustomerAccess(row.customer_access),
            partner_users=listed[row.org_id] if row.partner_users_restricted else "all",
            customer_may_brand=row.customer_may_brand,
        )
        for row in session.scalars(select(SubOrgAccess))
    }


def _brands(session: Session) -> dict[uuid.UUID, BrandSpec]:
    return {
        brand.org_id: BrandSpec(**{name: getattr(brand, name) for name in TEXT_FIELDS})
        for brand in session.scalars(select(Brand).where(Brand.stage == Stage.PUBLISHED))
    }


def _primary_admins(session: Session) -> dict[uuid.UUID, str]:
    rows = session.execute(
        select(Membership.org_id, Account.email)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.is_primary_admin.is_(True))
    )
    return {key: value for key, value in rows}


def read_tree(session: Session) -> Tree:
    """The whole tree as it is now: top-level orgs by name, each partner's
    sub-orgs by name (a tier-2 partner's customers under it, by name)."""
    orgs = list(session.scalars(select(Org).order_by(Org.name, Org.salesforce_id)))
    licenses = _licenses(session)
    sources = _latest_sources(session)
    quotas = _quotas(session)
    access = _access(session)
    brands = _brands(session)
    admins = _primary_admins(session)
    by_id = {org.id: org for org in orgs}

    def common(org: Org) -> dict[str, Any]:
        return {
            "salesforce_id": org.salesforce_id,
            "name": org.name,
            "edition": Edition(org.edition),
            "status": OrgStatus(org.status),
            "primary_admin_email": admins.get(org.id),
            "licenses": licenses.get(org.id) or None,
            "brand": brands.get(org.id),
        }

    def customer(org: Org) -> dict[str, Any]:
        assert org.parent_id is not None
        parent_type = _partner_type(by_id[org.parent_id].partner_type)
        source = sources.get(org.id, default_source(parent_type))
        settings = access.get(org.id, AccessSpec())
        return common(org) | {
            "customer_name": org.customer_name or org.name,
            "license_source": None if source == default_source(parent_type) else source,
            "quotas": quotas.get(org.id) or None,
            "access": None if settings == AccessSpec() else settings,
        }

    # A tier-2 partner's customers (depth 2), then the top-level orgs' sub-orgs.
    customers: dict[uuid.UUID, list[CustomerSpec]] = defaultdict(list)
    children: dict[uuid.UUID, list[SubOrgSpec]] = defaultdict(list)
    for org in orgs:
        if org.kind == OrgKind.SUB_ORG and org.parent_id is not None and org.depth == 2:
            customers[org.parent_id].append(CustomerSpec(**customer(org)))
    for org in orgs:
        if org.kind == OrgKind.SUB_ORG and org.parent_id is not None and org.depth == 1:
            children[org.parent_id].append(
                SubOrgSpec(
                    **customer(org),
                    partner_type=_partner_type(org.partner_type),
                    sub_orgs=customers.get(org.id, []),
                )
            )
    top = [
        PartnerSpec(
            **common(org),
            partner_type=_partner_type(org.partner_type),
            sub_orgs=children.get(org.id, []),
        )
        for org in orgs
        if org.kind != OrgKind.SUB_ORG
    ]
    return Tree(orgs=top)


def _partner_type(value: str | None) -> PartnerType | None:
    return PartnerType(value) if value else None
