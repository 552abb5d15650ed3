"""The plain rules of moving a sub-org: who may receive it, what it lacks."""

from __future__ import annotations

import uuid

import pytest

from tenantree.errors import Conflict
from tenantree.lifecycle.move_rule import (
    MoveParties,
    NewPoolLacksRoom,
    NewPoolRoom,
    check_move,
    refuse_shortfall,
    shortfalls,
    source_needs_recording,
)
from tenantree.orgs.kinds import OrgKind, PartnerType

OLD, NEW = uuid.uuid4(), uuid.uuid4()


def _parties(**changes: object) -> MoveParties:
    fields: dict[str, object] = {
        "org_kind": OrgKind.SUB_ORG,
        "current_parent_id": OLD,
        "target_id": NEW,
        "target_kind": OrgKind.PARTNER,
        "target_partner_type": PartnerType.RESELLER,
        "target_active": True,
    }
    fields.update(changes)
    return MoveParties(**fields)  # type: ignore[arg-type]


def test_a_sub_org_may_move_to_another_active_msp_or_reseller() -> None:
    for partner_type in (PartnerType.MSP, PartnerType.RESELLER):
        check_move(_parties(target_partner_type=partner_type))


def test_a_customer_may_move_between_tiers_and_a_tier_two_partner_between_distributors() -> None:
    # From a top-level MSP to a tier-2 reseller (its depth 1 -> 2), and back.
    check_move(_parties(org_depth=1, target_depth=1))
    check_move(_parties(org_depth=2, target_depth=0))
    # A customer may go to a distributor too (it may become a tier-2 partner).
    check_move(_parties(target_partner_type=PartnerType.DISTRIBUTOR))
    # A tier-2 MSP with its customers, to another distributor: same tier.
    check_move(
        _parties(
            org_partner_type=PartnerType.MSP,
            target_partner_type=PartnerType.DISTRIBUTOR,
            subtree_height=1,
        )
    )


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"org_kind": OrgKind.PARTNER}, "not_a_sub_org"),
        ({"org_kind": OrgKind.STANDARD}, "not_a_sub_org"),
        ({"target_kind": OrgKind.STANDARD, "target_partner_type": None}, "not_a_partner"),
        (
            {"org_partner_type": PartnerType.MSP, "target_partner_type": PartnerType.RESELLER},
            "partner_type_cannot_receive",
        ),
        # A customer at tier 3 (depth 2) of a tier-2 MSP with sub-orgs of its
        # own cannot move where its subtree would pass the bound.
        ({"target_depth": 2, "org_depth": 2, "subtree_height": 1}, "tree_too_deep"),
        # A subtree is not re-levelled: with customers, only the same tier.
        ({"target_depth": 1, "org_depth": 1, "subtree_height": 1}, "tree_too_deep"),
        ({"target_depth": 3}, "tree_too_deep"),
        ({"target_id": OLD}, "already_under_partner"),
        ({"target_active": False}, "partner_deactivated"),
    ],
)
def test_a_move_that_breaks_a_rule_is_a_conflict_naming_it(
    changes: dict[str, object], code: str
) -> None:
    with pytest.raises(Conflict) as refused:
        check_move(_parties(**changes))
    assert refused.value.code == code
    assert refused.value.status == 409


def test_the_source_is_recorded_only_where_the_new_partners_default_differs() -> None:
    # An MSP's customers draw on its pool by default; a reseller's hold their own.
    assert source_needs_recording(True, PartnerType.RESELLER)
    assert source_needs_recording(False, PartnerType.MSP)
    assert not source_needs_recording(True, PartnerType.MSP)
    assert not source_needs_recording(False, PartnerType.RESELLER)


def test_the_shortfall_is_what_each_skus_use_exceeds_the_room_left() -> None:
    rooms = {
        "mon": NewPoolRoom(quantity=10, used=7, overage_allowed=False),
        "bak": NewPoolRoom(quantity=10, used=0, overage_allowed=False),
        "flex": NewPoolRoom(quantity=1, used=1, overage_allowed=True),
    }
    uses = {"mon": 5, "bak": 4, "flex": 9, "none": 2, "idle": 0}
    assert shortfalls(uses, rooms) == {"mon": 2, "none": 2}


def test_an_overdrawn_pool_lacks_all_the_moving_use() -> None:
    rooms = {"mon": NewPoolRoom(quantity=5, used=8, overage_allowed=False)}
    assert shortfalls({"mon": 3}, rooms) == {"mon": 3}


def test_a_shortfall_is_refused_naming_each_sku_unless_overage_is_allowed() -> None:
    with pytest.raises(NewPoolLacksRoom) as refused:
        refuse_shortfall({"bak": 4, "mon": 2}, allow_overage=False)
    assert "bak: 4 units short" in refused.value.message
    assert "mon: 2 units short" in refused.value.message
    assert refused.value.extra == {"shortfall": {"bak": 4, "mon": 2}}
    assert refused.value.field == "to_partner_id"
    refuse_shortfall({"mon": 2}, allow_overage=True)
    refuse_shortfall({}, allow_overage=False)
