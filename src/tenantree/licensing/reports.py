"""License usage reports: the child view and the parent view.

The child view (a sub-org's own admins) shows the org's own use and quota of
each SKU it draws, and quantity and remaining only for licenses it holds
itself: never its partner's quantity, the pool's total use, or a sibling.
The parent view shows the partner's pools with every child's use, and each
child's own licenses. Both run a fixed number of queries, however many
children there are.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.policy import shows_pool
from tenantree.errors import Invalid
from tenantree.licensing.history import PeriodUse, period_usage
from tenantree.licensing.models import (
    Consumption,
    License,
    LicensePool,
    LicenseSource,
    LicenseSourceChange,
    Quota,
)
from tenantree.licensing.pool import PoolView
from tenantree.licensing.sources import current_source, default_source
from tenantree.orgs.models import Org, OrgKind

MAX_PERIOD_DAYS = 731


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date


def period_between(first: date | None, last: date | None) -> Period | None:
    """The period of `from`..`to` (UTC days, inclusive), or None when neither is given."""
    if first is None and last is None:
        return None
    if first is None or last is None:
        raise Invalid(
            "give both from and to (UTC days, inclusive)", field="from" if first is None else "to"
        )
    if last < first:
        raise Invalid("to must not be before from", field="to")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise Invalid(f"a period spans at most {MAX_PERIOD_DAYS} days", field="to")
    return Period(first, last)


@dataclass
class LicenseLine:
    id: uuid.UUID
    quantity: int
    starts_at: datetime
    ends_at: datetime
    status: str
    overage_policy: str
    in_term: bool


@dataclass
class ChildUse:
    org_id: uuid.UUID
    org_name: str
    used: int
    quota: int | None
    period: PeriodUse | None = None


@dataclass
class PoolFigures:
    """What only the pool's holder (and operators) may see."""

    quantity: int
    used: int
    remaining: int
    over_quantity: bool
    overage_allowed: bool


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


@dataclass
class ChildReport:
    org_id: uuid.UUID
    org_name: str
    license_source: LicenseSource
    generated_at: datetime
    period: Period | None
    items: list[ChildItem]


@dataclass
class ParentPool:
    sku: str
    unit: str
    figures: PoolFigures
    licenses: list[LicenseLine]
    own_use: int
    own_period: PeriodUse | None
    children: list[ChildUse]
    # Use by sub-orgs the reader may not see (restricted partner users): the
    # pool's total stays true without naming them.
    other_children_use: int = 0


@dataclass
class ChildOwnPool:
    sku: str
    unit: str
    figures: PoolFigures
    licenses: list[LicenseLine]
    period: PeriodUse | None


@dataclass
class ChildSummary:
    org_id: uuid.UUID
    org_name: str
    license_source: LicenseSource
    own_pools: list[ChildOwnPool]


@dataclass
class ParentReport:
    org_id: uuid.UUID
    org_name: str
    generated_at: datetime
    period: Period | None
    pools: list[ParentPool]
    children: list[ChildSummary]


def _figures(used: int, lines: list[LicenseLine]) -> PoolFigures:
    pool = PoolView.of([line for line in lines if line.in_term], used)
    return PoolFigures(
        quantity=pool.quantity,
        used=used,
        remaining=pool.quantity - used,
        over_quantity=used > pool.quantity,
        overage_allowed=pool.overage_allowed,
    )


# Plain rows, not ORM objects, for what the reports read: a big partner's
# report reads thousands of them, and building entities was much of its time
# (bench/).
_POOL_COLUMNS = (
    LicensePool.id,
    LicensePool.holder_org_id,
    LicensePool.sku,
    LicensePool.unit,
    LicensePool.used,
)


def _license_lines_by_pool(
    session: Session, holders: ColumnElement[bool], now: datetime
) -> dict[tuple[uuid.UUID, str], list[LicenseLine]]:
    """(holder, SKU) -> its licenses' lines, for the holders the condition matches."""
    grouped: dict[tuple[uuid.UUID, str], list[LicenseLine]] = defaultdict(list)
    for lic in session.execute(
        select(
            License.id,
            License.holder_org_id,
            License.sku,
            License.quantity,
            License.starts_at,
            License.ends_at,
            License.status,
            License.overage_policy,
        )
        .where(holders)
        .order_by(License.starts_at, License.id)
    ):
        grouped[(lic.holder_org_id, lic.sku)].append(
            LicenseLine(
                lic.id,
                lic.quantity,
                lic.starts_at,
                lic.ends_at,
                lic.status,
                lic.overage_policy,
                # The row has what License.in_term reads: one definition of the term.
                License.in_term(lic, now),  # type: ignore[arg-type]
            )
        )
    return grouped


_NO_USE = PeriodUse(peak=0, average=0.0)


def _period_uses(
    session: Session,
    pool_ids: list[uuid.UUID],
    period: Period | None,
) -> Callable[[uuid.UUID, uuid.UUID], PeriodUse | None]:
    """(pool, org) -> its use over the period; None without a period.

    An org with no history in or before the period used nothing in it: it
    gets zeros, the same in JSON and CSV, not a missing value.
    """
    if period is None:
        return lambda pool_id, org_id: None
    uses = period_usage(session, pool_ids, first_day=period.first_day, last_day=period.last_day)
    return lambda pool_id, org_id: uses.get((pool_id, org_id), _NO_USE)


def child_report(
    session: Session, org: Org, *, sees_pool_figures: bool, period: Period | None
) -> ChildReport:
    now = clock.utcnow()
    source = current_source(session, org)
    holders = [org.id]
    if source == LicenseSource.PARENT_POOL and org.parent_id is not None:
        holders.append(org.parent_id)
    pools = session.execute(
        select(*_POOL_COLUMNS)
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
    licenses = _license_lines_by_pool(session, License.holder_org_id.in_(holders), now)
    history = _period_uses(session, pool_ids, period)
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
                pool=_figures(pool.used, pool_licenses) if shown else None,
                licenses=list(pool_licenses) if shown else [],
                period=history(pool.id, org.id),
            )
        )
    return ChildReport(org.id, org.name, source, now, period, items)


def _sources(
    session: Session, parent: Org, children: list[Row[tuple[uuid.UUID, str, str]]]
) -> dict[uuid.UUID, LicenseSource]:
    """Every child's source in one query: the newest change, else the default."""
    changed: dict[uuid.UUID, str] = {}
    if children:
        latest = (
            select(LicenseSourceChange.org_id, func.max(LicenseSourceChange.at).label("at"))
            .where(LicenseSourceChange.org_id.in_(_sub_org_ids(parent)))
            .group_by(LicenseSourceChange.org_id)
            .subquery()
        )
        # Of two changes at the same moment the higher id wins, as in current_source.
        for org_id, source in session.execute(
            select(LicenseSourceChange.org_id, LicenseSourceChange.source)
            .join(
                latest,
                and_(
                    LicenseSourceChange.org_id == latest.c.org_id,
                    LicenseSourceChange.at == latest.c.at,
                ),
            )
            .order_by(LicenseSourceChange.id)
        ):
            changed[org_id] = source
    # The default depends only on the child's kind (and the parent): once per kind.
    defaults: dict[str, LicenseSource] = {}
    sources = {}
    for c in children:
        if c.id in changed:
            sources[c.id] = LicenseSource(changed[c.id])
        else:
            if c.kind not in defaults:
                defaults[c.kind] = default_source(c, parent)  # type: ignore[arg-type]
            sources[c.id] = defaults[c.kind]
    return sources


def _sub_org_ids(parent: Org) -> Select[tuple[uuid.UUID]]:
    return select(Org.id).where(Org.parent_id == parent.id)


def _held_by(column: ColumnElement[uuid.UUID], org: Org) -> ColumnElement[bool]:
    """`column` names the org or, for a partner, one of its sub-orgs.

    A subquery on the parent, not a list of a thousand ids bound one by one
    (slow to plan on PostgreSQL). It matches sub-orgs the reader may not see:
    what they hold is dropped before anything is built from it.
    """
    if org.kind != OrgKind.PARTNER:
        return column == org.id
    return or_(column == org.id, column.in_(_sub_org_ids(org)))


def parent_report(
    session: Session,
    org: Org,
    *,
    period: Period | None,
    visible_child_ids: Collection[uuid.UUID] | None = None,
) -> ParentReport:
    """The parent view. `visible_child_ids` (None: all) names the sub-orgs the
    reader may see; the others are neither listed nor named, only counted in
    each pool's `other_children_use`."""
    now = clock.utcnow()
    # Rows with what is read of a child (id, name, kind), not ORM objects:
    # thousands of entities were much of a big partner's report time (bench/).
    all_children = (
        list(
            session.execute(
                select(Org.id, Org.name, Org.kind)
                .where(Org.parent_id == org.id)
                .order_by(Org.name, Org.id)
            )
        )
        if org.kind == OrgKind.PARTNER
        else []
    )
    children = (
        all_children
        if visible_child_ids is None
        else [c for c in all_children if c.id in visible_child_ids]
    )
    names = {c.id: c.name for c in children}
    hidden_ids = {c.id for c in all_children if c.id not in names}
    sources = _sources(session, org, children)
    # The org's pools and its visible children's; a hidden child's are dropped here.
    pools = [
        pool
        for pool in session.execute(
            select(*_POOL_COLUMNS)
            .where(_held_by(LicensePool.holder_org_id, org))
            .order_by(LicensePool.sku, LicensePool.id)
        )
        if pool.holder_org_id == org.id or pool.holder_org_id in names
    ]
    consumption: dict[uuid.UUID, dict[uuid.UUID, int]] = defaultdict(dict)
    if pools:
        # Core, not the ORM's row handling, for a row per (pool, consumer); the
        # queries above have autoflushed the session.
        for pool_id, org_id, units in session.connection().execute(
            select(Consumption.pool_id, Consumption.org_id, Consumption.units)
            .join(LicensePool, LicensePool.id == Consumption.pool_id)
            .where(_held_by(LicensePool.holder_org_id, org))
        ):
            consumption[pool_id][org_id] = units
    quotas: dict[tuple[uuid.UUID, str], int] = {}
    if names:
        for sub_org_id, sku, max_units in session.execute(
            select(Quota.sub_org_id, Quota.sku, Quota.max_units).where(
                Quota.sub_org_id.in_(_sub_org_ids(org))
            )
        ):
            quotas[(sub_org_id, sku)] = max_units
    licenses = _license_lines_by_pool(session, _held_by(License.holder_org_id, org), now)
    # The pools read above, by id: with a subquery PostgreSQL's planner cannot
    # tell how few pools a small partner has, and reads the whole rollup table.
    history = _period_uses(session, [pool.id for pool in pools], period)
    # Children in a pool are listed by name, then id: a rank per child, computed
    # once. (A UUID orders as its string does; the SQL order may follow another
    # collation, hence the sort, cheap on rows already nearly in order.)
    rank = {c.id: i for i, c in enumerate(sorted(children, key=lambda c: (c.name, c.id)))}

    own_pools: list[ParentPool] = []
    child_pools: dict[uuid.UUID, list[ChildOwnPool]] = defaultdict(list)
    for pool in pools:
        lines = licenses.get((pool.holder_org_id, pool.sku), [])
        figures = _figures(pool.used, lines)
        users = consumption.get(pool.id, {})
        if pool.holder_org_id == org.id:
            own_pools.append(
                ParentPool(
                    sku=pool.sku,
                    unit=pool.unit,
                    figures=figures,
                    licenses=list(lines),
                    own_use=users.get(org.id, 0),
                    own_period=history(pool.id, org.id),
                    children=[
                        ChildUse(
                            org_id=child_id,
                            org_name=names[child_id],
                            used=users[child_id],
                            quota=quotas.get((child_id, pool.sku)) if quotas else None,
                            period=history(pool.id, child_id),
                        )
                        for child_id in sorted(
                            (child_id for child_id in users if child_id in names),
                            key=rank.__getitem__,
                        )
                    ],
                    other_children_use=sum(
                        units for child_id, units in users.items() if child_id in hidden_ids
                    ),
                )
            )
        else:  # a visible child's own pool
            child_pools[pool.holder_org_id].append(
                ChildOwnPool(
                    sku=pool.sku,
                    unit=pool.unit,
                    figures=figures,
                    licenses=list(lines),
                    period=history(pool.id, pool.holder_org_id),
                )
            )
    summaries = [
        ChildSummary(c.id, c.name, sources[c.id], child_pools.get(c.id, [])) for c in children
    ]
    return ParentReport(org.id, org.name, now, period, own_pools, summaries)
