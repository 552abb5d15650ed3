"""Loading the facts the policy decides on, from the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tenantree.access.policy import Actor, MembershipFact, OrgFacts
from tenantree.db.reads import read_connection
from tenantree.identity.models import Account, Membership
from tenantree.identity.roles import MemberStatus, Role
from tenantree.orgs.kinds import OrgKind, OrgStatus
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser


def membership_fact_columns(entries: Any, orgs: Any, prefix: str) -> tuple[Any, ...]:
    """The columns a MembershipFact is read from, labelled `{prefix}_...`, of a
    directory entries table (or an alias of it) joined with its orgs' table: a
    query reading two people's entries (an API token's and its creator's) reads
    each under its own prefix."""
    return (
        entries.c.id.label(f"{prefix}_id"),
        entries.c.org_id.label(f"{prefix}_org_id"),
        entries.c.role.label(f"{prefix}_role"),
        entries.c.is_primary_admin.label(f"{prefix}_is_primary_admin"),
        entries.c.status.label(f"{prefix}_status"),
        orgs.c.status.label(f"{prefix}_org_status"),
    )


# The columns a MembershipFact is read from: a directory entry joined with its
# org. The tables' columns, not the mapped attributes (the actor is loaded on
# every request), so a caller can also fold them into a larger Core query
# (authn.signin.authenticate reads the token, the account and these in one
# round trip, with no ORM loading).
MEMBERSHIP_FACT_COLUMNS = membership_fact_columns(Membership.__table__, Org.__table__, "membership")


def membership_fact(row: Any, prefix: str = "membership") -> MembershipFact:
    """A MembershipFact from a row holding `membership_fact_columns(..., prefix)`
    (by default MEMBERSHIP_FACT_COLUMNS)."""
    if prefix == "membership":
        return _fact(
            row.membership_id,
            row.membership_org_id,
            row.membership_role,
            row.membership_is_primary_admin,
            row.membership_status,
            row.membership_org_status,
        )
    values = row._mapping
    return _fact(
        values[f"{prefix}_id"],
        values[f"{prefix}_org_id"],
        values[f"{prefix}_role"],
        values[f"{prefix}_is_primary_admin"],
        values[f"{prefix}_status"],
        values[f"{prefix}_org_status"],
    )


def _fact(
    membership_id: uuid.UUID,
    org_id: uuid.UUID,
    role: str,
    is_primary_admin: bool,
    status: str,
    org_status: str,
) -> MembershipFact:
    return MembershipFact(
        membership_id=membership_id,
        org_id=org_id,
        role=Role(role),
        is_primary_admin=is_primary_admin,
        active=status == MemberStatus.ACTIVE,
        org_active=org_status == OrgStatus.ACTIVE,
    )


def entry_fact(membership: Membership, org_active: bool) -> MembershipFact:
    """A MembershipFact from a loaded directory entry (and whether its org is active)."""
    return MembershipFact(
        membership_id=membership.id,
        org_id=membership.org_id,
        role=Role(membership.role),
        is_primary_admin=membership.is_primary_admin,
        active=membership.status == MemberStatus.ACTIVE,
        org_active=org_active,
    )


def load_actor(session: Session, account: Account) -> Actor:
    rows = session.execute(
        select(*MEMBERSHIP_FACT_COLUMNS)
        .join_from(Membership, Org, Org.id == Membership.org_id)
        # An entry awaiting its owner's consent grants nothing and, not
        # being theirs yet, does not make them "suspended everywhere" either.
        .where(Membership.account_id == account.id, ~Membership.awaiting_consent)
    )
    memberships = {row.membership_org_id: membership_fact(row) for row in rows}
    return Actor(account_id=account.id, is_operator=account.is_operator, memberships=memberships)


@dataclass(frozen=True)
class LoadedOrg:
    # An entity, or from load_org_row the org's row: the same attributes, read-only.
    org: Org
    facts: OrgFacts


# Built once, as authn.signin's token query is: building the statement (and its
# cache key) on every call cost more than running it (bench/ANALYSIS.md, round 4).
_ORG_WITH_ACCESS = (
    select(Org, SubOrgAccess)
    .outerjoin(SubOrgAccess, SubOrgAccess.org_id == Org.id)
    .where(Org.id == bindparam("org_id"))
)


def load_org(session: Session, org_id: uuid.UUID) -> LoadedOrg | None:
    row = session.execute(_ORG_WITH_ACCESS, {"org_id": org_id}).first()
    if row is None:
        return None
    org, access = row
    return LoadedOrg(org, org_facts(session, org, access))


_ORGS = Org.__table__
_ACCESS = SubOrgAccess.__table__
# The same as _ORG_WITH_ACCESS in the tables' columns: one row, no entities.
_ORG_ROW_WITH_ACCESS = (
    select(
        *_ORGS.c,
        # Whether the org has an access row (load_sub_org_facts reads it so too).
        _ACCESS.c.org_id.is_not(None).label("has_access"),
        _ACCESS.c.customer_access,
        _ACCESS.c.partner_users_restricted,
        _ACCESS.c.customer_may_brand,
        _ACCESS.c.partner_access_expires_at,
        _ACCESS.c.partner_access_lapse_recorded,
    )
    .select_from(_ORGS)
    .outerjoin(_ACCESS, _ACCESS.c.org_id == _ORGS.c.id)
    .where(_ORGS.c.id == bindparam("org_id"))
)


def load_org_row(session: Session, org_id: uuid.UUID) -> LoadedOrg | None:
    """As `load_org`, with the org as its row (its columns, read-only) instead
    of an entity: for a request that only reads the org, where the ORM's
    loading cost more than the query (bench/ANALYSIS.md, round 6)."""
    # On the work's connection, below the Session's ORM execution (db.reads).
    row = read_connection(session).execute(_ORG_ROW_WITH_ACCESS, {"org_id": org_id}).first()
    if row is None:
        return None
    # The row has the attributes org_facts reads of an Org and of a SubOrgAccess.
    return LoadedOrg(row, org_facts(session, row, row if row.has_access else None))  # type: ignore[arg-type]


# A listed partner entry as the facts need it: its id, its end, whether the
# end was audited.
_ListedRow = tuple[uuid.UUID, datetime | None, bool]


def _lists_matter(access: Any) -> bool:
    """Are the listed entries needed: restricted, or wide access that ends."""
    return access is not None and (
        access.partner_users_restricted or access.partner_access_expires_at is not None
    )


def org_facts(session: Session, org: Org, access: SubOrgAccess | None) -> OrgFacts:
    listed: list[_ListedRow] = []
    if _lists_matter(access):
        listed = [
            tuple(row)  # type: ignore[misc]
            for row in session.execute(
                select(*_LISTED_COLUMNS).where(SubOrgPartnerUser.sub_org_id == org.id)
            )
        ]
    return _facts(org, access, listed, _parent_facts(session, org.parent_id, org.depth))


def _parent_facts(session: Session, parent_id: uuid.UUID | None, depth: int) -> OrgFacts | None:
    """The parent's facts when it is itself a sub-org (the org is a tier-2
    partner's customer): paths from above pass through it. None for the
    others, which pay no query for it."""
    if parent_id is None or depth < 2:
        return None
    loaded = load_org_row(session, parent_id)
    return None if loaded is None else loaded.facts


_LISTED_COLUMNS = (
    SubOrgPartnerUser.membership_id,
    SubOrgPartnerUser.expires_at,
    SubOrgPartnerUser.lapse_recorded,
)


def load_sub_org_facts(session: Session, parent_id: uuid.UUID) -> dict[uuid.UUID, OrgFacts]:
    """Facts for every sub-org of a partner, in two queries however many there are."""
    # Columns, not entities: a partner has thousands of sub-orgs, and building
    # ORM objects for them was most of the time of a partner-wide view (bench/).
    rows = session.execute(
        select(
            Org.id,
            Org.kind,
            Org.parent_id,
            Org.depth,
            Org.status,
            Org.partner_type,
            # Whether the sub-org has an access row (not its id: one value fewer
            # to convert per sub-org).
            SubOrgAccess.org_id.is_not(None).label("has_access"),
            SubOrgAccess.customer_access,
            SubOrgAccess.partner_users_restricted,
            SubOrgAccess.customer_may_brand,
            SubOrgAccess.partner_access_expires_at,
            SubOrgAccess.partner_access_lapse_recorded,
        )
        .outerjoin(SubOrgAccess, SubOrgAccess.org_id == Org.id)
        .where(Org.parent_id == parent_id)
    ).all()
    parent = _parent_facts(session, parent_id, rows[0].depth) if rows else None
    listed: dict[uuid.UUID, list[_ListedRow]] = {}
    for sub_org_id, *entry in session.execute(
        select(SubOrgPartnerUser.sub_org_id, *_LISTED_COLUMNS)
        .join(Org, Org.id == SubOrgPartnerUser.sub_org_id)
        .where(Org.parent_id == parent_id)
    ):
        listed.setdefault(sub_org_id, []).append(tuple(entry))  # type: ignore[arg-type]
    # A row has the attributes _facts reads of an Org and of a SubOrgAccess.
    return {
        row.id: _facts(
            row,  # type: ignore[arg-type]
            row if row.has_access else None,  # type: ignore[arg-type]
            listed.get(row.id, []) if _lists_matter(row if row.has_access else None) else [],
            parent,
        )
        for row in rows
    }


def _facts(
    org: Org,
    access: SubOrgAccess | None,
    listed: list[_ListedRow],
    parent: OrgFacts | None = None,
) -> OrgFacts:
    if access is None:
        return OrgFacts(
            id=org.id,
            kind=OrgKind(org.kind),
            parent_id=org.parent_id,
            active=org.status == OrgStatus.ACTIVE,
            parent=parent,
            is_partner=org.partner_type is not None,
        )
    wide_until = access.partner_access_expires_at
    open_wide = not access.partner_users_restricted and wide_until is None
    recorded = {membership_id for membership_id, _, done in listed if done}
    if access.partner_access_lapse_recorded:
        recorded.add(org.id)
    return OrgFacts(
        id=org.id,
        kind=OrgKind(org.kind),
        parent_id=org.parent_id,
        active=org.status == OrgStatus.ACTIVE,
        customer_access_refused=access.customer_access == CustomerAccess.REFUSED,
        partner_users=None if open_wide else frozenset(m for m, _, _ in listed),
        customer_may_brand=access.customer_may_brand,
        partner_access_until=None if access.partner_users_restricted else wide_until,
        partner_users_until={m: until for m, until, _ in listed if until is not None},
        lapses_recorded=frozenset(recorded),
        parent=parent,
        is_partner=org.partner_type is not None,
    )
