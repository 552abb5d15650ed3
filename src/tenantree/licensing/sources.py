"""Which pool an org draws on: its license source."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, Uuid, bindparam, select
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


def _sub_org_source() -> Select[tuple[str | None, str | None, uuid.UUID | None]]:
    """A sub-org's latest source change, its partner's type and its partner, in one query."""
    parent = aliased(Org)
    partner_type = select(parent.partner_type).where(parent.id == Org.parent_id).scalar_subquery()
    return select(_latest_change(Org.id).scalar_subquery(), partner_type, Org.parent_id).where(
        Org.id == bindparam("org_id", type_=Uuid)
    )


# Built once: consumption is the hot path, and building these per call cost
# more than running them (bench/).
_SUB_ORG_SOURCE = _sub_org_source()
_LOCK_SUB_ORG = _SUB_ORG_SOURCE.with_for_update(of=Org, key_share=True)
_LOCK_ORG = (
    select(Org.id).where(Org.id == bindparam("org_id", type_=Uuid)).with_for_update(key_share=True)
)


def _source_of(row: tuple[str | None, str | None, uuid.UUID | None]) -> LicenseSource:
    latest, partner_type, _ = row
    return _source(OrgKind.SUB_ORG, latest, partner_type)


def current_source(session: Session, org: Org) -> LicenseSource:
    if not org.is_sub_org:
        return LicenseSource.OWN
    return _source_of(session.execute(_SUB_ORG_SOURCE, {"org_id": org.id}).one())


def sub_org_sources(session: Session, parent: Org) -> dict[uuid.UUID, LicenseSource]:
    """Every sub-org's source in one query, by the same rule as current_source."""
    rows = session.execute(
        select(Org.id, Org.kind, _latest_change(Org.id).scalar_subquery()).where(
            Org.parent_id == parent.id
        )
    )
    return {org_id: _source(kind, latest, parent.partner_type) for org_id, kind, latest in rows}


def lock_consumer(session: Session, org: Org) -> LicenseSource:
    """Lock a consumer's org row and read its license source, in one round trip.

    The lock (FOR NO KEY UPDATE: rows that reference the org can still be
    inserted meanwhile) serialises the consumer's own changes (its use, its
    rollup rows) against each other and against a change of its source. Lock order
    everywhere: the consumer org's row, then pool rows by id. On SQLite every
    write transaction already began IMMEDIATE, so writers are serialised.
    """
    if not org.is_sub_org:
        session.execute(_LOCK_ORG, {"org_id": org.id})
        return LicenseSource.OWN
    row = session.execute(_LOCK_SUB_ORG, {"org_id": org.id}).one()
    # The partner as read under the lock: a move committed while this waited
    # (lifecycle.moves) is seen, so the use goes to the new partner's pool.
    set_committed_value(org, "parent_id", row[2])
    return _source_of(row)
