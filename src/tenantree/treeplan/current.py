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
from tenantree.treeplan.document import AccessSpec, BrandSpec, LicenseSpec, Tree
from tenantree.treeplan.nesting import Reached, nest


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


class _Fields:
    """An org's fields in the file, from the tables read once (nesting.FieldReader)."""

    def __init__(self, session: Session) -> None:
        self.licenses = _licenses(session)
        self.sources = _latest_sources(session)
        self.quotas = _quotas(session)
        self.access = _access(session)
        self.brands = _brands(session)
        self.admins = _primary_admins(session)

    def own(self, org: Org) -> dict[str, Any]:
        return {
            "salesforce_id": org.salesforce_id,
            "name": org.name,
            "edition": Edition(org.edition),
            "status": OrgStatus(org.status),
            "primary_admin_email": self.admins.get(org.id),
            "licenses": self.licenses.get(org.id) or None,
            "brand": self.brands.get(org.id),
        }

    def as_customer(self, org: Org, partner: Org) -> dict[str, Any]:
        default = default_source(_partner_type(partner.partner_type))
        source = self.sources.get(org.id, default)
        settings = self.access.get(org.id, AccessSpec())
        return self.own(org) | {
            "customer_name": org.customer_name or org.name,
            "license_source": None if source == default else source,
            "quotas": self.quotas.get(org.id) or None,
            "access": None if settings == AccessSpec() else settings,
        }


def read_tree(session: Session) -> Tree:
    """The whole tree as it is now: top-level orgs by name, each partner's
    sub-orgs by name (a tier-2 partner's customers under it, by name)."""
    orgs = session.scalars(select(Org).order_by(Org.name, Org.salesforce_id))
    reached = [
        Reached(
            org.id,
            org.parent_id,
            org.kind == OrgKind.SUB_ORG,
            _partner_type(org.partner_type),
            org,
        )
        for org in orgs
    ]
    return nest(reached, _Fields(session))


def _partner_type(value: str | None) -> PartnerType | None:
    return PartnerType(value) if value else None
