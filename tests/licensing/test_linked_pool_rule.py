"""The pure rule for a change through two pools (licensing.pool with a
LinkedPool): the customer's quota, the partner's quota, then the quantity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenantree.errors import DomainError
from tenantree.licensing.errors import PoolExhausted, QuotaExceeded
from tenantree.licensing.pool import LinkedPool, PoolView, UsageOp, plan_change
from tenantree.lifecycle.move_rule import NewPoolRoom, linked_room


def _plan(
    current: int,
    amount: int,
    *,
    pool: PoolView,
    quota: int | None,
    link: LinkedPool,
    sees: bool = False,
):  # type: ignore[no-untyped-def]
    return plan_change(current=current, op=UsageOp.SET, amount=amount, pool=pool, quota=quota,
                       sees_pool_figures=sees, link=link)  # fmt: skip


def test_the_partners_quota_is_checked_after_the_customers_and_before_the_quantity():
    pool = PoolView(quantity=100, used=0, in_term=True, overage_allowed=False)
    link = LinkedPool(used=8, quota=10, shows_figures=True)
    with pytest.raises(QuotaExceeded) as own:
        _plan(0, 6, pool=pool, quota=5, link=link)
    assert own.value.extra == {"quota_remaining": 5}
    with pytest.raises(QuotaExceeded) as partner:
        _plan(0, 3, pool=pool, quota=5, link=link)
    assert partner.value.extra == {"partner_quota_remaining": 2}
    assert _plan(0, 2, pool=pool, quota=5, link=link).delta == 2


def test_a_customer_is_told_only_of_its_own_quota_when_its_partners_is_reached():
    pool = PoolView(quantity=100, used=0, in_term=True, overage_allowed=False)
    hidden = LinkedPool(used=8, quota=10, shows_figures=False)
    with pytest.raises(PoolExhausted) as refused:
        _plan(1, 4, pool=pool, quota=5, link=hidden)
    assert refused.value.extra == {"quota_remaining": 4}
    assert "10" not in refused.value.message and "8" not in refused.value.message


def test_the_distributors_quantity_bounds_the_linked_pool_and_overage_lifts_it():
    link = LinkedPool(used=0, quota=None, shows_figures=True)
    full = PoolView(quantity=10, used=9, in_term=True, overage_allowed=False)
    with pytest.raises(PoolExhausted) as refused:
        _plan(0, 2, pool=full, quota=None, link=link)
    assert refused.value.extra == {}  # the distributor's figures are not the caller's
    flagged = PoolView(quantity=10, used=9, in_term=True, overage_allowed=True)
    assert _plan(0, 2, pool=flagged, quota=None, link=link).new_units == 2


@given(
    current=st.integers(0, 20), amount=st.integers(0, 30), quota=st.none() | st.integers(0, 25),
    partner_quota=st.none() | st.integers(0, 40), linked_used=st.integers(0, 40),
    quantity=st.integers(0, 60), used=st.integers(0, 60), overage=st.booleans(),
)  # fmt: skip
def test_an_accepted_change_keeps_every_bound_on_the_path(  # type: ignore[no-untyped-def]
    current, amount, quota, partner_quota, linked_used, quantity, used, overage
):
    linked_used, used = max(linked_used, current), max(used, linked_used)
    pool = PoolView(quantity=quantity, used=used, in_term=True, overage_allowed=overage)
    link = LinkedPool(used=linked_used, quota=partner_quota, shows_figures=False)
    try:
        change = _plan(current, amount, pool=pool, quota=quota, link=link)
    except DomainError as refusal:
        # Nothing of the partner's or the distributor's pool is in the refusal.
        assert set(refusal.extra) <= {"quota_remaining"}
        return
    if change.delta <= 0:
        return
    assert quota is None or change.new_units <= quota
    assert partner_quota is None or linked_used + change.delta <= partner_quota
    assert overage or used + change.delta <= quantity


def test_a_linked_pools_room_is_the_least_its_quota_and_the_distributor_leave():
    distributor = NewPoolRoom(quantity=50, used=40, overage_allowed=False)
    assert linked_room(distributor, quota=None, linked_used=0).quantity == 10
    assert linked_room(distributor, quota=12, linked_used=9).quantity == 3
    flagged = NewPoolRoom(quantity=50, used=60, overage_allowed=True)
    assert linked_room(flagged, quota=None, linked_used=0).overage_allowed
    assert linked_room(flagged, quota=12, linked_used=20).quantity == 0
    missing = NewPoolRoom(quantity=0, used=0, overage_allowed=False, exists=False)
    assert not linked_room(missing, quota=5, linked_used=0).exists
