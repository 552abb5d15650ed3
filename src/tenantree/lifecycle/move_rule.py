"""Moving a sub-org to another partner, as plain rules: may it move, and what moves.

No database here, so the rules are tested directly (tests/lifecycle/test_move_rule.py).

What moves with the sub-org:
- Its parent, at once: the old partner's staff have no path into it from the
  very next request, the new partner's staff have one; its brand is the new
  partner's (branding inherits along the parent).
- Its license source does not change. A customer drawing on its partner's
  pool draws on the new partner's pool (an MSP's or a reseller's alike); its
  use of each SKU is released from the old pool and consumed from the new one.
  A customer holding its own licenses keeps them: its pools are its own, and
  nothing in licensing moves. Where the new partner's type would default to
  the other source (an MSP's customers draw on its pool, a reseller's hold
  their own), the source in force is recorded so it stays as it was.
- The old partner's settings for it end: its named grants and windows, its
  restriction of partner users, its refusal of customer access, its leave to
  brand, and its quotas. The new partner starts from the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tenantree.errors import Conflict
from tenantree.lifecycle.tiers import TreeTooDeep, subtree_fits
from tenantree.orgs.kinds import MAX_DEPTH, OrgKind, PartnerType

# The partner types that may hold customers and so receive one (every one).
RECEIVING_TYPES = frozenset({PartnerType.MSP, PartnerType.RESELLER, PartnerType.DISTRIBUTOR})


@dataclass(frozen=True)
class MoveParties:
    """What the rule reads of the sub-org and the partner it would move to."""

    org_kind: str
    current_parent_id: object
    target_id: object
    target_kind: str
    target_partner_type: str | None
    target_active: bool
    # The tiers: a tier-2 partner moves between distributors with its
    # customers; a customer moves between MSPs and resellers at any tier.
    org_partner_type: str | None = None
    org_depth: int = 1
    target_depth: int = 0
    # Levels of the moving org's subtree below it (0: no customers of its own).
    subtree_height: int = 0


def check_move(parties: MoveParties) -> None:
    """Raise 409 naming the rule when the move may not happen."""
    if parties.org_kind != OrgKind.SUB_ORG:
        raise Conflict(
            "only a sub-org can move to another partner", code="not_a_sub_org", field="org"
        )
    if parties.target_partner_type is None:
        raise Conflict(
            "a sub-org can move only to a partner org", code="not_a_partner", field="to_partner_id"
        )
    if parties.org_partner_type is not None:
        if parties.target_partner_type != PartnerType.DISTRIBUTOR:
            raise Conflict(
                "a tier-2 partner can move only to another distributor",
                code="partner_type_cannot_receive",
                field="to_partner_id",
            )
    elif parties.target_partner_type not in RECEIVING_TYPES:
        raise Conflict(
            "only an MSP or a reseller partner can receive a customer",
            code="partner_type_cannot_receive",
            field="to_partner_id",
        )
    _check_depth(parties)
    if parties.target_id == parties.current_parent_id:
        raise Conflict(
            "the sub-org is already under this partner",
            code="already_under_partner",
            field="to_partner_id",
        )
    if not parties.target_active:
        raise Conflict(
            "the partner to move to is deactivated",
            code="partner_deactivated",
            field="to_partner_id",
        )


def _check_depth(parties: MoveParties) -> None:
    """Moving between tiers obeys the depth bound; an org with customers of its
    own keeps its depth (its subtree is not re-levelled)."""
    new_depth = parties.target_depth + 1
    if not subtree_fits(new_depth, parties.subtree_height):
        raise TreeTooDeep(
            f"the tree is at most {MAX_DEPTH + 1} levels below the platform",
            field="to_partner_id",
        )
    if parties.subtree_height and new_depth != parties.org_depth:
        raise TreeTooDeep(
            "an org with customers of its own moves only to the same tier",
            field="to_partner_id",
        )


def default_draws_on_partner(partner_type: str | None) -> bool:
    """With no source ever set: an MSP's customers draw on its pool, others hold their own."""
    return partner_type == PartnerType.MSP


def source_needs_recording(draws_on_partner: bool, new_partner_type: str | None) -> bool:
    """Must the move record the source in force, so the new partner's default
    does not change it?"""
    return draws_on_partner != default_draws_on_partner(new_partner_type)


@dataclass(frozen=True)
class NewPoolRoom:
    """The new partner's pool of one SKU, as the move reads it (under its lock)."""

    quantity: int  # of its licenses in term
    used: int
    overage_allowed: bool  # an in-term license allows overage (allow_and_flag)
    exists: bool = True


def linked_room(distributor: NewPoolRoom, *, quota: int | None, linked_used: int) -> NewPoolRoom:
    """The room a tier-2 partner's linked pool has (licensing.linked): the
    least of what its quota from its distributor and the distributor's pool
    leave (either unbounded when unset or allowing overage)."""
    if not distributor.exists:
        return distributor
    lefts = []
    if quota is not None:
        lefts.append(quota - linked_used)
    if not distributor.overage_allowed:
        lefts.append(distributor.quantity - distributor.used)
    if not lefts:
        return NewPoolRoom(quantity=0, used=0, overage_allowed=True)
    return NewPoolRoom(quantity=max(0, min(lefts)), used=0, overage_allowed=False)


def shortfalls(uses: Mapping[str, int], rooms: Mapping[str, NewPoolRoom]) -> dict[str, int]:
    """Per SKU, the units the new partner's pool lacks to take the sub-org's use
    (SKUs whose pools allow overage lack nothing)."""
    lacking: dict[str, int] = {}
    for sku, units in sorted(uses.items()):
        if units <= 0:
            continue
        room = rooms.get(sku)
        if room is None or not room.exists:
            lacking[sku] = units
            continue
        if room.overage_allowed:
            continue
        left = max(0, room.quantity - room.used)
        if units > left:
            lacking[sku] = units - left
    return lacking


class NewPoolLacksRoom(Conflict):
    code = "new_pool_lacks_room"


def refuse_shortfall(lacking: Mapping[str, int], *, allow_overage: bool) -> None:
    """409 naming each SKU's shortfall, unless the operator allows the overage."""
    if not lacking or allow_overage:
        return
    named = ", ".join(f"{sku}: {units} units short" for sku, units in lacking.items())
    raise NewPoolLacksRoom(
        f"the new partner's pool cannot take this customer's use ({named}); "
        "grant it more licenses or move with allow_overage",
        field="to_partner_id",
        extra={"shortfall": dict(lacking)},
    )
