"""Auditing the end of a partner access window, once, when first observed.

No job ends access: the policy compares each window with the clock. The first
request that loads a sub-org after a window closed records it, in a write
that survives the request being refused (the person whose window closed is
refused) and that only one of several concurrent requests wins: the row's
`lapse_recorded` flips from false to true once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import OrgFacts, lapsed_grants
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import keep
from tenantree.orgs.sub_org_access import SubOrgAccess, SubOrgPartnerUser


def record_lapses(session: Session, org: OrgFacts) -> None:
    """Audit the org's windows that closed and were not yet audited."""
    now = clock.utcnow()
    for grant_id in lapsed_grants(org, now):
        keep(session, lambda grant_id=grant_id: _record(session, org, grant_id, now))


def _record(session: Session, org: OrgFacts, grant_id: uuid.UUID, now: datetime) -> None:
    wide = grant_id == org.id
    if wide:
        claim = update(SubOrgAccess).where(
            SubOrgAccess.org_id == org.id,
            SubOrgAccess.partner_access_expires_at <= now,
            SubOrgAccess.partner_access_lapse_recorded.is_(False),
        )
        claim = claim.values(partner_access_lapse_recorded=True)
        ended_at = org.partner_access_until
    else:
        claim = update(SubOrgPartnerUser).where(
            SubOrgPartnerUser.sub_org_id == org.id,
            SubOrgPartnerUser.membership_id == grant_id,
            SubOrgPartnerUser.expires_at <= now,
            SubOrgPartnerUser.lapse_recorded.is_(False),
        )
        claim = claim.values(lapse_recorded=True)
        ended_at = org.partner_users_until.get(grant_id)
    # Another request recorded it first (or the window was renewed): nothing to say.
    if session.execute(claim.execution_options(synchronize_session=False)).rowcount != 1:
        return
    # No one acted: the clock passed the end. Both sides' audit logs say so.
    trail = AuditTrail(session, actor_id=None)
    for org_id in (org.id, org.parent_id):
        trail.record(
            AuditAction.ACCESS_PARTNER_ACCESS_LAPSED,
            org_id=org_id,
            target_type="org" if wide else "membership",
            target_id=org.id if wide else grant_id,
            sub_org_id=str(org.id),
            grant="partner_wide" if wide else "partner_user",
            ended_at=ended_at,
        )
