"""Who changed an org's use, and when: its usage snapshots read as an audit trail.

Every successful change of use writes one snapshot, in the same statement as
the change (usage_writes), stamped with the actor and request as an audit
event would be. Refusals and overage are audit events (usage.refused,
usage.overage); this is the record of the changes that went through.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.access.policy import shows_pool
from tenantree.errors import Invalid
from tenantree.licensing.models import LicensePool, UsageSnapshot
from tenantree.orgs.models import Org
from tenantree.pagination import Page, paginate


@dataclass(frozen=True)
class UsageChange:
    """One change of an org's use of a SKU, as its auditor reads it."""

    id: uuid.UUID
    at: datetime
    sku: str
    units: int  # the org's use after the change
    actor_id: uuid.UUID | None  # None: the system (CLI, demo)
    actor_org_id: uuid.UUID | None
    request_id: str | None
    # The pool's figures, None where the pool is a partner's the reader may not see.
    pool_used: int | None
    over_quantity: bool | None


def usage_changes(
    session: Session,
    org: Org,
    *,
    sees_pool_figures: bool,
    sku: str | None,
    actor_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    limit: int | None,
    cursor: str | None,
) -> Page[UsageChange]:
    """The org's own changes of use, newest first.

    `sees_pool_figures`: the reader may see the partner pool's figures; the
    figures of a pool the org holds itself are always its own to see.
    """
    for name, value in (("from", since), ("to", until)):
        if value is not None and value.tzinfo is None:
            raise Invalid(f"{name} must be an RFC 3339 time with a zone, e.g. ...Z", field=name)
    query = select(UsageSnapshot).where(UsageSnapshot.org_id == org.id)
    if sku is not None:
        query = query.join(LicensePool, LicensePool.id == UsageSnapshot.pool_id).where(
            LicensePool.sku == sku
        )
    if actor_id is not None:
        query = query.where(UsageSnapshot.actor_id == actor_id)
    if since is not None:
        query = query.where(UsageSnapshot.at >= since)
    if until is not None:
        query = query.where(UsageSnapshot.at < until)
    page = paginate(
        session,
        query,
        sort_column=UsageSnapshot.at,
        id_column=UsageSnapshot.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    pools = {
        pool_id: (pool_sku, holder_id)
        for pool_id, pool_sku, holder_id in session.execute(
            select(LicensePool.id, LicensePool.sku, LicensePool.holder_org_id).where(
                LicensePool.id.in_({s.pool_id for s in page.items})
            )
        )
    }
    changes = []
    for snapshot in page.items:
        pool_sku, holder_id = pools[snapshot.pool_id]
        shown = shows_pool(sees_pool_figures, holder_id=holder_id, org_id=org.id)
        changes.append(
            UsageChange(
                id=snapshot.id,
                at=snapshot.at,
                sku=pool_sku,
                units=snapshot.units,
                actor_id=snapshot.actor_id,
                actor_org_id=snapshot.actor_org_id,
                request_id=snapshot.request_id,
                pool_used=snapshot.pool_used if shown else None,
                over_quantity=snapshot.over_quantity if shown else None,
            )
        )
    return Page(changes, page.next_cursor)
