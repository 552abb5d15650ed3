"""A partner's customers at a glance: one row per sub-org the reader may know of.

Each row carries what the reader's `customer_columns` allow: use per SKU
against its quota and its share of the pool, a trend of the last days, the
access state and who it is restricted to, the user count. The rows are built
in a fixed number of queries however many customers there are; searching,
filtering and sorting are plain functions over the rows (`filter_rows`,
`sort_rows`), so any column sorts, the figures included.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import CustomerColumns
from tenantree.errors import Invalid
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus
from tenantree.licensing.models import Consumption, License, LicensePool, Quota
from tenantree.licensing.reports.common import license_lines_by_pool, pool_figures
from tenantree.licensing.series import daily_use
from tenantree.licensing.sources import linked_holders
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser

TREND_DAYS = 30
SORTS = ("name", "customer", "salesforce_id", "status", "use", "share", "users", "access")
ACCESS_FILTERS = ("refused", "restricted", "open")
STATUS_FILTERS = ("active", "deactivated")


@dataclass
class SkuUse:
    sku: str
    unit: str
    used: int
    quota: int | None
    # The quantity of the pool it draws on, and its share of it (0..1+); None
    # when it draws on no pool with a quantity.
    pool_quantity: int | None
    from_partner_pool: bool

    @property
    def share(self) -> float | None:
        if not self.pool_quantity:
            return None
        return self.used / self.pool_quantity

    @property
    def over_quota(self) -> bool:
        return self.quota is not None and self.used > self.quota


@dataclass
class CustomerRow:
    org_id: uuid.UUID
    name: str
    customer_name: str | None
    salesforce_id: str
    status: str
    # Filled as the reader's columns allow; empty or None otherwise.
    uses: list[SkuUse] = field(default_factory=list)
    trend: list[int] = field(default_factory=list)
    refused: bool = False
    restricted: bool = False
    restricted_to: list[str] = field(default_factory=list)
    users: int | None = None

    @property
    def total_use(self) -> int:
        return sum(u.used for u in self.uses)

    @property
    def top_share(self) -> float:
        return max((u.share or 0.0 for u in self.uses), default=0.0)

    @property
    def access_state(self) -> str:
        if self.refused:
            return "refused"
        return "restricted" if self.restricted else "open"

    @property
    def alerts(self) -> list[str]:
        said = [f"{u.sku} over its quota" for u in self.uses if u.over_quota]
        said += [
            f"{u.sku} pool over its quantity"
            for u in self.uses
            if u.share is not None and u.share > 1 and not u.from_partner_pool
        ]
        return said


@dataclass(frozen=True)
class CustomerQuery:
    """Search, filters and order of the overview, as given (checked by `checked`)."""

    q: str = ""
    status: str = ""
    access: str = ""
    sort: str = "name"
    descending: bool = False

    def checked(self) -> CustomerQuery:
        if self.sort not in SORTS:
            raise Invalid(f"sort must be one of {', '.join(SORTS)}", field="sort")
        if self.status and self.status not in STATUS_FILTERS:
            raise Invalid(f"status must be one of {', '.join(STATUS_FILTERS)}", field="status")
        if self.access and self.access not in ACCESS_FILTERS:
            raise Invalid(f"access must be one of {', '.join(ACCESS_FILTERS)}", field="access")
        return self


def matches(row: CustomerRow, q: str) -> bool:
    """Org name or customer name containing `q`, or a Salesforce ID starting with it
    (all ignoring case)."""
    needle = q.strip().lower()
    if not needle:
        return True
    return (
        needle in row.name.lower()
        or needle in (row.customer_name or "").lower()
        or row.salesforce_id.lower().startswith(needle)
    )


def filter_rows(rows: list[CustomerRow], query: CustomerQuery) -> list[CustomerRow]:
    return [
        row
        for row in rows
        if matches(row, query.q)
        and (not query.status or row.status == query.status)
        and (not query.access or row.access_state == query.access)
    ]


def sort_rows(rows: list[CustomerRow], sort: str, *, descending: bool) -> list[CustomerRow]:
    """Ordered by the column, ties by name then id, so pages never overlap."""
    keys = {
        "name": lambda r: r.name.lower(),
        "customer": lambda r: (r.customer_name or "").lower(),
        "salesforce_id": lambda r: r.salesforce_id,
        "status": lambda r: r.status,
        "use": lambda r: r.total_use,
        "share": lambda r: r.top_share,
        "users": lambda r: r.users or 0,
        "access": lambda r: r.access_state,
    }
    key = keys[sort]
    ordered = sorted(rows, key=lambda r: (r.name.lower(), str(r.org_id)))
    return sorted(ordered, key=key, reverse=descending)


def customer_rows(
    session: Session,
    partner: Org,
    columns: CustomerColumns,
    *,
    visible_ids: Collection[uuid.UUID] | None,
) -> list[CustomerRow]:
    """Every sub-org of the partner the reader may know of (`visible_ids`, None:
    all), with the columns it may see. Nine queries at most, whatever the count."""
    rows = {
        org_id: CustomerRow(org_id, name, customer_name, salesforce_id, status)
        for org_id, name, customer_name, salesforce_id, status in session.execute(
            select(Org.id, Org.name, Org.customer_name, Org.salesforce_id, Org.status).where(
                Org.parent_id == partner.id
            )
        )
        if visible_ids is None or org_id in visible_ids
    }
    if not rows:
        return []
    if columns.use:
        _add_use(session, partner, rows)
    if columns.access:
        _add_access(session, partner, rows)
    if columns.users:
        for org_id, count in session.execute(
            select(Membership.org_id, func.count(Membership.id))
            .join(Org, Org.id == Membership.org_id)
            .where(Org.parent_id == partner.id, Membership.status == MemberStatus.ACTIVE)
            .group_by(Membership.org_id)
        ):
            if org_id in rows:
                rows[org_id].users = count
        for row in rows.values():
            row.users = row.users or 0
    return list(rows.values())


def _add_use(session: Session, partner: Org, rows: dict[uuid.UUID, CustomerRow]) -> None:
    children = select(Org.id).where(Org.parent_id == partner.id)
    held = LicensePool.holder_org_id.in_(children) | (LicensePool.holder_org_id == partner.id)
    pools = {
        pool.id: pool
        for pool in session.execute(
            select(LicensePool.id, LicensePool.holder_org_id, LicensePool.sku, LicensePool.unit)
            .where(held)
            .order_by(LicensePool.sku)
        )
    }
    if not pools:
        return
    now = clock.utcnow()
    holders = License.holder_org_id.in_(children) | (License.holder_org_id == partner.id)
    lines = license_lines_by_pool(session, holders, now)
    quotas = {
        (org_id, sku): units
        for org_id, sku, units in session.execute(
            select(Quota.sub_org_id, Quota.sku, Quota.max_units).where(
                Quota.sub_org_id.in_(children)
            )
        )
    }
    # A linked partner pool's bound is the partner's quota from its distributor.
    linked_bound = (
        dict(
            session.execute(
                select(Quota.sku, Quota.max_units).where(Quota.sub_org_id == partner.id)
            ).all()
        )
        if linked_holders(session, {partner.id})
        else None
    )
    for pool_id, org_id, units in session.execute(
        select(Consumption.pool_id, Consumption.org_id, Consumption.units).where(
            Consumption.pool_id.in_(list(pools))
        )
    ):
        row = rows.get(org_id)
        if row is None:
            continue
        pool = pools[pool_id]
        quantity = pool_figures(0, lines.get((pool.holder_org_id, pool.sku), [])).quantity
        if linked_bound is not None and pool.holder_org_id == partner.id:
            quantity = linked_bound.get(pool.sku, 0)
        row.uses.append(
            SkuUse(
                sku=pool.sku,
                unit=pool.unit,
                used=units,
                quota=quotas.get((org_id, pool.sku)),
                pool_quantity=quantity or None,
                from_partner_pool=pool.holder_org_id == partner.id,
            )
        )
    today = now.date()
    trends = daily_use(session, list(pools), today - timedelta(days=TREND_DAYS - 1), today)
    summed: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0] * TREND_DAYS)
    for (_, org_id), values in trends.items():
        if org_id in rows:
            summed[org_id] = [a + b for a, b in zip(summed[org_id], values, strict=True)]
    for org_id, row in rows.items():
        row.uses.sort(key=lambda u: u.sku)
        row.trend = summed.get(org_id, [])


def _add_access(session: Session, partner: Org, rows: dict[uuid.UUID, CustomerRow]) -> None:
    children = select(Org.id).where(Org.parent_id == partner.id)
    now = clock.utcnow()
    for org_id, customer_access, restricted, expires_at in session.execute(
        select(
            SubOrgAccess.org_id,
            SubOrgAccess.customer_access,
            SubOrgAccess.partner_users_restricted,
            SubOrgAccess.partner_access_expires_at,
        ).where(SubOrgAccess.org_id.in_(children))
    ):
        row = rows.get(org_id)
        if row is None:
            continue
        row.refused = customer_access == CustomerAccess.REFUSED
        # Partner-wide access that has ended leaves only the listed users.
        row.restricted = restricted or (expires_at is not None and expires_at <= now)
    listed = session.execute(
        select(SubOrgPartnerUser.sub_org_id, Account.email, SubOrgPartnerUser.expires_at)
        .join(Membership, Membership.id == SubOrgPartnerUser.membership_id)
        .join(Account, Account.id == Membership.account_id)
        .where(SubOrgPartnerUser.sub_org_id.in_(children))
        .order_by(Account.email)
    )
    for org_id, email, expires_at in listed:
        row = rows.get(org_id)
        if row is not None and row.restricted and (expires_at is None or expires_at > now):
            row.restricted_to.append(email)
