"""The one place that decides who may do what in which org.

Plain functions over plain facts (no database, no HTTP), so every rule of
../shared/ACCESS.md can be tested directly. An actor reaches an org along
zero or more *paths*:

- operator: every permission everywhere;
- member: a directory entry in the org itself (native or invited; the same);
- partner: a directory entry in the org's partner parent, whose role maps
  down into the sub-org, while the sub-org lets partner users in.

A path may be *blocked* (deactivated org, refused customer, suspended entry):
the org is then visible (403) but nothing is allowed along it. No path at all
means the org is invisible (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tenantree.access.errors import (
    AccessDenied,
    CustomerAccessRefused,
    OrgDeactivated,
    OrgInvisible,
)
from tenantree.access.permissions import Permission
from tenantree.errors import DomainError
from tenantree.identity.errors import UserSuspended
from tenantree.identity.models import Role
from tenantree.orgs.models import OrgKind

P = Permission

ROLE_GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            P.ORG_ACCESS_READ,
            P.ORG_AUDIT_READ,
            P.ORG_BRAND_MANAGE,
            P.ORG_BRAND_READ,
            P.ORG_LICENSE_REPORT_READ,
            P.ORG_QUOTAS_MANAGE,
            P.ORG_SUB_ORGS_READ,
            P.ORG_USAGE_REPORT,
            P.ORG_USERS_MANAGE,
            P.ORG_USERS_READ,
            P.ORG_VIEW,
        }
    ),
    Role.USER: frozenset({P.ORG_SUB_ORGS_READ, P.ORG_USAGE_REPORT, P.ORG_VIEW}),
    Role.READ_ONLY: frozenset({P.ORG_SUB_ORGS_READ, P.ORG_VIEW}),
}

# Only operators hold these; nobody inside an org ever does.
OPERATOR_ONLY: frozenset[Permission] = frozenset({P.PLATFORM_ORGS_MANAGE})


class Block(StrEnum):
    """Why a path that makes an org visible allows nothing. Highest priority first."""

    ORG_DEACTIVATED = "org_deactivated"
    CUSTOMER_ACCESS_REFUSED = "customer_access_refused"
    USER_SUSPENDED = "user_suspended"


_BLOCK_PRIORITY = list(Block)


@dataclass(frozen=True)
class MembershipFact:
    membership_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    is_primary_admin: bool
    active: bool
    org_active: bool


@dataclass(frozen=True)
class Actor:
    account_id: uuid.UUID
    is_operator: bool = False
    memberships: Mapping[uuid.UUID, MembershipFact] = field(default_factory=dict)


@dataclass(frozen=True)
class OrgFacts:
    id: uuid.UUID
    kind: OrgKind
    parent_id: uuid.UUID | None
    active: bool
    # Sub-orgs only; defaults describe an unrestricted, permitted sub-org.
    customer_access_refused: bool = False
    # None: every partner user may enter. A set: only these partner entries.
    partner_users: frozenset[uuid.UUID] | None = None
    customer_may_brand: bool = False


@dataclass(frozen=True)
class Path:
    via_org_id: uuid.UUID | None
    permissions: frozenset[Permission]
    block: Block | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    visible: bool
    via_org_id: uuid.UUID | None = None
    denial_code: str | None = None

    def error(self) -> DomainError | None:
        if self.allowed:
            return None
        if not self.visible:
            return OrgInvisible("no such org")
        return _DENIAL_ERRORS[self.denial_code or "forbidden"]()


_DENIAL_ERRORS = {
    Block.ORG_DEACTIVATED.value: lambda: OrgDeactivated("this org is deactivated"),
    Block.CUSTOMER_ACCESS_REFUSED.value: lambda: CustomerAccessRefused(
        "the partner has refused customer access to this org"
    ),
    Block.USER_SUSPENDED.value: lambda: UserSuspended("your account is suspended in this org"),
    "forbidden": lambda: AccessDenied("your role does not allow this action"),
}

ALL_PERMISSIONS = frozenset(Permission)


def member_path(org: OrgFacts, membership: MembershipFact) -> Path:
    grants = set(ROLE_GRANTS[membership.role])
    if org.kind == OrgKind.SUB_ORG:
        # Quotas are the partner's business; branding is the partner's to allow.
        grants.discard(P.ORG_QUOTAS_MANAGE)
        if not org.customer_may_brand:
            grants.discard(P.ORG_BRAND_MANAGE)
    if membership.is_primary_admin:
        grants.add(P.ORG_PRIMARY_ADMIN_TRANSFER)
    block = None
    if not org.active:
        block = Block.ORG_DEACTIVATED
    elif org.kind == OrgKind.SUB_ORG and org.customer_access_refused:
        block = Block.CUSTOMER_ACCESS_REFUSED
    elif not membership.active:
        block = Block.USER_SUSPENDED
    return Path(org.id, frozenset(grants), block)


def partner_path(org: OrgFacts, membership: MembershipFact) -> Path | None:
    """A partner entry's reach into one of its sub-orgs, or None if it has none."""
    listed = (
        org.partner_users is None
        or membership.is_primary_admin  # the primary admin controls every sub-org
        or membership.membership_id in org.partner_users
    )
    if not listed:
        return None
    grants = set(ROLE_GRANTS[membership.role])
    if membership.is_primary_admin:
        grants.add(P.ORG_ACCESS_MANAGE)
    block = None
    if not (org.active and membership.org_active):
        block = Block.ORG_DEACTIVATED
    elif not membership.active:
        block = Block.USER_SUSPENDED
    return Path(membership.org_id, frozenset(grants), block)


def paths(actor: Actor, org: OrgFacts) -> list[Path]:
    if actor.is_operator:
        return [Path(None, ALL_PERMISSIONS)]
    found: list[Path] = []
    own = actor.memberships.get(org.id)
    if own is not None:
        found.append(member_path(org, own))
    if org.kind == OrgKind.SUB_ORG and org.parent_id is not None:
        partner = actor.memberships.get(org.parent_id)
        if partner is not None:
            path = partner_path(org, partner)
            if path is not None:
                found.append(path)
    return found


def decide(actor: Actor, permission: Permission, org: OrgFacts) -> Decision:
    found = paths(actor, org)
    if not found:
        return Decision(allowed=False, visible=False)
    for path in found:
        if path.block is None and permission in path.permissions:
            return Decision(allowed=True, visible=True, via_org_id=path.via_org_id)
    blocks = [path.block for path in found]
    if None in blocks:
        # An open path exists; it just lacks this permission.
        return Decision(allowed=False, visible=True, denial_code="forbidden")
    worst = min(blocks, key=lambda b: _BLOCK_PRIORITY.index(b))  # type: ignore[arg-type]
    return Decision(allowed=False, visible=True, denial_code=worst.value if worst else None)


def can(actor: Actor, permission: Permission, org: OrgFacts) -> bool:
    return decide(actor, permission, org).allowed


def granted(actor: Actor, org: OrgFacts) -> frozenset[Permission]:
    """Everything the actor may do in the org right now (for UIs and tests)."""
    result: set[Permission] = set()
    for path in paths(actor, org):
        if path.block is None:
            result |= path.permissions
    return frozenset(result)


def sees_partner_pool(actor: Actor, org: OrgFacts) -> bool:
    """May the actor see the figures of the partner pool a sub-org draws on?

    Operators and the partner's admins may; the sub-org's own users never
    (ACCESS.md "What a report may contain"), nor partner users without the
    report permission.
    """
    if actor.is_operator:
        return True
    return any(
        path.via_org_id == org.parent_id
        and path.block is None
        and P.ORG_LICENSE_REPORT_READ in path.permissions
        for path in paths(actor, org)
        if org.kind == OrgKind.SUB_ORG
    )


def can_platform(actor: Actor, permission: Permission) -> bool:
    """Permissions with no org in the path (e.g. creating a top-level org)."""
    return actor.is_operator and permission in ALL_PERMISSIONS
