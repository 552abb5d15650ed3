"""The child view of the license report: what a sub-org's own admins see.

It shows the org's own use and quota of each SKU it draws, and quantity and
remaining only for licenses it holds itself: never its partner's quantity, the
pool's total use, or a sibling. It runs a fixed number of queries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import shows_pool
from tenantree.licensing.history import PeriodUse
from tenantree.licensing.models import Consumption, License, LicensePool, LicenseSource, Quota
from tenantree.licensing.reports.common import (
    POOL_COLUMNS,
    LicenseLine,
    Period,
    PoolFigures,
    license_lines_by_pool,
    linked_figures,
    period_uses,
    pool_figures,
)
from tenantree.licensing.sources import DrawPath, current_path
from tenantree.orgs.models import Org


@dataclass
class ChildItem:
    sku: str
    unit: str
    source: LicenseSource
    used: int
    quota: int | None
    quota_remaining: int | None
    # Own licenses only (or when the partner itself reads the report):
    pool: PoolFigures | None = None
    licenses: list[LicenseLine] = field(default_factory=list)
    period: PeriodUse | None = None
    pool_id: uuid.UUID | None = None
    # Projected run-outs (alerts.forecasts): of the org's quota, from its own
    # use; of the pool only when `pool` is shown.
    quota_runs_out_on: date | None = None
    pool_runs_out_on: date | None = None


@dataclass
class ChildReport:
    org_id: uuid.UUID
    org_name: str
    license_source: LicenseSource
    generated_at: datetime
    period: Period | None
    items: list[ChildItem]


def _figures(
    pool: Any, lines: list[LicenseLine], link_quotas: dict[str, int], path: DrawPath
) -> PoolFigures:
    if path.link is not None and pool.holder_org_id == path.link.partner_id:
        return linked_figures(pool.used, link_quotas.get(pool.sku))
    return pool_figures(pool.used, lines)


def child_report(
    session: Session, org: Org, *, sees_pool_figures: bool, period: Period | None
) -> ChildReport:
    now = clock.utcnow()
    path = current_path(session, org)
    source = path.source
    holders = [org.id]
    if source == LicenseSource.PARENT_POOL and org.parent_id is not None:
        holders.append(org.parent_id)
    # A linked partner pool is bound by the partner's quota from its distributor.
    link_quotas: dict[str, int] = {}
    if path.link is not None and path.link.partner_id != org.id:
        link_quotas = dict(
            session.execute(
                select(Quota.sku, Quota.max_units).where(Quota.sub_org_id == path.link.partner_id)
            ).all()
        )
    pools = session.execute(
        select(*POOL_COLUMNS)
        .where(LicensePool.holder_org_id.in_(holders))
        .order_by(LicensePool.sku, LicensePool.id)
    ).all()
    pool_ids = [p.id for p in pools]
    used = dict(
        session.execute(
            select(Consumption.pool_id, Consumption.units).where(
                Consumption.pool_id.in_(pool_ids), Consumption.org_id == org.id
            )
        ).all()
    )
    quotas = dict(
        session.execute(select(Quota.sku, Quota.max_units).where(Quota.sub_org_id == org.id)).all()
    )
    licenses = license_lines_by_pool(session, License.holder_org_id.in_(holders), now)
    history = period_uses(session, pool_ids, period)
    items = []
    for pool in pools:
        from_parent = pool.holder_org_id != org.id
        own_use = used.get(pool.id, 0)
        quota = quotas.get(pool.sku) if from_parent else None
        pool_licenses = licenses.get((pool.holder_org_id, pool.sku), [])
        shown = shows_pool(sees_pool_figures, holder_id=pool.holder_org_id, org_id=org.id)
        items.append(
            ChildItem(
                sku=pool.sku,
                unit=pool.unit,
                source=LicenseSource.PARENT_POOL if from_parent else LicenseSource.OWN,
                used=own_use,
                quota=quota,
                quota_remaining=None if quota is None else max(0, quota - own_use),
                pool=_figures(pool, pool_licenses, link_quotas, path) if shown else None,
                licenses=list(pool_licenses) if shown else [],
                period=history(pool.id, org.id),
                pool_id=pool.id,
            )
        )
    return ChildReport(org.id, org.name, source, now, period, items)
