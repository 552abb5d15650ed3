"""Moving a sub-org to another partner, in one unit of work (rules: move_rule).

In order: the sub-org's row is locked (as every change of its use locks it,
with its tier-2 partners' rows shared when it draws through linked pools),
then the pool rows the move touches, nearest level first and by id within a
level (the lock order of consumption: move_pools, licensing.sources.lock_path);
the new partner's room is read under those locks, so the check cannot race a
consumer. Its use is released from the old partner's pools and consumed from
the new partner's, the old partner's settings for it end, its parentage
gains a span, and the move is audited in the sub-org's, the old partner's and
the new partner's logs. The service flushes; the caller's unit of work commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.identity.models import Account, Membership
from tenantree.licensing.models import (
    LicenseSource,
    LicenseSourceChange,
    Quota,
)
from tenantree.licensing.sources import current_path, lock_path
from tenantree.lifecycle.move_pools import (
    Held,
    Links,
    held_use,
    links_of,
    lock_pools,
    move_use,
    rooms,
)
from tenantree.lifecycle.move_rule import (
    MoveParties,
    check_move,
    refuse_shortfall,
    shortfalls,
    source_needs_recording,
)
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org
from tenantree.orgs.parentage import OrgParentage
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser


@dataclass(frozen=True)
class MovePlan:
    """What a move would do, as the console's confirmation shows it."""

    org_id: uuid.UUID
    org_name: str
    from_partner_id: uuid.UUID
    from_partner_name: str
    to_partner_id: uuid.UUID
    to_partner_name: str
    source: LicenseSource
    # Per SKU, the units released from the old pool and consumed from the new one.
    moving: dict[str, int]
    # Per SKU, the units the new pool lacks (taken only with allow_overage).
    shortfall: dict[str, int]
    # The old partner's staff, who lose their way into the sub-org.
    old_partner_staff: int
    # The old partner's users named on a grant into it (emails), ended by the move.
    grants_ending: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MoveResult:
    plan: MovePlan
    moved_at: datetime
    allow_overage: bool


def _subtree_height(session: Session, org: Org) -> int:
    """Levels below the org (0: no sub-orgs); the tree is at most a few deep."""
    height, level = 0, [org.id]
    while level:
        level = list(session.scalars(select(Org.id).where(Org.parent_id.in_(level))))
        height += 1 if level else 0
    return height


def _check(session: Session, org: Org, target: Org) -> None:
    check_move(
        MoveParties(
            org_kind=org.kind,
            current_parent_id=org.parent_id,
            target_id=target.id,
            target_kind=target.kind,
            target_partner_type=target.partner_type,
            target_active=target.is_active,
            org_partner_type=org.partner_type,
            org_depth=org.depth,
            target_depth=target.depth,
            subtree_height=_subtree_height(session, org),
        )
    )


def _grant_emails(session: Session, org: Org) -> list[str]:
    return list(
        session.scalars(
            select(Account.email)
            .join(Membership, Membership.account_id == Account.id)
            .join(SubOrgPartnerUser, SubOrgPartnerUser.membership_id == Membership.id)
            .where(SubOrgPartnerUser.sub_org_id == org.id)
            .order_by(Account.email)
        )
    )


def _plan(
    session: Session, org: Org, target: Org, source: LicenseSource, links: Links
) -> tuple[MovePlan, list[Held]]:
    _check(session, org, target)
    old = session.get(Org, org.parent_id)
    assert old is not None
    held = held_use(session, org, source)
    uses = {h.sku: h.units for h in held}
    staff = session.scalar(select(func.count()).where(Membership.org_id == old.id)) or 0
    plan = MovePlan(
        org_id=org.id,
        org_name=org.name,
        from_partner_id=old.id,
        from_partner_name=old.name,
        to_partner_id=target.id,
        to_partner_name=target.name,
        source=source,
        moving=uses,
        shortfall=shortfalls(uses, rooms(session, org, target, held, links.new)),
        old_partner_staff=staff,
        grants_ending=_grant_emails(session, org),
    )
    return plan, held


def preview_move(session: Session, org: Org, target: Org) -> MovePlan:
    """What moving `org` under `target` would do now (no writes, no locks)."""
    path = current_path(session, org)
    links = links_of(session, org, target, path, lock=False)
    return _plan(session, org, target, path.source, links)[0]


def _end_old_partner_settings(session: Session, org: Org) -> dict[str, object]:
    """End the old partner's grants, restriction, windows, refusal, leave to
    brand and quotas for the sub-org; what they were, for the audit."""
    access = session.get(SubOrgAccess, org.id)
    ended: dict[str, object] = {}
    if access is not None:
        ended = {
            "customer_access": access.customer_access,
            "partner_users_restricted": access.partner_users_restricted,
            "partner_access_expires_at": access.partner_access_expires_at,
            "customer_may_brand": access.customer_may_brand,
        }
        access.customer_access = CustomerAccess.PERMITTED
        access.partner_users_restricted = False
        access.partner_access_expires_at = None
        access.partner_access_lapse_recorded = False
        access.customer_may_brand = False
    else:
        session.add(SubOrgAccess(org_id=org.id))
    ended["grants_ended"] = _grant_emails(session, org)
    session.execute(delete(SubOrgPartnerUser).where(SubOrgPartnerUser.sub_org_id == org.id))
    ended["quotas_removed"] = {
        sku: units
        for sku, units in session.execute(
            select(Quota.sku, Quota.max_units).where(Quota.sub_org_id == org.id).order_by(Quota.sku)
        )
    }
    session.execute(delete(Quota).where(Quota.sub_org_id == org.id))
    return ended


def _record_parentage(session: Session, org: Org, target: Org, at: datetime) -> None:
    """Close the sub-org's span under its old partner (its first: since its
    creation) and open one under the new partner."""
    closed = session.execute(
        update(OrgParentage)
        .where(OrgParentage.sub_org_id == org.id, OrgParentage.until.is_(None))
        .values(until=at)
    )
    if closed.rowcount == 0:  # type: ignore[attr-defined]
        assert org.parent_id is not None
        # A span never ends before it starts, whatever the clocks that stamped them.
        since = min(org.created_at, at)
        session.add(
            OrgParentage(sub_org_id=org.id, partner_id=org.parent_id, since=since, until=at)
        )
    session.add(OrgParentage(sub_org_id=org.id, partner_id=target.id, since=at))


def move_sub_org(
    session: Session, trail: AuditTrail, org: Org, target: Org, *, allow_overage: bool
) -> MoveResult:
    """Move the sub-org under `target`. Raises 409 naming the rule, or the
    shortfall per SKU when the new pools lack room and not `allow_overage`."""
    _check(session, org, target)
    path = lock_path(session, org)
    source = path.source
    links = links_of(session, org, target, path, lock=True)
    held = held_use(session, org, source)
    lock_pools(session, held, target, links)
    plan, held = _plan(session, org, target, source, links)
    refuse_shortfall(plan.shortfall, allow_overage=allow_overage)
    at = clock.utcnow()
    move_use(session, trail, org, target, held, links, at)
    ended = _end_old_partner_settings(session, org)
    _record_parentage(session, org, target, at)
    if source_needs_recording(source == LicenseSource.PARENT_POOL, target.partner_type):
        session.add(
            LicenseSourceChange(org_id=org.id, source=source, changed_by=trail.actor_id, at=at)
        )
    org.place_under(target)
    # An MSP's customers link to it through its Salesforce account.
    org.partner_salesforce_id = (
        target.salesforce_id if target.partner_type == PartnerType.MSP else None
    )
    session.flush()  # the next decision in this request sees the new partner
    details = {
        "from_partner_id": str(plan.from_partner_id),
        "to_partner_id": str(plan.to_partner_id),
        "license_source": source.value,
        "moved": plan.moving,
        "overage": plan.shortfall,
        "allow_overage": allow_overage,
        "ended": ended,
    }
    for org_id in (org.id, plan.from_partner_id, plan.to_partner_id):
        trail.record(
            AuditAction.ORG_MOVED, org_id=org_id, target_type="org", target_id=org.id, **details
        )
    return MoveResult(plan, at, allow_overage)
