"""The one place that decides who may do what in which org.

Plain functions over plain facts (no database, no HTTP), so every rule of
../shared/ACCESS.md can be tested directly. An actor reaches an org along
zero or more *paths*:

- operator: every permission everywhere;
- member: a directory entry in the org itself (native or invited; the same);
- partner: a directory entry in the org's partner parent, whose role maps
  down into the sub-org, while the sub-org lets partner users in: all of them
  (partner-wide access), or the listed ones. Either may carry an end; past it
  the path is simply gone, on the very next decision (the policy reads the
  clock, `tenantree.clock`), so no job has to run for access to end.
- from above: a directory entry in a higher level's org (a distributor's, for
  a tier-2 partner's customer) reaches down through each level between: it
  must reach the level below it, and each org further down must let partner
  users in as a whole (a list names the direct partner's users only). The
  higher level's primary admin always reaches below. Each level's primary
  admin alone controls its own children's access settings.

A path may be *blocked* (deactivated org, refused customer, suspended entry):
the org is then visible (403) but nothing is allowed along it. No path at all
means the org is invisible (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from tenantree import clock
from tenantree.access.errors import (
    AccessDenied,
    CustomerAccessRefused,
    OrgDeactivated,
    OrgInvisible,
)
from tenantree.access.permissions import Permission
from tenantree.errors import DomainError
from tenantree.identity.errors import UserSuspended
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

P = Permission

ROLE_GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(
        {
            P.ORG_ACCESS_READ,
            P.ORG_ALERT_THRESHOLDS_MANAGE,
            P.ORG_ALERTS_ACKNOWLEDGE,
            P.ORG_ALERTS_READ,
            P.ORG_AUDIT_READ,
            P.ORG_BRAND_MANAGE,
            P.ORG_BRAND_READ,
            P.ORG_DOMAINS_MANAGE,
            P.ORG_LICENSE_REPORT_READ,
            P.ORG_MFA_POLICY_MANAGE,
            P.ORG_QUOTAS_MANAGE,
            P.ORG_SUB_ORGS_READ,
            P.ORG_USAGE_REPORT,
            P.ORG_USERS_MANAGE,
            P.ORG_USERS_READ,
            P.ORG_VIEW,
            P.ORG_WEBHOOKS_MANAGE,
        }
    ),
    Role.USER: frozenset({P.ORG_SUB_ORGS_READ, P.ORG_USAGE_REPORT, P.ORG_VIEW}),
    Role.READ_ONLY: frozenset({P.ORG_SUB_ORGS_READ, P.ORG_VIEW}),
}

# Only operators hold these; nobody inside an org ever does.
OPERATOR_ONLY: frozenset[Permission] = frozenset(
    {P.PLATFORM_CRM_RECONCILE, P.PLATFORM_ORGS_MANAGE, P.PLATFORM_ORGS_MOVE}
)


# The denial code of a credential whose creator may not (or no longer) do it.
CREATOR_LACKS = "token_creator_lacks_permission"


class Block(StrEnum):
    """Why a path that makes an org visible allows nothing. Highest priority first."""

    ORG_DEACTIVATED = "org_deactivated"
    CUSTOMER_ACCESS_REFUSED = "customer_access_refused"
    USER_SUSPENDED = "user_suspended"


_BLOCK_PRIORITY = list(Block)


# The facts are slotted: decide reads a few attributes of each, and slots are
# fewer memory reads than an instance dict, which shows once there are
# thousands of actors and orgs (bench/decisions.py).
@dataclass(frozen=True, slots=True)
class MembershipFact:
    membership_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    is_primary_admin: bool
    active: bool
    org_active: bool


@dataclass(frozen=True, slots=True)
class Actor:
    account_id: uuid.UUID
    is_operator: bool = False
    memberships: Mapping[uuid.UUID, MembershipFact] = field(default_factory=dict)
    # A credential (API token) acts with at most its creator's current rights:
    # its creator, loaded afresh with it on every request. None for people.
    creator: Actor | None = None


@dataclass(frozen=True, slots=True)
class OrgFacts:
    id: uuid.UUID
    kind: OrgKind
    parent_id: uuid.UUID | None
    active: bool
    # Sub-orgs only; defaults describe an unrestricted, permitted sub-org.
    customer_access_refused: bool = False
    # None: every partner user may enter, for good. A set: these partner
    # entries, and every partner user until `partner_access_until` if set.
    partner_users: frozenset[uuid.UUID] | None = None
    customer_may_brand: bool = False
    # When the partner-wide access ends (None: it does not, or there is none).
    partner_access_until: datetime | None = None
    # When listed entries' access ends (absent: standing access).
    partner_users_until: Mapping[uuid.UUID, datetime] = field(default_factory=dict)
    # Ends already passed and audited (the wide access: the org's own id), so
    # a request need not look again (access.lapses).
    lapses_recorded: frozenset[uuid.UUID] = frozenset()
    # The parent's facts when the parent is itself a sub-org (a tier-2
    # partner): paths from above, and its own staff's, pass through it.
    parent: OrgFacts | None = None
    # A sub-org that is itself a partner (a distributor's tier-2 MSP or reseller).
    is_partner: bool = False

    @property
    def is_sub_org(self) -> bool:
        return self.kind == OrgKind.SUB_ORG


@dataclass(frozen=True)
class Path:
    via_org_id: uuid.UUID | None
    permissions: frozenset[Permission]
    block: Block | None = None


# A NamedTuple rather than a frozen dataclass: just as immutable, and about half
# the cost to build (one is built for every allowed request).
class Decision(NamedTuple):
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
    CREATOR_LACKS: lambda: AccessDenied(
        "the person who created this token may no longer do this here",
        code=CREATOR_LACKS,
    ),
    "forbidden": lambda: AccessDenied("your role does not allow this action"),
}

ALL_PERMISSIONS = frozenset(Permission)


# --- grants -------------------------------------------------------------------
# What a path grants depends only on a few flags, so every possible grant set
# is worked out once, at import, from the two rules below; a decision looks its
# set up instead of building one (decide runs on every request).


def _member_grants(
    role: Role, kind: OrgKind, customer_may_brand: bool, is_primary_admin: bool, is_partner: bool
) -> frozenset[Permission]:
    grants = set(ROLE_GRANTS[role])
    if kind == OrgKind.SUB_ORG:
        # Quotas (and the thresholds their alerts use) are the partner's
        # business; branding is the partner's to allow. A tier-2 partner's
        # own admins set the thresholds of its own pools and its customers'
        # quotas (its quota on its distributor's pool alerts at the distributor's).
        grants.discard(P.ORG_QUOTAS_MANAGE)
        if not is_partner:
            grants.discard(P.ORG_ALERT_THRESHOLDS_MANAGE)
        if not customer_may_brand:
            grants.discard(P.ORG_BRAND_MANAGE)
    if is_primary_admin:
        grants.add(P.ORG_PRIMARY_ADMIN_TRANSFER)
    return frozenset(grants)


def _partner_grants(role: Role, is_primary_admin: bool) -> frozenset[Permission]:
    grants = set(ROLE_GRANTS[role])
    # An alert is for the admins of the org it was raised to: partner staff
    # read a customer's quota alerts but dismissing them is the customer's
    # (alert_recipient), or the partner would hide the customer's notice.
    grants.discard(P.ORG_ALERTS_ACKNOWLEDGE)
    if is_primary_admin:
        grants.add(P.ORG_ACCESS_MANAGE)
    return frozenset(grants)


_FLAGS = (False, True)
# (role, org kind, customer may brand, primary admin, partner) -> grants of a member path.
MEMBER_GRANTS: Mapping[tuple[Role, OrgKind, bool, bool, bool], frozenset[Permission]] = {
    (role, kind, brand, primary, partner): _member_grants(role, kind, brand, primary, partner)
    for role in Role
    for kind in OrgKind
    for brand in _FLAGS
    for primary in _FLAGS
    for partner in _FLAGS
}
# (role in the partner, primary admin) -> grants of a partner path.
PARTNER_GRANTS: Mapping[tuple[Role, bool], frozenset[Permission]] = {
    (role, primary): _partner_grants(role, primary) for role in Role for primary in _FLAGS
}

# A path as the functions below pass it around: (via org, grants, block), a
# plain tuple because it is cheaper to build than a `Path`, its public form.
_Reach = tuple[uuid.UUID | None, frozenset[Permission], Block | None]
_OPERATOR_REACH: _Reach = (None, ALL_PERMISSIONS, None)


def _member_reach(org: OrgFacts, membership: MembershipFact) -> _Reach:
    grants = MEMBER_GRANTS[
        membership.role,
        org.kind,
        org.customer_may_brand,
        membership.is_primary_admin,
        org.is_partner,
    ]
    block = None
    if not org.active:
        block = Block.ORG_DEACTIVATED
    elif org.is_sub_org and org.customer_access_refused:
        block = Block.CUSTOMER_ACCESS_REFUSED
    elif not membership.active:
        block = Block.USER_SUSPENDED
    return org.id, grants, block


# An entry's access window into a sub-org: (has a grant at all, when it ends).
_NO_GRANT: tuple[bool, datetime | None] = (False, None)
_STANDING: tuple[bool, datetime | None] = (True, None)


def partner_window(org: OrgFacts, membership: MembershipFact) -> tuple[bool, datetime | None]:
    """Does a partner entry hold a grant into the sub-org, and until when (None:
    no end)? The latest end of the grants it holds, whether or not it passed:
    the partner-wide access and its own listing."""
    if org.partner_users is None or membership.is_primary_admin:
        # Standing partner-wide access; the primary admin controls every
        # sub-org's access, so always reaches each one.
        return _STANDING
    ends: list[datetime] = []
    if org.partner_access_until is not None:
        ends.append(org.partner_access_until)
    if membership.membership_id in org.partner_users:
        until = org.partner_users_until.get(membership.membership_id)
        if until is None:
            return _STANDING
        ends.append(until)
    return (True, max(ends)) if ends else _NO_GRANT


def window_open(until: datetime | None, now: datetime) -> bool:
    return until is None or now < until


def lapsed_grants(org: OrgFacts, now: datetime) -> list[uuid.UUID]:
    """The grants into the org whose end has passed and is not yet audited:
    listed entries' ids, and the org's own id for the partner-wide access."""
    lapsed = [
        membership_id
        for membership_id, until in org.partner_users_until.items()
        if not window_open(until, now) and membership_id not in org.lapses_recorded
    ]
    if not window_open(org.partner_access_until, now) and org.id not in org.lapses_recorded:
        lapsed.append(org.id)
    return sorted(lapsed, key=str)  # one order, so concurrent recorders never deadlock


def _partner_reach(org: OrgFacts, membership: MembershipFact) -> _Reach | None:
    """A partner entry's reach into one of its sub-orgs, or None if it has none."""
    granted_, until = partner_window(org, membership)
    if not granted_ or (until is not None and not window_open(until, clock.utcnow())):
        return None
    grants = PARTNER_GRANTS[membership.role, membership.is_primary_admin]
    block = None
    if not (org.active and membership.org_active):
        block = Block.ORG_DEACTIVATED
    elif org.parent is not None and org.parent.customer_access_refused:
        # A tier-2 partner whose distributor refused its own users: its staff
        # reach neither it nor, through it, its customers.
        block = Block.CUSTOMER_ACCESS_REFUSED
    elif not membership.active:
        block = Block.USER_SUSPENDED
    return membership.org_id, grants, block


def _wide_open(org: OrgFacts) -> bool:
    """Does the org let its partner's users in as a whole, now?"""
    if org.partner_users is None:
        return True
    until = org.partner_access_until
    return until is not None and window_open(until, clock.utcnow())


def _reach_from_above(org: OrgFacts, membership: MembershipFact) -> _Reach | None:
    """An entry of an org above the org's parent (a distributor's, into a tier-2
    partner's customer), or None if it has none: it must reach the parent, and
    the org must let partner users in as a whole, unless the entry is its
    org's primary admin, who always reaches below. Its role's grants, never
    the control of this org's access settings (its own parent's primary
    admin's alone)."""
    parent = org.parent
    if parent is None:
        return None
    if parent.parent_id == membership.org_id:
        upper = _partner_reach(parent, membership)
    else:
        upper = _reach_from_above(parent, membership)
    if upper is None or not (membership.is_primary_admin or _wide_open(org)):
        return None
    block = upper[2]
    if block is None and not org.active:
        block = Block.ORG_DEACTIVATED
    return membership.org_id, PARTNER_GRANTS[membership.role, False], block


def partner_reaches_until(
    org: OrgFacts, membership: MembershipFact
) -> tuple[bool, datetime | None]:
    """Does a partner entry (of the parent, or of a level above it) reach the
    sub-org now, unblocked, and until when (None: no end)? What the sub-org's
    customer is shown of partner staff."""
    path = staff_path(org, membership)
    if path is None or path.block is not None:
        return False, None
    return True, partner_access_along(org, membership)[1]


def staff_path(org: OrgFacts, membership: MembershipFact) -> Path | None:
    """A partner entry's path into the sub-org, from its parent or from a level
    above it (None: it has none now)."""
    if membership.org_id == org.parent_id:
        reach = _partner_reach(org, membership)
    else:
        reach = _reach_from_above(org, membership)
    return None if reach is None else Path(*reach)


def partner_access_along(
    org: OrgFacts, membership: MembershipFact
) -> tuple[bool, datetime | None, uuid.UUID | None]:
    """Does a partner entry (of the parent, or of a level above it) hold a grant
    at every level on the way down to the sub-org, whether or not an end has
    passed? With the first end along the way (None: none ends), the one that
    binds, and the org whose window it is: the sub-org's own (its partner's
    grant) or a tier-2 partner's (its distributor's grant into it)."""
    first: datetime | None = None
    first_level: uuid.UUID | None = None
    level: OrgFacts | None = org
    while level is not None:
        direct = level.parent_id == membership.org_id
        if direct:
            held, end = partner_window(level, membership)
        elif membership.is_primary_admin or level.partner_users is None:
            held, end = True, None  # a higher primary admin always passes; standing access
        else:
            # From above only while the level lets partner users in as a whole.
            held, end = level.partner_access_until is not None, level.partner_access_until
        if not held:
            return False, None, None
        if end is not None and (first is None or end < first):
            first, first_level = end, level.id
        if direct:
            return True, first, first_level
        level = level.parent
    return False, None, None  # the entry's org is not above the sub-org


def _reaches(actor: Actor, org: OrgFacts) -> list[_Reach]:
    if actor.is_operator:
        return [_OPERATOR_REACH]
    found: list[_Reach] = []
    own = actor.memberships.get(org.id)
    if own is not None:
        found.append(_member_reach(org, own))
    if not org.is_sub_org:
        return found
    # The parent's entries reach as partners; those of the levels above it, from above.
    ancestor_id, above, reach_of = org.parent_id, org.parent, _partner_reach
    while ancestor_id is not None:
        entry = actor.memberships.get(ancestor_id)
        reach = None if entry is None else reach_of(org, entry)
        if reach is not None:
            found.append(reach)
        ancestor_id = None if above is None else above.parent_id
        above, reach_of = None if above is None else above.parent, _reach_from_above
    return found


# The reach computation decide runs on, for presentations that must agree
# with it exactly (access.explain); nothing else should need the raw tuples.
Reach = _Reach
reaches = _reaches


def member_path(org: OrgFacts, membership: MembershipFact) -> Path:
    return Path(*_member_reach(org, membership))


def partner_path(org: OrgFacts, membership: MembershipFact) -> Path | None:
    """A partner entry's reach into one of its sub-orgs, or None if it has none."""
    reach = _partner_reach(org, membership)
    return None if reach is None else Path(*reach)


def paths(actor: Actor, org: OrgFacts) -> list[Path]:
    return [Path(*reach) for reach in _reaches(actor, org)]


# --- decisions ----------------------------------------------------------------
# Decisions are immutable, so the denials (which name no org) are made once.

_INVISIBLE = Decision(allowed=False, visible=False)
_FORBIDDEN = Decision(allowed=False, visible=True, denial_code="forbidden")
_BLOCKED = {
    block: Decision(allowed=False, visible=True, denial_code=block.value) for block in Block
}


def decide(actor: Actor, permission: Permission, org: OrgFacts) -> Decision:
    found = _reaches(actor, org)
    if not found:
        return _INVISIBLE
    for via_org_id, grants, block in found:
        if block is None and permission in grants:
            # Only an allowed credential has more to check: people pay nothing
            # on a denial, one attribute read on an allowance.
            if actor.creator is None:
                return Decision(True, True, via_org_id)  # allowed, visible (positional: faster)
            return _bounded_by_creator(actor.creator, permission, org, via_org_id)
    blocks = [block for _, _, block in found]
    if None in blocks:
        # An open path exists; it just lacks this permission.
        return _FORBIDDEN
    return _BLOCKED[min(blocks, key=_BLOCK_PRIORITY.index)]  # type: ignore[arg-type]


_CREATOR_LACKS = Decision(allowed=False, visible=True, denial_code=CREATOR_LACKS)


def _bounded_by_creator(
    creator: Actor, permission: Permission, org: OrgFacts, via_org_id: uuid.UUID | None
) -> Decision:
    """A credential its own entry allows may act only if its creator may, now."""
    if decide(creator, permission, org).allowed:
        return Decision(True, True, via_org_id)
    return _CREATOR_LACKS


def can(actor: Actor, permission: Permission, org: OrgFacts) -> bool:
    return decide(actor, permission, org).allowed


def granted(actor: Actor, org: OrgFacts) -> frozenset[Permission]:
    """Everything the actor may do in the org right now (for UIs and tests)."""
    result: set[Permission] = set()
    for _, grants, block in _reaches(actor, org):
        if block is None:
            result |= grants
    if actor.creator is not None:
        result &= granted(actor.creator, org)
    return frozenset(result)


@dataclass(frozen=True)
class CustomerColumns:
    """What a partner's customers overview may show beside each customer's name.

    Each column is the figure of a page the reader may open for the customer
    through the partner: the license report (use, quota, share of the pool,
    trend), the access settings, the directory (user count).
    """

    use: bool
    access: bool
    users: bool


def customer_columns(actor: Actor, partner: OrgFacts) -> CustomerColumns:
    """The overview's columns for this reader of the partner's sub-orgs. A partner
    path maps the partner role's grants into each sub-org, so the grants in the
    partner decide; the rows are the sub-orgs the reader may know of."""
    grants = granted(actor, partner)
    return CustomerColumns(
        use=P.ORG_LICENSE_REPORT_READ in grants,
        access=P.ORG_ACCESS_READ in grants,
        users=P.ORG_USERS_READ in grants,
    )


class ReadOnlyReason(StrEnum):
    """Why a person who sees a setting may not change it (for pages that say so)."""

    OPERATOR_ONLY = "operator_only"
    PARTNER_DECIDES_BRAND = "partner_decides_brand"
    PARTNER_SETS_QUOTAS = "partner_sets_quotas"
    ROLE = "role"


def read_only_reason(actor: Actor, permission: Permission, org: OrgFacts) -> ReadOnlyReason | None:
    """None when the actor may change it; else the rule that keeps them from it."""
    if can(actor, permission, org):
        return None
    if permission in OPERATOR_ONLY:
        return ReadOnlyReason.OPERATOR_ONLY
    own = actor.memberships.get(org.id)
    if org.is_sub_org and own is not None and permission in ROLE_GRANTS[own.role]:
        # Their role would allow it anywhere else: it is the partner's to decide here.
        if permission == P.ORG_BRAND_MANAGE:
            return ReadOnlyReason.PARTNER_DECIDES_BRAND
        if permission == P.ORG_QUOTAS_MANAGE:
            return ReadOnlyReason.PARTNER_SETS_QUOTAS
    return ReadOnlyReason.ROLE


def sees_pool_figures(actor: Actor, org: OrgFacts) -> bool:
    """May the actor see the figures (quantity, total use, remaining units) of
    the pools the org draws on?

    An org's own pools, yes. The partner pool a sub-org draws on: operators
    and the admins of the partner or of a level above it (its subtree is
    theirs); the sub-org's own users never (ACCESS.md "What a report may
    contain"), nor partner users without the report permission.
    """
    if actor.creator is not None and not sees_pool_figures(actor.creator, org):
        return False
    if actor.is_operator or not org.is_sub_org:
        return True
    return any(
        path.via_org_id not in (None, org.id)
        and path.block is None
        and P.ORG_LICENSE_REPORT_READ in path.permissions
        for path in paths(actor, org)
    )


def sees_distributor_figures(actor: Actor, org: OrgFacts) -> bool:
    """May the actor see the figures of the distributor's pool a tier-2
    partner's customer draws through (a linked pool, licensing.linked)? Whoever
    sees the figures of the pools the partner itself draws on: operators and
    the distributor's admins, never the partner's own staff."""
    return org.parent is not None and sees_pool_figures(actor, org.parent)


def shows_pool(sees_pool_figures: bool, *, holder_id: uuid.UUID, org_id: uuid.UUID) -> bool:
    """May a message or report about `org_id` show the figures of the pool
    `holder_id` holds? A holder always sees its own pool; a partner's pool
    only to whoever `sees_pool_figures`."""
    return sees_pool_figures or holder_id == org_id


def alert_recipient(
    *, about_quota: bool, holder_id: uuid.UUID, consumer_id: uuid.UUID | None
) -> uuid.UUID:
    """Whose admins an alert goes to, and so whose alert list shows it.

    A pool's use and a license's end: the holder's (its own figures). A
    sub-org's quota: the sub-org's, with its quota and its own use only, never
    the pool's figures: a child never sees its parent's quantity
    (`shows_pool`). Its partner reads it in the sub-org's list.
    """
    if about_quota:
        assert consumer_id is not None
        return consumer_id
    return holder_id


def sees_every_sub_org(actor: Actor, partner_id: uuid.UUID) -> bool:
    """Does every sub-org of the partner have a path for the actor (blocked or
    not), so that a partner-wide view hides none of them from it?

    Operators, and the partner's primary admin, who controls each sub-org's
    access and so reaches every one (`_partner_reach`). A shortcut for views
    over thousands of sub-orgs; tests pin it to `paths`.
    """
    if actor.is_operator:
        return True
    entry = actor.memberships.get(partner_id)
    return entry is not None and entry.is_primary_admin


def webhook_receives(
    *, endpoint_org_id: uuid.UUID, include_sub_orgs: bool, event_org: OrgFacts, now: datetime
) -> bool:
    """Does an endpoint registered in `endpoint_org_id` get an event of `event_org`?

    Its own org's, always. A partner's endpoint that opted in also gets the
    events of its whole subtree (a distributor's: its tier-2 partners' and
    their customers'), while each level on the way up lets its partner in as a
    whole (standing partner-wide access, or a partner-wide window still open):
    an endpoint is no listed person, so named grants do not carry it, and a
    level that keeps its partner to listed users keeps its own events and its
    customers' from above. A sub-org's endpoint never gets its partner's
    events, nor one org another's.
    """
    if event_org.id == endpoint_org_id:
        return True
    if not include_sub_orgs:
        return False
    level: OrgFacts | None = event_org
    while level is not None and level.is_sub_org:
        if not _lets_partner_in_as_a_whole(level, now):
            return False
        if level.parent_id == endpoint_org_id:
            return True
        level = level.parent
    return False


def _lets_partner_in_as_a_whole(org: OrgFacts, now: datetime) -> bool:
    if org.partner_users is None:
        return True
    until = org.partner_access_until
    return until is not None and window_open(until, now)


def can_platform(actor: Actor, permission: Permission) -> bool:
    """Permissions with no org in the path (e.g. creating a top-level org)."""
    return actor.is_operator and permission in ALL_PERMISSIONS


# --- signing in and credentials ----------------------------------------------


class SignInRefusal(StrEnum):
    """Why an account may not sign in at all (it can enter no org)."""

    NO_MEMBERSHIP = "no_membership"
    ORG_DEACTIVATED = Block.ORG_DEACTIVATED.value
    USER_SUSPENDED = Block.USER_SUSPENDED.value
    CUSTOMER_ACCESS_REFUSED = Block.CUSTOMER_ACCESS_REFUSED.value


def sign_in_refusal(actor: Actor, *, enters_an_org: bool) -> SignInRefusal | None:
    """Why the actor may not sign in, given whether any org lets it in
    (`access.service.reachable_orgs`, a query), or None if it may."""
    if actor.is_operator or enters_an_org:
        return None
    memberships = list(actor.memberships.values())
    if not memberships:
        return SignInRefusal.NO_MEMBERSHIP
    if all(not m.org_active for m in memberships):
        return SignInRefusal.ORG_DEACTIVATED
    if all(not m.active for m in memberships if m.org_active):
        return SignInRefusal.USER_SUSPENDED
    return SignInRefusal.CUSTOMER_ACCESS_REFUSED


def consent_needs_sign_in(*, manages: bool) -> bool:
    """Does binding an existing account to an org's entry need its owner, signed
    in as themselves? Yes, unless the org manages the account (it proved the
    email's domain). A token that came by email is not enough: the inviting
    org's own relay may have carried it."""
    return not manages


def invitation_proves_email(*, via_org_channel: bool, manages: bool) -> bool:
    """Does a new person accepting an invitation by its emailed token prove the
    address is theirs? Only when the token travelled the platform's own channel,
    or the inviting org manages the address anyway (it proved the domain). An
    org's own relay or custom-domain link could have let the org read the token
    and create the account itself."""
    return manages or not via_org_channel


def consents_with_confirmed_email(*, email_confirmed: bool) -> bool:
    """May an account answer (see, accept, decline) invitations? Only once its
    address is confirmed: otherwise the org whose channel created it could use
    the account to join other orgs in its person's name."""
    return email_confirmed


def acts_as_self(actor: Actor, account_id: uuid.UUID) -> bool:
    """Is this caller the account's person, signed in themselves? Never a
    credential (an API token) acting for them: account-level flows need them."""
    return actor.creator is None and actor.account_id == account_id


def answers_own_invitation(actor: Actor, invitee_account_id: uuid.UUID) -> bool:
    """May this caller accept or decline an invitation addressed to that account?
    Only its person, signed in themselves."""
    return acts_as_self(actor, invitee_account_id)


def suspended_everywhere(actor: Actor) -> bool:
    """Suspended in every org it belongs to: its tokens stop at once."""
    return (
        not actor.is_operator
        and bool(actor.memberships)
        and all(not m.active for m in actor.memberships.values())
    )


def password_session_keeps(
    *, is_operator: bool, sso_required: bool | None, is_primary_admin: bool = False
) -> bool:
    """Does a password session carry a directory entry in an org?

    Not in an org that makes single sign-on mandatory: the person reaches it
    only through its provider (partner users still reach an SSO-mandatory
    sub-org through their partner entry; operators keep all theirs) — except
    its primary admin, whose password is the break-glass way in when the
    provider fails (`breaks_glass`).
    """
    return (
        is_operator
        or not sso_required
        or breaks_glass(sso_required=sso_required, is_primary_admin=is_primary_admin)
    )


def breaks_glass(*, sso_required: bool | None, is_primary_admin: bool) -> bool:
    """Is a password sign-in to this entry the break-glass path (audited loudly,
    the org's other admins told)? Only the primary admin of an SSO-mandatory org."""
    return bool(sso_required) and is_primary_admin


def password_reaches_nothing(*, is_operator: bool, entries: list[tuple[bool | None, bool]]) -> bool:
    """Is a password refused outright: every active entry ((its org's
    `sso_required`, is primary admin)) is in an org that makes single sign-on
    mandatory, and none is a break-glass entry?"""
    return bool(entries) and not any(
        password_session_keeps(
            is_operator=is_operator, sso_required=required, is_primary_admin=primary
        )
        for required, primary in entries
    )


# How recent an admin's test sign-in through the provider must be to make SSO required.
SSO_TEST_MAX_AGE_SECONDS = 10 * 60


def sso_required_refusal(
    *, turning_on: bool, provider_changed: bool, tested_in_this_session: bool
) -> str | None:
    """Why SSO may not be made required now (an error code), or None.

    Turning it on needs a successful test sign-in through the stored provider
    by the admin turning it on, from the same session, within
    SSO_TEST_MAX_AGE_SECONDS; so it cannot come with a provider change in the
    same request. Otherwise a broken provider would lock the org out.
    """
    if not turning_on:
        return None
    if provider_changed or not tested_in_this_session:
        return "sso_test_required"
    return None


# --- multi-factor sign-in ----------------------------------------------------
#
# A second factor belongs to the account (the person), never to an org. An org
# may require one of its members: its own `required` setting, or any ancestor's
# `required_for_sub_orgs` (a partner's, for its sub-orgs). A child's own setting
# can only add to what its ancestors require, never take it away. Operators
# always need one. Someone who has a factor always uses it, required or not.


def mfa_required_in(*, own: bool, ancestors_for_sub_orgs: Iterable[bool]) -> bool:
    """Does an org require MFA of its own members (its effective setting)?"""
    return own or any(ancestors_for_sub_orgs)


def mfa_required_of(actor: Actor, orgs_requiring: Set[uuid.UUID]) -> bool:
    """Must this person use a second factor: an operator, or a directory entry
    (active or not: suspension is lifted without a new sign-in) in an org that
    requires MFA (`orgs_requiring`, by `mfa_required_in`)?"""
    return actor.is_operator or any(org_id in orgs_requiring for org_id in actor.memberships)


class SignInStep(StrEnum):
    """What a right password leads to."""

    SIGNED_IN = "signed_in"
    # Prove a second factor first (a short-lived challenge, no session yet).
    MFA_REQUIRED = "mfa_required"
    # A session that may only enrol a second factor (and sign out) until it has one.
    MFA_ENROLMENT_REQUIRED = "mfa_enrolment_required"


def sign_in_step(*, has_second_factor: bool, mfa_required: bool) -> SignInStep:
    if has_second_factor:
        return SignInStep.MFA_REQUIRED
    if mfa_required:
        return SignInStep.MFA_ENROLMENT_REQUIRED
    return SignInStep.SIGNED_IN


def one_org_actor(org_id: uuid.UUID, actor: Actor, creator: Actor | None = None) -> Actor:
    """The actor of a credential issued for one org (an SSO session from that
    org's provider, an API token): only its entry there, whatever else the
    account holds elsewhere, never an operator; a token also bounded by its
    creator's current rights (`decide`)."""
    return Actor(
        account_id=actor.account_id,
        is_operator=False,
        memberships={k: v for k, v in actor.memberships.items() if k == org_id},
        creator=creator,
    )


def api_token_actor(token_org_id: uuid.UUID, own: Actor, creator: Actor | None) -> Actor:
    """The actor an API token acts as (`one_org_actor`, bounded by its creator)."""
    return one_org_actor(token_org_id, own, creator)


_SCIM_ALLOWED = Decision(allowed=True, visible=True, via_org_id=None)


def decide_scim(token_org_id: uuid.UUID, creator: Actor | None, org: OrgFacts) -> Decision:
    """May a SCIM token provision the directory of `org`?

    A token serves exactly its own org (any other: invisible, 401). It is a
    credential of that org's own directory, so a deactivated org or a refused
    customer refuses it; and it manages users with at most its creator's
    current rights (a token with no recorded creator, from before creators
    were recorded, keeps its org's binding alone).
    """
    if token_org_id != org.id:
        return _INVISIBLE
    if not org.active:
        return _BLOCKED[Block.ORG_DEACTIVATED]
    if org.is_sub_org and org.customer_access_refused:
        return _BLOCKED[Block.CUSTOMER_ACCESS_REFUSED]
    if creator is not None and not decide(creator, P.ORG_USERS_MANAGE, org).allowed:
        return _CREATOR_LACKS
    return _SCIM_ALLOWED
