"""The parent view of the license report: what a partner's admins see.

It shows the partner's pools with every child's use, and each child's own
licenses; sub-orgs the reader may not see are neither listed nor named, only
counted. It runs a fixed number of queries, however many children there are.

For a period, history stays true across moves (lifecycle.moves): a sub-org
that was the partner's during the period and has moved away since is listed
in the pools it drew on then, with its use over the period and when it moved
out (`moved_out_at`); it is no longer the partner's customer, so it has no
summary. Only a reader who sees every sub-org sees former ones.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, and_, or_, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.licensing.history import PeriodUse
from tenantree.licensing.id_text import id_text, text_of, uuid_text
from tenantree.licensing.models import Consumption, License, LicensePool, LicenseSource, Quota
from tenantree.licensing.periods import jit_off_column
from tenantree.licensing.reports.common import (
    LICENSE_COLUMNS,
    POOL_COLUMNS,
    LicenseLine,
    Period,
    PoolFigures,
    PoolPeriods,
    license_line,
    linked_figures,
    pool_figures,
    pool_periods,
)
from tenantree.licensing.sources import SubOrgSources, current_path, latest_source_change
from tenantree.orgs.kinds import OrgStatus
from tenantree.orgs.models import Org
from tenantree.orgs.parentage import OrgParentage


@dataclass(slots=True)
class ChildUse:
    # The id as str(UUID) (licensing.id_text.uuid_text): a big partner's pools
    # list 20,000 children, shown as text and never otherwise needed parsed.
    org_id_text: str
    org_name: str
    used: int
    quota: int | None
    period: PeriodUse | None = None
    # The partner is deactivated and this customer was left running: its draw
    # on the pool continues, and the report says so (lifecycle.deactivation).
    drawing_while_partner_deactivated: bool = False
    # A former sub-org (period reports only): when it moved to another partner.
    moved_out_at: datetime | None = None

    @property
    def org_id(self) -> uuid.UUID:
        return uuid.UUID(self.org_id_text)


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
    pool_id: uuid.UUID | None = None
    # The projected day use reaches the quantity (alerts.forecasts fills it in).
    runs_out_on: date | None = None
    # A tier-2 partner's pool drawing on its distributor's (licensing.linked):
    # its figures are bound by its quota from the distributor, if any.
    draws_on_distributor: bool = False
    distributor_quota: int | None = None


@dataclass
class ChildOwnPool:
    sku: str
    unit: str
    figures: PoolFigures
    licenses: list[LicenseLine]
    period: PeriodUse | None
    pool_id: uuid.UUID | None = None
    runs_out_on: date | None = None


@dataclass(slots=True)
class ChildSummary:
    org_id_text: str  # str(UUID), as ChildUse's
    org_name: str
    license_source: LicenseSource
    own_pools: list[ChildOwnPool]

    @property
    def org_id(self) -> uuid.UUID:
        return uuid.UUID(self.org_id_text)


@dataclass
class ParentReport:
    org_id: uuid.UUID
    org_name: str
    generated_at: datetime
    period: Period | None
    pools: list[ParentPool]
    children: list[ChildSummary]
    deactivated: bool = False


def _held_by(column: ColumnElement[uuid.UUID], org: Org) -> ColumnElement[bool]:
    """`column` names the org or, for a partner, one of its sub-orgs.

    A subquery on the parent, not a list of a thousand ids bound one by one
    (slow to plan on PostgreSQL), and one IN over the org and its sub-orgs
    rather than `= org OR IN (sub-orgs)`: a single condition on the column.
    It matches sub-orgs the reader may not see:
    what they hold is dropped before anything is built from it.
    """
    if not org.is_partner:
        return column == org.id
    return column.in_(select(Org.id).where(or_(Org.id == org.id, Org.parent_id == org.id)))


class _Child(NamedTuple):
    text: str  # the id as the database's text (licensing.id_text): the report's keys
    shown: str  # the id as str(UUID), what the report shows: never parsed
    name: str
    status: str
    moved_out_at: datetime | None = None
    source: LicenseSource | None = None  # a current sub-org's


def _child(dialect: str, text: str, *row: Any) -> _Child:
    return _Child(text, uuid_text(dialect, text), *row)


@dataclass(frozen=True)
class _Children:
    """The partner's sub-orgs as the reader may see them, by the ids' text:
    the rows read with and after them (quotas, consumption, the period) carry the same
    text, and nothing else of theirs is parsed (licensing.id_text)."""

    visible: list[_Child]  # by name, then id
    hidden: set[str]
    # Children in a pool are listed by name, then id: a rank per child, computed
    # once. (A UUID orders as its string does; the SQL order may follow another
    # collation, hence the sort, cheap on rows already nearly in order.)
    rank: dict[str, int]
    # Visible children still active (those left running when the partner is not).
    active: frozenset[str] = frozenset()
    # Sub-orgs the partner had during the period and has no longer, when each left.
    former: dict[str, datetime] = field(default_factory=dict)
    # SKU -> sub-org's id text -> its quota (current sub-orgs, hidden ones too).
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)

    @functools.cached_property
    def by_text(self) -> dict[str, _Child]:
        # Once per report, not once per pool: 10,000 children are a dict each time.
        return {c.text: c for c in self.visible}

    @property
    def current(self) -> list[_Child]:
        return [c for c in self.visible if c.text not in self.former]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _former_children(session: Session, org: Org, period: Period, dialect: str) -> list[_Child]:
    """Sub-orgs under the partner for part of the period that have moved away."""
    starts, ends = _day_start(period.first_day), _day_start(period.last_day + timedelta(days=1))
    left: dict[str, _Child] = {}
    for row in session.execute(
        select(id_text(dialect, Org.id), Org.name, Org.status, OrgParentage.until)
        .join(OrgParentage, OrgParentage.sub_org_id == Org.id)
        .where(
            OrgParentage.partner_id == org.id,
            OrgParentage.until.is_not(None),
            OrgParentage.until > starts,
            OrgParentage.since < ends,
            Org.parent_id != org.id,
        )
    ):
        child = _child(dialect, *row)
        known = left.get(child.text)
        if known is None or (known.moved_out_at or starts) < (child.moved_out_at or starts):
            left[child.text] = child
    return list(left.values())


def _children(
    session: Session,
    org: Org,
    visible_child_ids: Collection[uuid.UUID] | None,
    dialect: str,
    period: Period | None = None,
) -> _Children:
    # Rows with what is read of a child, not ORM objects: thousands of
    # entities were much of a big partner's report time (bench/). Its source
    # and its quotas come in the same statement, not in queries of their own
    # over the same sub-orgs: on a loaded host each round trip to PostgreSQL
    # costs milliseconds of waiting for its backend (bench/ANALYSIS.md, round 11).
    source_of = SubOrgSources(org)
    every: list[_Child] = []
    quotas: dict[str, dict[str, int]] = defaultdict(dict)
    if org.is_partner:
        rows = (
            session.connection()
            .execute(
                select(
                    id_text(dialect, Org.id),
                    Org.name,
                    Org.status,
                    Org.kind,
                    latest_source_change(),
                    Quota.sku,
                    Quota.max_units,
                )
                .outerjoin(Quota, Quota.sub_org_id == Org.id)
                .where(Org.parent_id == org.id)
                .order_by(Org.name, Org.id)
            )
            .all()
        )
        # A child with several quotas has a row per quota, next to each other.
        last = None
        for text, name, status, kind, latest, sku, max_units in rows:
            if text != last:
                every.append(_child(dialect, text, name, status, None, source_of(kind, latest)))
                last = text
            if sku is not None:
                quotas[sku][text] = max_units
    former: list[_Child] = []
    if visible_child_ids is None:
        # Only a reader who sees every sub-org sees those it had in the period.
        if org.is_partner and period:
            former = _former_children(session, org, period, dialect)
        visible = every + former
    else:
        may_see = {text_of(dialect, i) for i in visible_child_ids}
        visible = [c for c in every if c.text in may_see]
    seen = {c.text for c in visible}
    # A UUID orders as its text does, in either database's form.
    ordered = sorted(visible, key=lambda c: (c.name, c.text))
    return _Children(
        visible=visible,
        hidden={c.text for c in every if c.text not in seen},
        rank={c.text: i for i, c in enumerate(ordered)},
        active=frozenset(c.text for c in every if c.text in seen and c.status == OrgStatus.ACTIVE),
        former={c.text: c.moved_out_at for c in former if c.moved_out_at is not None},
        quotas=quotas,
    )


def _consumption_by_pool(
    session: Session, pool_ids: list[uuid.UUID], dialect: str
) -> dict[str, dict[str, int]]:
    """pool -> consumer -> units for these pools (the org's own: only those
    list their consumers), by the ids' text."""
    consumption: dict[str, dict[str, int]] = defaultdict(dict)
    # Core, not the ORM's row handling, for a row per (pool, consumer), fetched
    # whole; the queries before have autoflushed the session.
    for pool_id, org_id, units in (
        session.connection()
        .execute(
            select(
                id_text(dialect, Consumption.pool_id),
                id_text(dialect, Consumption.org_id),
                Consumption.units,
            ).where(Consumption.pool_id.in_(pool_ids))
        )
        .all()
    ):
        consumption[pool_id][org_id] = units
    return consumption


def _own_quotas(session: Session, org: Org) -> dict[str, int]:
    """SKU -> the org's quota from its own partner."""
    rows = session.execute(select(Quota.sku, Quota.max_units).where(Quota.sub_org_id == org.id))
    return {sku: max_units for sku, max_units in rows}


def _parent_pool(
    org: Org,
    org_text: str,
    pool: Row[Any],
    lines: list[LicenseLine],
    users: dict[str, int],
    children: _Children,
    quotas: dict[str, int],
    history: PoolPeriods,
) -> ParentPool:
    """The partner's pool; `users` and `quotas` (of its SKU) by the ids' text."""
    by_text = children.by_text
    listed = [text for text in users if text in by_text]
    listed.sort(key=children.rank.__getitem__)
    # Those drawing while the partner is deactivated: none while it is active.
    left_running = frozenset() if org.is_active else children.active
    former = children.former
    uses = history.uses_of(pool.text)
    no_use = history.no_use
    # One pass, a ChildUse by position, and no call or lookup a pool does not
    # need (no period, no quotas, no former sub-org): 20,000 of them at 10,000
    # sub-orgs (bench/ANALYSIS.md, round 12).
    listed_use = [
        ChildUse(
            child.shown,
            child.name,
            users[text],
            quotas.get(text) if quotas else None,
            None if uses is None else uses.get(text, no_use),
            text in left_running,
            former.get(text) if former else None,
        )
        for text in listed
        for child in (by_text[text],)
    ]
    hidden = children.hidden
    return ParentPool(
        sku=pool.sku,
        unit=pool.unit,
        figures=pool_figures(pool.used, lines),
        licenses=list(lines),
        own_use=users.get(org_text, 0),
        own_period=history.of_pool(pool.text)(org_text),
        children=listed_use,
        other_children_use=sum(units for child, units in users.items() if child in hidden)
        if hidden
        else 0,
        pool_id=pool.id,
    )


def _pools_with_licenses(
    session: Session,
    org: Org,
    children: _Children,
    dialect: str,
    now: datetime,
    *,
    jit_off: bool = False,
) -> tuple[list[Row[Any]], dict[str, list[LicenseLine]]]:
    """The org's pools and its visible children's (a hidden child's are
    dropped here), by SKU, and each one's license lines by the pool's id
    text. One statement, a row per (pool, license): on a loaded host each
    round trip to PostgreSQL costs milliseconds (bench/ANALYSIS.md, round 11).
    `jit_off`: the statement also turns JIT off for the period's statement
    (periods.jit_off_column), which is then not a round trip of its own."""
    by_text = children.by_text
    pools: list[Row[Any]] = []
    lines: dict[str, list[LicenseLine]] = {}
    rows = (
        session.connection()
        .execute(
            select(
                *POOL_COLUMNS,
                id_text(dialect, LicensePool.id).label("text"),
                id_text(dialect, LicensePool.holder_org_id).label("holder_text"),
                License.id.label("license_id"),
                *LICENSE_COLUMNS[1:],
                *([jit_off_column()] if jit_off else []),
            )
            .outerjoin(
                License,
                and_(
                    License.holder_org_id == LicensePool.holder_org_id,
                    License.sku == LicensePool.sku,
                ),
            )
            .where(_held_by(LicensePool.holder_org_id, org))
            .order_by(LicensePool.sku, LicensePool.id, License.starts_at, License.id)
        )
        .all()
    )
    for row in rows:
        pool_lines = lines.get(row.text)
        if pool_lines is None:
            if not (
                row.holder_org_id == org.id
                or (row.holder_text in by_text and row.holder_text not in children.former)
            ):
                continue
            pools.append(row)
            pool_lines = lines[row.text] = []
        if row.license_id is not None:
            pool_lines.append(license_line(row, now, row.license_id))
    return pools, lines


def parent_report(
    session: Session,
    org: Org,
    *,
    period: Period | None,
    visible_child_ids: Collection[uuid.UUID] | None = None,
    pools_read: Callable[[list[uuid.UUID]], object] | None = None,
) -> ParentReport:
    """The parent view. `visible_child_ids` (None: all) names the sub-orgs the
    reader may see; the others are neither listed nor named, only counted in
    each pool's `other_children_use`. `pools_read` is called with the ids of
    the pools the report shows as soon as they are read, before the Python that
    builds the report: a caller's read of the same pools (their forecasts) is
    then sent while PostgreSQL's backend is still awake, not after the whole
    report (bench/ANALYSIS.md, rounds 11 and 12)."""
    now = clock.utcnow()
    # Core rows below, not the ORM's handling of them (10,000 sub-orgs): they
    # would have autoflushed.
    session.flush()
    dialect = session.get_bind().dialect.name
    org_text = text_of(dialect, org.id)
    children = _children(session, org, visible_child_ids, dialect, period)
    # With a period, PostgreSQL's JIT goes off in the pools' statement; when it
    # returns no row there is no pool, so no period's statement either.
    jit_off = period is not None and dialect == "postgresql"
    pools, licenses = _pools_with_licenses(session, org, children, dialect, now, jit_off=jit_off)
    if pools_read is not None:
        pools_read([pool.id for pool in pools])
    quotas = children.quotas
    # The pools read above, by id: with a subquery PostgreSQL's planner cannot
    # tell how few pools a small partner has, and reads the whole rollup table.
    history = pool_periods(session, [pool.id for pool in pools], period, jit_off=jit_off)
    # A period's statement reads every consumption row of the pools: their
    # units come with it, not in a second pass over 20,000 rows.
    consumption = history.units
    if consumption is None:
        own_pool_ids = [pool.id for pool in pools if pool.holder_org_id == org.id]
        consumption = _consumption_by_pool(session, own_pool_ids, dialect) if own_pool_ids else {}

    # A linked partner's own quotas from its distributor bound its pools.
    link = current_path(session, org).link if org.is_partner and org.is_sub_org else None
    link_quotas = _own_quotas(session, org) if link else {}
    own_pools: list[ParentPool] = []
    child_pools: dict[str, list[ChildOwnPool]] = defaultdict(list)
    for pool in pools:
        lines = licenses[pool.text]
        if pool.holder_org_id == org.id:
            users = consumption.get(pool.text, {})
            sku_quotas = quotas.get(pool.sku, {})
            own = _parent_pool(org, org_text, pool, lines, users, children, sku_quotas, history)
            if link is not None:
                own.draws_on_distributor = True
                own.distributor_quota = link_quotas.get(pool.sku)
                own.figures = linked_figures(pool.used, own.distributor_quota)
            own_pools.append(own)
        else:  # a visible child's own pool
            child_pools[pool.holder_text].append(
                ChildOwnPool(
                    sku=pool.sku,
                    unit=pool.unit,
                    figures=pool_figures(pool.used, lines),
                    licenses=list(lines),
                    period=history.of_pool(pool.text)(pool.holder_text),
                    pool_id=pool.id,
                )
            )
    summaries = [
        ChildSummary(c.shown, c.name, c.source, child_pools.get(c.text, []))
        for c in children.current
    ]
    return ParentReport(
        org.id, org.name, now, period, own_pools, summaries, deactivated=not org.is_active
    )
