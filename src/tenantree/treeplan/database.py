"""The tree on the database: read in a handful of queries (treeplan.current)
and changed through the services, one unit of work per org, as the platform
operator on the server.

Nothing here writes a row itself: orgs are created and changed by
`lifecycle`, licenses by `licensing.grants`, a sub-org's terms by
`licensing.sub_org_terms`, access settings by `access.service`, brands by
`branding.service`; each checks its own rules and records the audit event.
A refused change rolls back its org's unit of work; the orgs before it stay.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenantree.access import service as access_service
from tenantree.audit.service import AuditTrail
from tenantree.branding import service as branding_service
from tenantree.branding.config import BrandingConfig
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.errors import DomainError, Invalid
from tenantree.identity.accounts import normalize_email
from tenantree.identity.context import IdentityConfig
from tenantree.identity.models import Account, Membership
from tenantree.licensing import grants, sub_org_terms
from tenantree.licensing.models import License, LicenseStatus
from tenantree.lifecycle import service as lifecycle
from tenantree.orgs.kinds import OrgStatus
from tenantree.orgs.models import Org
from tenantree.treeplan.apply import (
    ChangeRefused,
    customers_with,
    primary_admin_needed,
    refuse_unsupported,
)
from tenantree.treeplan.current import read_tree
from tenantree.treeplan.diff import Action, Change, OrgDiff, top_edition
from tenantree.treeplan.document import (
    AccessSpec,
    BrandSpec,
    CustomerSpec,
    LicenseSpec,
    PartnerSpec,
    Tree,
)


@dataclass(frozen=True)
class ApplyConfig:
    identity: IdentityConfig
    branding: BrandingConfig


class DatabaseTree:
    """The TreeStore of the local mode (treeplan.apply)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        trail_for: Callable[[Session], AuditTrail],
        config: ApplyConfig,
    ) -> None:
        self.sessions = sessions
        self.trail_for = trail_for
        self.config = config

    def read_tree(self) -> Tree:
        with self.sessions() as session:
            return read_tree(session)

    def apply_org(self, org: OrgDiff, changes: Sequence[Change]) -> None:
        with self.sessions() as session, UnitOfWork(session):
            apply_org(session, self.trail_for(session), self.config, org, changes)


def apply_org(
    session: Session,
    trail: AuditTrail,
    config: ApplyConfig,
    org: OrgDiff,
    changes: Sequence[Change],
) -> None:
    """Make one org's changes in the caller's unit of work; a refusal raises ChangeRefused."""
    target: Org | None = None
    for change in changes:
        try:
            refuse_unsupported(change)
            if change.what == "org" and change.action == Action.CREATE:
                target = _create(session, trail, config, org)
                continue
            if target is None:
                target = lifecycle.find_org(session, org.salesforce_id)
            _change(session, trail, config, org, target, change)
        except DomainError as exc:
            raise ChangeRefused(change, exc) from exc


def _create(session: Session, trail: AuditTrail, config: ApplyConfig, org: OrgDiff) -> Org:
    desired = org.desired
    assert desired is not None
    admin = str(desired.primary_admin_email) if desired.primary_admin_email else None
    if isinstance(desired, CustomerSpec):
        assert org.parent_salesforce_id is not None
        parent = lifecycle.find_org(session, org.parent_salesforce_id)
        return lifecycle.create_sub_org(
            session,
            trail,
            config.identity,
            parent,
            name=desired.name,
            salesforce_id=desired.salesforce_id,
            customer_name=desired.customer_name,
            primary_admin_email=admin,
        )
    assert isinstance(desired, PartnerSpec)
    return lifecycle.create_org(
        session,
        trail,
        config.identity,
        name=desired.name,
        salesforce_id=desired.salesforce_id,
        edition=top_edition(desired),
        primary_admin_email=primary_admin_needed(desired),
    )


def _change(
    session: Session,
    trail: AuditTrail,
    config: ApplyConfig,
    org: OrgDiff,
    target: Org,
    change: Change,
) -> None:
    match change.what:
        case "org":  # a deletion, made only with --prune: deactivation
            lifecycle.update_org(session, trail, target, status=OrgStatus.DEACTIVATED)
        case "name":
            lifecycle.update_org(session, trail, target, name=change.after)
        case "edition":
            lifecycle.update_org(session, trail, target, edition=change.after)
        case "status":
            lifecycle.update_org(
                session, trail, target, status=change.after, customers=customers_with(org, change)
            )
        case "partner_type":
            lifecycle.activate_partner(session, trail, target, partner_type=change.after)
        case "license":
            _license(session, trail, target, change)
        case "license_source":
            sub_org_terms.set_license_source(session, trail, target, change.after)
        case "quota":
            sub_org_terms.set_quota(session, trail, target, change.key or "", change.after)
        case "access":
            _access(session, trail, target, change.after)
        case "brand":
            _brand(session, trail, config.branding, target, change.after)
        case _:  # pragma: no cover - the diff makes only the kinds above
            raise AssertionError(change.what)


def _license(session: Session, trail: AuditTrail, target: Org, change: Change) -> None:
    if change.action == Action.CREATE:
        wanted: LicenseSpec = change.after
        license_ = grants.grant_license(
            session,
            trail,
            target,
            sku=wanted.sku,
            unit=wanted.unit,
            quantity=wanted.quantity,
            starts_at=wanted.starts_at,
            ends_at=wanted.ends_at,
            overage_policy=wanted.overage_policy,
            salesforce_contract_id=wanted.salesforce_contract_id,
        )
        if wanted.status != LicenseStatus.ACTIVE:
            grants.update_license(session, trail, target, license_.id, status=wanted.status)
        return
    before: LicenseSpec = change.before
    found = _find_license(session, target, before)
    if change.action == Action.DELETE:  # with --prune: the license ends, nothing is deleted
        grants.update_license(session, trail, target, found.id, status=LicenseStatus.ENDED)
        return
    wanted = change.after
    grants.update_license(
        session,
        trail,
        target,
        found.id,
        quantity=wanted.quantity,
        ends_at=wanted.ends_at,
        status=wanted.status,
        overage_policy=wanted.overage_policy,
    )


def _find_license(session: Session, target: Org, spec: LicenseSpec) -> License:
    for license_ in grants.list_licenses(session, target):
        if license_.sku == spec.sku and license_.starts_at == spec.starts_at:
            return license_
    raise Invalid(
        f"no license of {spec.sku} starts at {spec.starts_at.isoformat()}", field="license"
    )


def _partner_memberships(session: Session, partner_id: uuid.UUID) -> dict[str, uuid.UUID]:
    rows = session.execute(
        select(Account.email, Membership.id)
        .join(Account, Account.id == Membership.account_id)
        .where(Membership.org_id == partner_id)
    )
    return {key: value for key, value in rows}


def _access(session: Session, trail: AuditTrail, target: Org, wanted: AccessSpec) -> None:
    assert target.parent_id is not None
    users: list[uuid.UUID] | None = None
    if wanted.partner_users != "all":
        memberships = _partner_memberships(session, target.parent_id)
        unknown = [e for e in wanted.partner_users if normalize_email(e) not in memberships]
        if unknown:
            raise Invalid(
                "access.partner_users must be users of the sub-org's partner; unknown: "
                + ", ".join(unknown),
                field="access.partner_users",
            )
        users = [memberships[normalize_email(e)] for e in wanted.partner_users]
    now = access_service.get_access_settings(session, target)
    access_service.set_access_settings(
        session,
        trail,
        target,
        customer_access=wanted.customer_access,
        partner_users=users,
        customer_may_brand=wanted.customer_may_brand,
        # Not in the file: an end of partner-wide access set elsewhere is kept.
        partner_access_expires_at=now.partner_access_expires_at if users is None else None,
    )


def _brand(
    session: Session, trail: AuditTrail, config: BrandingConfig, target: Org, wanted: BrandSpec
) -> None:
    """Save the file's text fields as the draft (images kept) and publish it."""
    branding_service.save_draft(session, trail, config, target, values=wanted.model_dump())
    branding_service.publish(session, trail, config, target)
