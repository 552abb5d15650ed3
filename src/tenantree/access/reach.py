"""The orgs an actor reaches, as SQL: `decide(ORG_VIEW)`'s rule for lists.

Kept beside the policy and tested against it (tests/access/test_reachable_orgs.py,
tests/access/test_org_listing_reach.py), so lists never show an org the actor
could not open, and never hide one it could.

The condition is built once per `Shape` (which kinds of entry an actor holds);
the actor's ids and the moment are bind parameters (`reach_of`). A request
binds its values to a statement SQLAlchemy has already keyed and compiled:
built per request, the condition and its cache key were a fifth of the
sub-orgs page (bench/ANALYSIS.md, round 6). It is written over the tables,
not the mapped classes: ORM-annotated columns make a statement an ORM one,
whose execution and row loading cost more than the query itself.

`ways` splits the condition into its branches, each a way in that an index
can serve (an org's own id, its parent's), so a list can read each branch in
order and merge them (`access.org_listing`) instead of testing every org.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, or_, select, true

from tenantree.access.policy import Actor
from tenantree.orgs.kinds import OrgKind, OrgStatus
from tenantree.orgs.models import Org
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser

ORGS = Org.__table__
_ACCESS = SubOrgAccess.__table__
_LISTED = SubOrgPartnerUser.__table__
# The partner between an entry and the orgs reached from above it.
TIER_TWO = ORGS.alias("tier_two")
_BELOW = ORGS.alias("below")


@dataclass(frozen=True)
class Shape:
    """Which kinds of entry an actor holds; one condition per shape."""

    operator: bool = False
    # Entries in orgs it may use (active entries in active orgs).
    own: bool = False
    # Partners it is the primary admin of.
    primary: bool = False
    # Other entries in partners (their listed users, or every partner user).
    other: bool = False
    # A credential's creator: it lists only what both reach.
    creator: Shape | None = None


def reach_of(actor: Actor, now: datetime) -> tuple[Shape, dict[str, Any]]:
    """The actor's shape and the values its condition binds."""
    return _reach_of(actor, now, 0)


def _reach_of(actor: Actor, now: datetime, level: int) -> tuple[Shape, dict[str, Any]]:
    creator, params = None, {}
    if actor.creator is not None:
        creator, params = _reach_of(actor.creator, now, level + 1)
    if actor.is_operator:
        return Shape(operator=True, creator=creator), params
    p = _prefix(level)
    usable = [m for m in actor.memberships.values() if m.active and m.org_active]
    primary = [m.org_id for m in usable if m.is_primary_admin]
    others = [m for m in usable if not m.is_primary_admin]
    if usable:
        params[p + "own"] = [m.org_id for m in usable]
    if primary:
        params[p + "primary"] = primary
    if others:
        params[p + "other_orgs"] = [m.org_id for m in others]
        params[p + "other_entries"] = [m.membership_id for m in others]
        # The same clock as the policy's windows (policy.partner_window).
        params[p + "now"] = now
    shape = Shape(own=bool(usable), primary=bool(primary), other=bool(others), creator=creator)
    return shape, params


def _prefix(level: int) -> str:
    # A credential's condition holds its creator's beside its own: distinct names.
    return f"reach{level}_"


@dataclass(frozen=True)
class Way:
    """One way in: a condition on the org (`ORGS`) and, for a way from above,
    one on its parent, the tier-2 partner (`TIER_TWO`)."""

    on_org: ColumnElement[bool]
    on_parent: ColumnElement[bool] | None = None

    def condition(self) -> ColumnElement[bool]:
        """The way as one condition on `orgs`."""
        if self.on_parent is None:
            return self.on_org
        parents = select(TIER_TWO.c.id).where(self.on_parent)
        return and_(self.on_org, ORGS.c.parent_id.in_(parents))

    def parents(self) -> Select[Any]:
        """For a way from above: the tier-2 partners it passes through that
        have orgs below them. Read on their own, the orgs below are then found
        by their parents' ids through an index; in one statement, the
        databases' estimates (a thousand customers under each partner, so as
        many under each customer) had them test every org instead."""
        assert self.on_parent is not None
        # An EXISTS: PostgreSQL makes it one hash semi-join over the orgs
        # (3.2 ms in the bench world). A scalar subquery with a LIMIT 1 was
        # 1.7 ms in one world and 546 ms in another: expecting ~900 orgs
        # below each partner, PostgreSQL read it by a sequential scan that
        # stops at the first, and under a customer, which has none, it never
        # stops early (bench/ANALYSIS.md, round 6).
        below = exists().where(_BELOW.c.parent_id == TIER_TWO.c.id)
        return select(TIER_TWO.c.id).where(self.on_parent, below)


def bound_condition(actor: Actor, now: datetime) -> ColumnElement[bool]:
    """The actor's condition with its values bound, for a query of one's own."""
    shape, values = reach_of(actor, now)
    return _either(_ways(shape, 0, values))


@functools.cache
def ways(shape: Shape) -> tuple[Way, ...]:
    """The ways in of an actor of this shape, its values left to bind (`reach_of`):
    an org is reached when one of them holds."""
    return _ways(shape, 0, None)


def _either(found: tuple[Way, ...]) -> ColumnElement[bool]:
    return or_(*(way.condition() for way in found)) if found else false()


Values = dict[str, Any] | None


def _ways(shape: Shape, level: int, values: Values) -> tuple[Way, ...]:
    own = _own_ways(shape, level, values)
    if shape.creator is None:
        return own
    creator = _either(_ways(shape.creator, level + 1, values))
    return tuple(Way(and_(way.on_org, creator), way.on_parent) for way in own)


def _own_ways(shape: Shape, level: int, values: Values) -> tuple[Way, ...]:
    if shape.operator:
        return (Way(true()),)
    p = _prefix(level)

    def param(name: str, expanding: bool = True) -> Any:
        if values is None:
            return bindparam(p + name, expanding=expanding)
        return bindparam(p + name, values[p + name], expanding=expanding)

    found = []
    if shape.own:
        found.append(
            Way(
                and_(
                    _active(ORGS),
                    ORGS.c.id.in_(param("own")),
                    or_(ORGS.c.kind != OrgKind.SUB_ORG, ~_refused(ORGS.c.id)),
                )
            )
        )
    if shape.primary:
        primary = param("primary")
        # A tier-2 partner whose distributor refused its own users: its staff
        # reach none of its customers either (policy._partner_reach).
        found.append(
            Way(and_(_active(ORGS), ORGS.c.parent_id.in_(primary), ~_refused(ORGS.c.parent_id)))
        )
        # From above (policy._reach_from_above): the primary admin always.
        found.append(Way(_active(ORGS), and_(TIER_TWO.c.parent_id.in_(primary), _active(TIER_TWO))))
    if shape.other:
        parents = param("other_orgs")
        entries = param("other_entries")
        now = param("now", expanding=False)
        found.append(
            Way(
                and_(
                    _active(ORGS),
                    ORGS.c.parent_id.in_(parents),
                    or_(~_wide_closed(ORGS.c.id, now), _listed(ORGS.c.id, entries, now)),
                    ~_refused(ORGS.c.parent_id),
                )
            )
        )
        # From above: through a tier-2 partner that lets them in, into a
        # customer that lets partner users in as a whole. Partners stand at
        # most one level below the top (lifecycle.tiers), so no path is longer.
        found.append(
            Way(
                and_(_active(ORGS), ~_wide_closed(ORGS.c.id, now)),
                and_(
                    TIER_TWO.c.parent_id.in_(parents),
                    _active(TIER_TWO),
                    or_(
                        ~_wide_closed(TIER_TWO.c.id, now),
                        _listed(TIER_TWO.c.id, entries, now),
                    ),
                ),
            )
        )
    return tuple(found)


def _active(orgs: Any) -> ColumnElement[bool]:
    return orgs.c.status == OrgStatus.ACTIVE


def _refused(org_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """The sub-org refused its partner's users."""
    return exists().where(
        _ACCESS.c.org_id == org_id, _ACCESS.c.customer_access == CustomerAccess.REFUSED
    )


def _wide_closed(org_id: ColumnElement[Any], now: Any) -> ColumnElement[bool]:
    """The org does not let its partner's users in as a whole now."""
    return exists().where(
        _ACCESS.c.org_id == org_id,
        or_(
            _ACCESS.c.partner_users_restricted.is_(True),
            _ACCESS.c.partner_access_expires_at <= now,
        ),
    )


def _listed(org_id: ColumnElement[Any], entries: Any, now: Any) -> ColumnElement[bool]:
    return exists().where(
        _LISTED.c.sub_org_id == org_id,
        _LISTED.c.membership_id.in_(entries),
        or_(_LISTED.c.expires_at.is_(None), _LISTED.c.expires_at > now),
    )
