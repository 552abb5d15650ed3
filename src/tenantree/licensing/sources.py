"""Which pool an org draws on: its license source, and the path of pools it draws through.

The rules, written once here:
- A sub-org draws on its partner's pool (`parent_pool`) or holds its own (`own`).
- A partner's own use always sits in its own pool, whatever its source.
- A tier-2 partner (a distributor's sub-org that is an MSP or a reseller)
  whose source is `parent_pool` has *linked* pools: each holds no quantity of
  its own and draws on its distributor's pool of the SKU through one
  consumption row there (org = the partner) whose units always equal the
  linked pool's use. Its own use and its customers' use go into its pool;
  every change there is made in the distributor's pool too (consumption).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Uuid, bindparam, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from tenantree.licensing.models import LicenseSource, LicenseSourceChange
from tenantree.orgs.kinds import OrgKind, PartnerType
from tenantree.orgs.models import Org


def _source(kind: str, latest: str | None, parent_partner_type: str | None) -> LicenseSource:
    """The one rule: only a sub-org draws on another's pool; its newest change is
    in force, else MSP customers share the MSP's pool and others hold their own."""
    if kind != OrgKind.SUB_ORG:
        return LicenseSource.OWN
    if latest is not None:
        return LicenseSource(latest)
    if parent_partner_type == PartnerType.MSP:
        return LicenseSource.PARENT_POOL
    return LicenseSource.OWN


def _latest_change(org_id: object) -> Select[tuple[str]]:
    # Of two changes at the same moment the higher id wins.
    return (
        select(LicenseSourceChange.source)
        .where(LicenseSourceChange.org_id == org_id)
        .order_by(LicenseSourceChange.at.desc(), LicenseSourceChange.id.desc())
        .limit(1)
    )


_SourceRow = tuple[str | None, str | None, uuid.UUID | None, str | None, uuid.UUID | None]


def _sub_org_source() -> Select[_SourceRow]:
    """A sub-org's latest source change, its partner's type, its partner, its
    own partner type and its partner's partner, in one query."""
    parent = aliased(Org)
    partner_type = select(parent.partner_type).where(parent.id == Org.parent_id).scalar_subquery()
    grandparent = select(parent.parent_id).where(parent.id == Org.parent_id).scalar_subquery()
    return select(
        _latest_change(Org.id).scalar_subquery(),
        partner_type,
        Org.parent_id,
        Org.partner_type,
        grandparent,
    ).where(Org.id == bindparam("org_id", type_=Uuid))


# Built once: consumption is the hot path, and building these per call cost
# more than running them (bench/).
_SUB_ORG_SOURCE = _sub_org_source()
_LOCK_SUB_ORG = _SUB_ORG_SOURCE.with_for_update(of=Org, key_share=True)
# A share lock on a tier-2 partner's row: its customers' changes run side by
# side, but not beside a change of its source or parent (which locks its row
# FOR NO KEY UPDATE), so a link cannot change under a consumer drawing through it.
_SHARE_PARTNER = _SUB_ORG_SOURCE.with_for_update(of=Org, read=True)
_LOCK_ORG = (
    select(Org.id).where(Org.id == bindparam("org_id", type_=Uuid)).with_for_update(key_share=True)
)


def _source_of(row: _SourceRow) -> LicenseSource:
    return _source(OrgKind.SUB_ORG, row[0], row[1])


@dataclass(frozen=True)
class Link:
    """A linked pool's holder and the distributor whose pool it draws on."""

    partner_id: uuid.UUID
    distributor_id: uuid.UUID


@dataclass(frozen=True)
class DrawPath:
    """Where a consumer's use sits: the holder of the pool it draws on and,
    when that pool is linked, the distributor's pool above it."""

    source: LicenseSource
    holder_id: uuid.UUID
    link: Link | None = None


def pool_holder(
    org_id: uuid.UUID, parent_id: uuid.UUID | None, source: LicenseSource, *, is_partner: bool
) -> uuid.UUID:
    """Whose pool an org's own use sits in: a partner's in its own, whatever its source."""
    if source == LicenseSource.PARENT_POOL and not is_partner:
        assert parent_id is not None
        return parent_id
    return org_id


def link_of(
    org_id: uuid.UUID, parent_id: uuid.UUID | None, source: LicenseSource, *, is_partner: bool
) -> Link | None:
    """A partner's pools are linked when it is a sub-org (tier 2) drawing on its partner."""
    if is_partner and parent_id is not None and source == LicenseSource.PARENT_POOL:
        return Link(org_id, parent_id)
    return None


def _path(session: Session, org_id: uuid.UUID, row: _SourceRow, *, lock: bool) -> DrawPath:
    source = _source_of(row)
    _, _, parent_id, partner_type, grandparent_id = row
    is_partner = partner_type is not None
    holder_id = pool_holder(org_id, parent_id, source, is_partner=is_partner)
    if holder_id == org_id:
        link = link_of(org_id, parent_id, source, is_partner=is_partner)
        return DrawPath(source, holder_id, link)
    if grandparent_id is None:
        return DrawPath(source, holder_id)  # a top-level partner's pool: never linked
    # A tier-2 partner's customer: its partner's pool may be linked.
    return DrawPath(source, holder_id, partner_link(session, holder_id, lock=lock))


def partner_link(session: Session, partner_id: uuid.UUID, *, lock: bool) -> Link | None:
    """A tier-2 partner's link to its distributor's pools, or None; with `lock`,
    read under a shared lock on the partner's row (see _SHARE_PARTNER)."""
    statement = _SHARE_PARTNER if lock else _SUB_ORG_SOURCE
    row = session.execute(statement, {"org_id": partner_id}).one()
    return link_of(partner_id, row[2], _source_of(row), is_partner=True)


def current_path(session: Session, org: Org) -> DrawPath:
    """The consumer's path as last committed (no lock: previews and reports)."""
    if not org.is_sub_org:
        return DrawPath(LicenseSource.OWN, org.id)
    row = session.execute(_SUB_ORG_SOURCE, {"org_id": org.id}).one()
    return _path(session, org.id, row, lock=False)


def linked_holders(session: Session, holder_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Of these orgs, the tier-2 partners whose pools are linked (by link_of).

    A tier-2 partner's partner is a distributor, under which a sub-org holds
    its own by default: only a recorded parent_pool links its pools.
    """
    rows = session.execute(
        select(Org.id, Org.parent_id, _latest_change(Org.id).scalar_subquery()).where(
            Org.id.in_(holder_ids), Org.kind == OrgKind.SUB_ORG, Org.partner_type.is_not(None)
        )
    )
    return {
        org_id
        for org_id, parent_id, latest in rows
        if link_of(org_id, parent_id, _source(OrgKind.SUB_ORG, latest, None), is_partner=True)
    }


def current_source(session: Session, org: Org) -> LicenseSource:
    if not org.is_sub_org:
        return LicenseSource.OWN
    return _source_of(session.execute(_SUB_ORG_SOURCE, {"org_id": org.id}).one())


def latest_source_change() -> ColumnElement[str | None]:
    """An org's newest recorded source (or NULL), a column to read beside its
    own: with SubOrgSources, its sub-orgs' sources come with the query that
    reads them."""
    return _latest_change(Org.id).scalar_subquery()


class SubOrgSources:
    """One partner's sub-orgs' sources, by current_source's rule, from each
    one's kind and latest_source_change(). The rule runs once per (kind,
    latest change), not once per sub-org: a big partner has 10,000 sub-orgs
    and a handful of such pairs."""

    def __init__(self, parent: Org) -> None:
        self._parent_type = parent.partner_type
        self._known: dict[tuple[str, str | None], LicenseSource] = {}

    def __call__(self, kind: str, latest: str | None) -> LicenseSource:
        source = self._known.get((kind, latest))
        if source is None:
            source = self._known[(kind, latest)] = _source(kind, latest, self._parent_type)
        return source


def sub_org_sources(session: Session, parent: Org) -> dict[uuid.UUID, LicenseSource]:
    """Every sub-org's source in one query, by the same rule as current_source."""
    rows = session.execute(
        select(Org.id, Org.kind, latest_source_change()).where(Org.parent_id == parent.id)
    )
    source_of = SubOrgSources(parent)
    return {org_id: source_of(kind, latest) for org_id, kind, latest in rows}


def lock_consumer(session: Session, org: Org) -> LicenseSource:
    """Lock a consumer's org row and read its license source, in one round trip.

    The lock (FOR NO KEY UPDATE: rows that reference the org can still be
    inserted meanwhile) serialises the consumer's own changes (its use, its
    rollup rows) against each other and against a change of its source (lock
    order: lock_path). On SQLite every
    write transaction already began IMMEDIATE, so writers are serialised.
    """
    if not org.is_sub_org:
        session.execute(_LOCK_ORG, {"org_id": org.id})
        return LicenseSource.OWN
    return lock_path(session, org).source


def lock_path(session: Session, org: Org) -> DrawPath:
    """Lock the consumer (lock_consumer) and, when it draws through a tier-2
    partner's linked pool, share-lock that partner's row: the path read stays
    true until the work commits.

    Lock order everywhere (consumption, source changes, moves): org rows from
    the consumer up, then pool rows from the nearest up (a tier-2 partner's
    pools before its distributor's; by id within a level). The distributor's
    pool, shared by the most consumers, is locked last and held the shortest.
    """
    if not org.is_sub_org:
        session.execute(_LOCK_ORG, {"org_id": org.id})
        return DrawPath(LicenseSource.OWN, org.id)
    row = session.execute(_LOCK_SUB_ORG, {"org_id": org.id}).one()
    # The partner as read under the lock: a move committed while this waited
    # (lifecycle.moves) is seen, so the use goes to the new partner's pool.
    set_committed_value(org, "parent_id", row[2])
    return _path(session, org.id, row, lock=True)
