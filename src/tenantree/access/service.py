"""Authorizing a request against an org, and a sub-org's access settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.errors import OrgInvisible
from tenantree.access.facts import LoadedOrg, load_org, load_org_row, load_sub_org_facts
from tenantree.access.lapses import record_lapses
from tenantree.access.partner_grants import require_future
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    Actor,
    can_platform,
    decide,
    paths,
    sees_every_sub_org,
)
from tenantree.access.reach import bound_condition
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Forbidden, Invalid, NotFound
from tenantree.identity.models import Membership
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
    not an entity: for a request that only reads it (web.orgs.org_reader)."""
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
    the actor could not open, and never hide one it could. The condition of
    the actor's shape (`access.reach`) with its values bound.
    """
    return bound_condition(actor, clock.utcnow())


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
