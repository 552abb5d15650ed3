"""Moves through linked pools (licensing.linked): a tier-3 customer between
MSPs drawing on different distributors, an MSP with its subtree between
distributors; the use leaves the old path and joins the new one."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from linked_pools_support import (
    SKU,
    assert_linked_invariants,
    build_tiers,
    pool_used,
    row_units,
)
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.models import Quota
from tenantree.licensing.pool import UsageOp
from tenantree.lifecycle.move_rule import NewPoolLacksRoom
from tenantree.lifecycle.moves import move_sub_org, preview_move
from tenantree.orgs.models import Org


def use(session: Session, org: Org, units: int) -> None:
    trail = AuditTrail(session, actor_id=None)
    report_usage(session, trail, org, sku=SKU, op=UsageOp.SET, amount=units, sees_pool_figures=True)


def move(session: Session, org: Org, to: Org, *, allow_overage: bool = False) -> None:
    move_sub_org(session, AuditTrail(session, actor_id=None), org, to, allow_overage=allow_overage)


def test_a_customer_moving_between_msps_moves_its_use_along_both_paths(session):
    t = build_tiers(session)
    use(session, t.C, 6)
    use(session, t.C2, 1)
    move(session, t.C, t.B)
    assert pool_used(session, t.A) == 0 and row_units(session, t.D, t.A) == 0
    assert pool_used(session, t.D) == 0
    assert pool_used(session, t.B) == 7 and row_units(session, t.D2, t.B) == 7
    assert pool_used(session, t.D2) == 7
    assert_linked_invariants(session, [o.id for o in (t.A, t.B, t.C, t.C2, t.Y)])


def test_a_move_is_refused_when_the_new_distributors_pool_lacks_room(session):
    t = build_tiers(session, quantity2=5)
    use(session, t.C, 6)
    assert preview_move(session, t.C, t.B).shortfall == {SKU: 1}
    with pytest.raises(NewPoolLacksRoom) as refused:
        move(session, t.C, t.B)
    assert refused.value.extra == {"shortfall": {SKU: 1}}
    move(session, t.C, t.B, allow_overage=True)
    assert pool_used(session, t.D2) == 6 and row_units(session, t.D2, t.B) == 6


def test_the_new_msps_quota_from_its_distributor_bounds_a_move(session):
    t = build_tiers(session)
    session.add(Quota(sub_org_id=t.B.id, sku=SKU, max_units=4))
    session.flush()
    use(session, t.C2, 1)
    use(session, t.C, 6)
    with pytest.raises(NewPoolLacksRoom) as refused:
        move(session, t.C, t.B)
    assert refused.value.extra == {"shortfall": {SKU: 3}}


def test_an_msp_moving_to_another_distributor_takes_its_subtrees_draw_along(session):
    t = build_tiers(session)
    use(session, t.C, 6)
    use(session, t.A, 2)
    move(session, t.A, t.D2)
    assert row_units(session, t.D, t.A) == 0 and pool_used(session, t.D) == 0
    assert row_units(session, t.D2, t.A) == 8 and pool_used(session, t.D2) == 8
    assert pool_used(session, t.A) == 8  # its pool stays its own
    use(session, t.C, 1)
    assert row_units(session, t.D2, t.A) == 3
    assert_linked_invariants(session, [o.id for o in (t.A, t.B, t.C, t.C2, t.Y)])


def test_an_msp_moving_is_refused_when_the_new_distributor_lacks_room(session):
    t = build_tiers(session, quantity2=7)
    use(session, t.C, 6)
    use(session, t.A, 2)
    with pytest.raises(NewPoolLacksRoom) as refused:
        move(session, t.A, t.D2)
    assert refused.value.extra == {"shortfall": {SKU: 1}}
