"""Making a diff's changes through the services, one unit of work per org.

Nothing here writes a row itself: orgs are created and changed by
`lifecycle`, licenses by `licensing.grants`, a sub-org's terms by
`licensing.sub_org_terms`, access settings by `access.service`, brands by
`branding.service`; each checks its own rules and records the audit event.
The first refusal stops the run: that org's work is rolled back, the orgs
before it stay applied, and `ApplyRefused` says which ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

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
from tenantree.orgs.kinds import OrgStatus, PartnerCustomers
from tenantree.orgs.models import Org
from tenantree.treeplan.diff import Action, Change, OrgDiff, TreeDiff, top_edition
from tenantree.treeplan.document import AccessSpec, BrandSpec, LicenseSpec, PartnerSpec, SubOrgSpec


@dataclass(frozen=True)
class ApplyConfig:
    identity: IdentityConfig
    branding: BrandingConfig


class ApplyRefused(Exception):
    """A service refused a change; the orgs in `applied` were committed before it."""

    def __init__(
        self, org: OrgDiff, change: Change, error: DomainError, applied: Sequence[OrgDiff]
    ) -> None:
        self.org = org
        self.change = change
        self.error = error
        self.applied = list(applied)
        super().__init__(error.message)

    def __str__(self) -> str:
        return (
            f"{self.org.salesforce_id} ({self.org.name}): {self.change.describe()}: "
            f"{self.error.message}"
        )


@dataclass
class ApplyResult:
    applied: list[OrgDiff] = field(default_factory=list)
    # Deletions shown by plan and not made: orgs and licenses without --prune,
    # quotas always (prune only deactivates and ends).
    left: list[tuple[OrgDiff, Change]] = field(default_factory=list)


class _Refusal(Exception):
    def __init__(self, change: Change, error: DomainError) -> None:
        self.change = change
        self.error = error


def _made(change: Change, prune: bool) -> bool:
    """Whether apply makes this change (the rest is only shown)."""
    if change.action != Action.DELETE:
        return True
    return prune and change.what in ("org", "license")


def apply_diff(
    sessions: sessionmaker[Session],
    trail_for: Callable[[Session], AuditTrail],
    config: ApplyConfig,
    diff: TreeDiff,
    *,
    prune: bool = False,
    replan: Callable[[], TreeDiff] | None = None,
) -> ApplyResult:
    """Make every change of `diff`, each org in its own unit of work, in order.

    A partner's status change moves its customers with it (suspended with
    it, or brought back with it: lifecycle.deactivation), so the orgs after
    it are planned again (`replan`) before they are applied.
    """
    result = ApplyResult()
    pending = list(diff.orgs)
    while pending:
        org = pending.pop(0)
        made = [c for c in org.changes if _made(c, prune)]
        result.left += [(org, c) for c in org.changes if not _made(c, prune)]
        if not made:
            continue
        try:
            with sessions() as session, UnitOfWork(session):
                apply_org(session, trail_for(session), config, org, made)
        except _Refusal as refusal:
            raise ApplyRefused(org, refusal.change, refusal.error, result.applied) from None
        result.applied.append(org)
        moved_customers = not org.is_sub_org and any(c.what == "status" for c in made)
        if moved_customers and replan is not None and pending:
            later = {o.salesforce_id for o in pending}
            pending = [o for o in replan().orgs if o.salesforce_id in later]
    return result


def apply_org(
    session: Session,
    trail: AuditTrail,
    config: ApplyConfig,
    org: OrgDiff,
    changes: Sequence[Change],
) -> None:
    """Make one org's changes in the caller's unit of work; a refusal raises _Refusal."""
    target: Org | None = None
    for change in changes:
        try:
            if change.what == "org" and change.action == Action.CREATE:
                target = _create(session, trail, config, org)
                continue
            if target is None:
                target = lifecycle.find_org(session, org.salesforce_id)
            _change(session, trail, config, org, target, change)
        except DomainError as exc:
            raise _Refusal(change, exc) from exc


def _create(session: Session, trail: AuditTrail, config: ApplyConfig, org: OrgDiff) -> Org:
    desired = org.desired
    assert desired is not None
    admin = str(desired.primary_admin_email) if desired.primary_admin_email else None
    if isinstance(desired, SubOrgSpec):
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
    if admin is None:
        raise Invalid(
            "creating a top-level org needs its primary_admin_email (who is invited)",
            field="primary_admin_email",
        )
    return lifecycle.create_org(
        session,
        trail,
        config.identity,
        name=desired.name,
        salesforce_id=desired.salesforce_id,
        edition=top_edition(desired),
        primary_admin_email=admin,
    )


def _unsupported(message: str, field: str) -> Invalid:
    return Invalid(message, field=field, code="not_supported_by_tree")


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
                session, trail, target, status=change.after, customers=_customers(org, change)
            )
        case "partner_type":
            if change.before is not None or change.after is None:
                raise _unsupported(
                    "a partner's type cannot change, nor can an org stop being a partner",
                    "partner_type",
                )
            lifecycle.activate_partner(session, trail, target, partner_type=change.after)
        case "parent":
            raise _unsupported(
                "an org cannot move to another partner, nor in or out of one", "parent"
            )
        case "customer_name":
            raise _unsupported("a sub-org's customer_name is set at its creation", "customer_name")
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


def _customers(org: OrgDiff, change: Change) -> PartnerCustomers | None:
    """A partner deactivated by the file: its customers are suspended with it when the
    file deactivates them all, else they keep running (and those the file
    deactivates follow, one by one)."""
    desired = org.desired
    if not isinstance(desired, PartnerSpec) or desired.partner_type is None:
        return None
    if change.after != OrgStatus.DEACTIVATED:
        return None
    if all(sub.status == OrgStatus.DEACTIVATED for sub in desired.sub_orgs):
        return PartnerCustomers.SUSPEND
    return PartnerCustomers.KEEP_RUNNING


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
    if wanted.unit != before.unit:
        raise _unsupported(f"licenses of {wanted.sku} keep their unit", "unit")
    if wanted.salesforce_contract_id != before.salesforce_contract_id:
        raise _unsupported(
            "a license's Salesforce contract is set when it is granted", "salesforce_contract_id"
        )
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
