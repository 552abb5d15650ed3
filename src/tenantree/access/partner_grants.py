"""Named partner access windows, and who of the partner's staff reaches a sub-org.

The partner's primary admin grants one partner user access to one sub-org,
for a window or for good, renews it or ends it. The sub-org's own admins see,
read-only, which partner staff reach it, with which role and until when:
each one's name and email, nothing else of the partner.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import entry_fact, load_org
from tenantree.access.policy import OrgFacts, partner_reaches_until
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid, NotFound
from tenantree.identity.models import Membership
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgStatus
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import SubOrgPartnerUser
from tenantree.pagination import Page, paginate


@dataclass(frozen=True)
class PartnerGrant:
    membership_id: uuid.UUID
    expires_at: datetime | None


def require_future(when: datetime | None, *, field: str) -> None:
    """An end must be a moment (with its zone) still to come."""
    if when is None:
        return
    if when.tzinfo is None:
        raise Invalid(f"{field} needs a time zone (e.g. 2027-01-15T18:00:00Z)", field=field)
    if when <= clock.utcnow():
        raise Invalid(f"{field} must be in the future", field=field)


def _partner_user(session: Session, org: Org, membership_id: uuid.UUID) -> Membership:
    if not org.is_sub_org:
        raise NotFound("partner grants exist only for sub-orgs", code="not_a_sub_org")
    membership = session.get(Membership, membership_id)
    if membership is None or membership.org_id != org.parent_id:
        raise NotFound("no such user in this sub-org's partner", code="partner_user_not_found")
    return membership


def list_grants(session: Session, org: Org) -> list[PartnerGrant]:
    rows = session.execute(
        select(SubOrgPartnerUser.membership_id, SubOrgPartnerUser.expires_at).where(
            SubOrgPartnerUser.sub_org_id == org.id
        )
    )
    return sorted((PartnerGrant(*row) for row in rows), key=lambda g: str(g.membership_id))


def grant(
    session: Session,
    trail: AuditTrail,
    org: Org,
    membership_id: uuid.UUID,
    *,
    expires_at: datetime | None,
) -> PartnerGrant:
    """Grant a partner user access to the sub-org until `expires_at` (None: for
    good), or renew the grant it holds."""
    membership = _partner_user(session, org, membership_id)
    if membership.is_primary_admin:
        raise Invalid(
            "the partner's primary admin always reaches every sub-org; grant someone else",
            field="user_id",
        )
    require_future(expires_at, field="expires_at")
    row = session.get(SubOrgPartnerUser, (org.id, membership_id))
    renewed = row is not None
    before = None if row is None else row.expires_at
    if row is None:
        row = SubOrgPartnerUser(sub_org_id=org.id, membership_id=membership_id)
        session.add(row)
    row.expires_at = expires_at
    row.lapse_recorded = False  # a new window: its end is news again
    session.flush()  # the next decision in this request sees the grant
    _audit(
        trail,
        AuditAction.ACCESS_PARTNER_GRANTED,
        org,
        membership,
        renewed=renewed,
        expires_at=expires_at,
        previous_expires_at=before,
    )
    return PartnerGrant(membership_id, expires_at)


def end(session: Session, trail: AuditTrail, org: Org, membership_id: uuid.UUID) -> None:
    """End a partner user's grant into the sub-org now."""
    membership = _partner_user(session, org, membership_id)
    row = session.get(SubOrgPartnerUser, (org.id, membership_id))
    if row is None:
        raise NotFound("this partner user holds no grant here", code="grant_not_found")
    was = row.expires_at
    session.delete(row)
    session.flush()  # the next decision in this request no longer sees it
    _audit(trail, AuditAction.ACCESS_PARTNER_GRANT_ENDED, org, membership, expires_at=was)


def _audit(
    trail: AuditTrail, action: AuditAction, org: Org, membership: Membership, **details: object
) -> None:
    trail.record(
        action,
        org_id=org.id,
        target_type="membership",
        target_id=membership.id,
        email=membership.account.email,
        **details,
    )


@dataclass(frozen=True)
class PartnerStaff:
    """One partner user reaching the sub-org, as its customer may see them."""

    display_name: str
    email: str
    role: Role
    until: datetime | None


def partner_staff(
    session: Session, org: Org, *, limit: int | None, cursor: str | None
) -> Page[PartnerStaff]:
    """The partner's users, and those of the levels above it (a tier-2
    partner's distributor), who reach the sub-org now (a page of their
    directories, kept to those the policy lets in: a page may be short)."""
    if not org.is_sub_org or org.parent_id is None:
        raise NotFound("only a sub-org has partner staff", code="not_a_sub_org")
    loaded = load_org(session, org.id)
    assert loaded is not None
    above: list[uuid.UUID] = []
    level: OrgFacts | None = loaded.facts
    while level is not None and level.parent_id is not None:
        above.append(level.parent_id)
        level = level.parent
    active = {
        org_id: status == OrgStatus.ACTIVE
        for org_id, status in session.execute(select(Org.id, Org.status).where(Org.id.in_(above)))
    }
    page = paginate(
        session,
        select(Membership).where(Membership.org_id.in_(above)),
        sort_column=Membership.created_at,
        id_column=Membership.id,
        limit=limit,
        cursor=cursor,
    )
    items = []
    for membership in page.items:
        fact = entry_fact(membership, active.get(membership.org_id, False))
        reaches, until = partner_reaches_until(loaded.facts, fact)
        if reaches:
            account = membership.account
            items.append(
                PartnerStaff(account.display_name, account.email, Role(membership.role), until)
            )
    return Page(items, page.next_cursor)
