"""Authorizing a request against an org, and a sub-org's access settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from tenantree import clock
from tenantree.access.errors import OrgInvisible
from tenantree.access.facts import LoadedOrg, load_org, load_org_row, load_sub_org_facts
from tenantree.access.lapses import record_lapses
from tenantree.access.partner_grants import require_future
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    Actor,
    MembershipFact,
    can_platform,
    decide,
    paths,
    sees_every_sub_org,
)
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Forbidden, Invalid, NotFound
from tenantree.identity.models import Membership
from tenantree.orgs.kinds import OrgKind, OrgStatus
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser


@dataclass(frozen=True)
class AuthorizedOrg:
    """An org the actor may act on for one permission, and the path it came by."""

    # An entity, or with authorize(org_as_row=True) the org's row (read-only).
    org: Org
    loaded: LoadedOrg
    actor: Actor
    via_org_id: uuid.UUID | None


def authorize(
    session: Session,
    actor: Actor,
    permission: Permission,
    org_id: uuid.UUID,
    *,
    org_as_row: bool = False,
) -> AuthorizedOrg:
    """Raise 404 if the org is invisible to the actor, 403 if not allowed.

    With `org_as_row`, the authorized `org` is its row (its columns, read-only),
    not an entity: for a request that only reads it (web.orgs.OrgRead)."""
    loaded = (load_org_row if org_as_row else load_org)(session, org_id)
    if loaded is None:
        raise OrgInvisible("no such org")
    facts = loaded.facts
    if facts.partner_users_until or facts.partner_access_until is not None:
        record_lapses(session, facts)
    decision = decide(actor, permission, facts)
    error = decision.error()
    if error is not None:
        raise error
    return AuthorizedOrg(loaded.org, loaded, actor, decision.via_org_id)


def require_platform(actor: Actor, permission: Permission) -> None:
    if not can_platform(actor, permission):
        raise Forbidden("only platform operators may do this", code="operator_only")


def reachable_orgs(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on `Org` matching exactly the orgs `decide(ORG_VIEW)` allows.

    Kept beside the policy and tested against it, so lists never show an org
    the actor could not open, and never hide one it could.
    """
    if actor.creator is not None:
        # A credential lists only what it and its creator both may view.
        own = Actor(actor.account_id, actor.is_operator, actor.memberships)
        return and_(reachable_orgs(own), reachable_orgs(actor.creator))
    if actor.is_operator:
        return true()
    usable = [m for m in actor.memberships.values() if m.active and m.org_active]
    own_ids = [m.org_id for m in usable]
    refused = exists().where(
        SubOrgAccess.org_id == Org.id, SubOrgAccess.customer_access == CustomerAccess.REFUSED
    )
    own = and_(
        Org.id.in_(own_ids),
        or_(Org.kind != OrgKind.SUB_ORG, ~refused),
    )
    primary_parents = [m.org_id for m in usable if m.is_primary_admin]
    other_parents = [m for m in usable if not m.is_primary_admin]
    other_ids = [m.membership_id for m in other_parents]
    now = clock.utcnow()  # the same clock as the policy's windows (policy.partner_window)
    partner = or_(
        Org.parent_id.in_(primary_parents) if primary_parents else false(),
        and_(
            Org.parent_id.in_([m.org_id for m in other_parents]),
            or_(~_wide_closed(Org.id, now), _listed(Org.id, other_ids, now)),
        )
        if other_parents
        else false(),
    )
    # A tier-2 partner whose distributor refused its own users: its staff
    # reach none of its customers either (policy._partner_reach).
    parent_refused = exists().where(
        SubOrgAccess.org_id == Org.parent_id,
        SubOrgAccess.customer_access == CustomerAccess.REFUSED,
    )
    partner = and_(partner, ~parent_refused)
    return and_(
        Org.status == OrgStatus.ACTIVE,
        or_(own, partner, _from_above(primary_parents, other_parents, now)),
    )


def _wide_closed(org_id: ColumnElement[uuid.UUID], now: datetime) -> ColumnElement[bool]:
    """The org does not let its partner's users in as a whole now."""
    return exists().where(
        SubOrgAccess.org_id == org_id,
        or_(
            SubOrgAccess.partner_users_restricted.is_(True),
            SubOrgAccess.partner_access_expires_at <= now,
        ),
    )


def _listed(
    org_id: ColumnElement[uuid.UUID], membership_ids: list[uuid.UUID], now: datetime
) -> ColumnElement[bool]:
    return exists().where(
        SubOrgPartnerUser.sub_org_id == org_id,
        SubOrgPartnerUser.membership_id.in_(membership_ids),
        or_(SubOrgPartnerUser.expires_at.is_(None), SubOrgPartnerUser.expires_at > now),
    )


# Made once: building an alias of a mapped class (and the column proxies the
# subqueries below ask of it) was a third of building a page's condition
# (bench/ANALYSIS.md, round 4). The condition built from it is the same.
_TIER_TWO = aliased(Org)


def _from_above(
    primary_parents: list[uuid.UUID], other_parents: list[MembershipFact], now: datetime
) -> ColumnElement[bool]:
    """Orgs two levels below an actor's entry (a distributor's staff into a
    tier-2 partner's customers), as `policy._reach_from_above` decides: the
    primary admin always; others through a tier-2 partner that lets them in
    and into a customer that lets partner users in as a whole. Partners stand
    at most one level below the top (lifecycle.tiers), so no path is longer."""
    tier_two = _TIER_TWO
    through_primary = select(tier_two.id).where(
        tier_two.parent_id.in_(primary_parents), tier_two.status == OrgStatus.ACTIVE
    )
    reached = [Org.parent_id.in_(through_primary)] if primary_parents else []
    if other_parents:
        through_other = select(tier_two.id).where(
            tier_two.parent_id.in_([m.org_id for m in other_parents]),
            tier_two.status == OrgStatus.ACTIVE,
            or_(
                ~_wide_closed(tier_two.id, now),
                _listed(tier_two.id, [m.membership_id for m in other_parents], now),
            ),
        )
        reached.append(and_(Org.parent_id.in_(through_other), ~_wide_closed(Org.id, now)))
    return or_(*reached) if reached else false()


def visible_sub_org_ids(session: Session, actor: Actor, parent: Org) -> set[uuid.UUID] | None:
    """The partner's sub-orgs whose existence the actor may know (None: all).

    Visible means 404 is not the answer: blocked ones (deactivated, refused)
    are known to exist. Used where a partner-wide view must not name a
    sub-org the actor was kept out of.
    """
    if sees_every_sub_org(actor, parent.id):
        return None
    facts = load_sub_org_facts(session, parent.id)
    return {org_id for org_id, fact in facts.items() if paths(actor, fact)}


# --- A sub-org's access settings --------------------------------------------


@dataclass(frozen=True)
class AccessSettings:
    customer_access: CustomerAccess
    # None means "all" partner users.
    partner_users: list[uuid.UUID] | None
    customer_may_brand: bool
    # When the "all" access ends (None: never).
    partner_access_expires_at: datetime | None = None


def _require_sub_org(org: Org) -> None:
    if not org.is_sub_org:
        raise NotFound("access settings exist only for sub-orgs", code="not_a_sub_org")


def _settings_row(session: Session, org: Org) -> SubOrgAccess:
    row = session.get(SubOrgAccess, org.id)
    if row is None:  # sub-orgs get a row at creation; be robust anyway
        row = SubOrgAccess(org_id=org.id)
        session.add(row)
        session.flush()
    return row


def get_access_settings(session: Session, org: Org) -> AccessSettings:
    _require_sub_org(org)
    row = _settings_row(session, org)
    partner_users = None
    if row.partner_users_restricted:
        partner_users = sorted(
            session.scalars(
                select(SubOrgPartnerUser.membership_id).where(
                    SubOrgPartnerUser.sub_org_id == org.id
                )
            ),
            key=str,
        )
    return AccessSettings(
        CustomerAccess(row.customer_access),
        partner_users,
        row.customer_may_brand,
        None if row.partner_users_restricted else row.partner_access_expires_at,
    )


def set_access_settings(
    session: Session,
    trail: AuditTrail,
    org: Org,
    *,
    customer_access: CustomerAccess,
    partner_users: list[uuid.UUID] | None,
    customer_may_brand: bool,
    partner_access_expires_at: datetime | None = None,
) -> AccessSettings:
    """Replace the settings. Listed partner users keep their windows (grants
    change through access.partner_grants); with "all", the list is kept for
    when the partner-wide access ends."""
    _require_sub_org(org)
    assert org.parent_id is not None
    before = get_access_settings(session, org)
    if partner_users is not None and partner_access_expires_at is not None:
        raise Invalid(
            'an end applies to partner-wide access only (partner_users: "all")',
            field="partner_access_expires_at",
        )
    if partner_access_expires_at != before.partner_access_expires_at:
        require_future(partner_access_expires_at, field="partner_access_expires_at")
    if partner_users is not None:
        wanted = list(dict.fromkeys(partner_users))
        found = set(
            session.scalars(
                select(Membership.id).where(
                    Membership.org_id == org.parent_id, Membership.id.in_(wanted)
                )
            )
        )
        unknown = [str(i) for i in wanted if i not in found]
        if unknown:
            raise Invalid(
                "partner_users must list users of this sub-org's partner; unknown: "
                + ", ".join(unknown),
                field="partner_users",
            )
        partner_users = wanted
    row = _settings_row(session, org)
    row.customer_access = customer_access
    row.customer_may_brand = customer_may_brand
    row.partner_users_restricted = partner_users is not None
    if row.partner_access_expires_at != partner_access_expires_at:
        row.partner_access_expires_at = partner_access_expires_at
        row.partner_access_lapse_recorded = False  # a new end: news again when it passes
    if partner_users is not None:
        session.execute(
            delete(SubOrgPartnerUser).where(
                SubOrgPartnerUser.sub_org_id == org.id,
                SubOrgPartnerUser.membership_id.not_in(partner_users),
            )
        )
        kept = set(
            session.scalars(
                select(SubOrgPartnerUser.membership_id).where(
                    SubOrgPartnerUser.sub_org_id == org.id
                )
            )
        )
        for membership_id in partner_users:
            if membership_id not in kept:
                session.add(SubOrgPartnerUser(sub_org_id=org.id, membership_id=membership_id))
    session.flush()
    after = get_access_settings(session, org)
    trail.record(
        AuditAction.ACCESS_SETTINGS_CHANGED,
        org_id=org.id,
        target_type="org",
        target_id=org.id,
        before=_describe(before),
        after=_describe(after),
    )
    return after


def _describe(settings: AccessSettings) -> dict[str, object]:
    return {
        "customer_access": settings.customer_access.value,
        "partner_users": "all"
        if settings.partner_users is None
        else [str(i) for i in settings.partner_users],
        "customer_may_brand": settings.customer_may_brand,
        "partner_access_expires_at": settings.partner_access_expires_at,
    }
