"""The pool's invariant: `plan_change` and `target_units` directly, then property
tests over random sequences of consume/release/set, on a model and on the
real service and database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from factories import make_license, make_partner, make_sub_org
from tenantree.audit.service import AuditTrail
from tenantree.errors import DomainError
from tenantree.licensing import consumption, reports, sub_org_terms
from tenantree.licensing.errors import InvalidUsage, NoLicense, PoolExhausted, QuotaExceeded
from tenantree.licensing.models import Consumption, LicensePool, OveragePolicy
from tenantree.licensing.pool import Change, PoolView, UsageOp, plan_change, target_units

SET, ADD, RELEASE = UsageOp.SET, UsageOp.ADD, UsageOp.RELEASE


def view(
    quantity: int = 100, used: int = 0, in_term: bool = True, overage: bool = False
) -> PoolView:
    return PoolView(quantity=quantity, used=used, in_term=in_term, overage_allowed=overage)


def plan(
    current: int,
    op: UsageOp,
    amount: int,
    pool: PoolView | None = None,
    quota: int | None = None,
    sees_pool_figures: bool = True,
) -> Change:
    return plan_change(
        current=current,
        op=op,
        amount=amount,
        pool=pool or view(),
        quota=quota,
        sees_pool_figures=sees_pool_figures,
    )


def numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)}


# --- target_units ------------------------------------------------------------


def test_set_replaces_the_current_use():
    assert target_units(7, SET, 3) == 3
    assert target_units(7, SET, 0) == 0
    assert target_units(0, SET, 12) == 12


def test_add_adds_to_the_current_use():
    assert target_units(7, ADD, 3) == 10
    assert target_units(7, ADD, 0) == 7


def test_release_subtracts_from_the_current_use():
    assert target_units(7, RELEASE, 3) == 4
    assert target_units(7, RELEASE, 7) == 0


def test_releasing_more_than_used_is_422_naming_release():
    with pytest.raises(InvalidUsage) as refused:
        target_units(3, RELEASE, 4)
    assert refused.value.status == 422
    assert refused.value.field == "release"
    assert refused.value.code == "invalid_usage"


@pytest.mark.parametrize("op", list(UsageOp))
def test_a_negative_amount_is_422_naming_the_operation(op):
    with pytest.raises(InvalidUsage) as refused:
        target_units(5, op, -1)
    assert refused.value.status == 422
    assert refused.value.field == op.value


def test_plan_change_validates_the_amount_before_anything_else():
    # Even out of term and over quota, a bad amount is a 422, not a 409.
    with pytest.raises(InvalidUsage):
        plan(2, RELEASE, 3, pool=view(in_term=False), quota=0)
    with pytest.raises(InvalidUsage):
        plan(2, ADD, -1, pool=view(in_term=False), quota=0)


# --- plan_change -------------------------------------------------------------


def test_a_change_reports_the_new_units_and_delta():
    assert plan(4, ADD, 3, pool=view(quantity=10, used=6)) == Change(7, 3)
    assert plan(4, SET, 1, pool=view(quantity=10, used=6)) == Change(1, -3)
    assert plan(4, RELEASE, 4, pool=view(quantity=10, used=6)) == Change(0, -4)


def test_filling_the_pool_exactly_is_allowed():
    assert plan(0, ADD, 4, pool=view(quantity=10, used=6)).new_units == 4


@pytest.mark.parametrize(("op", "amount"), [(SET, 1), (RELEASE, 3), (SET, 4), (ADD, 0)])
def test_lowering_or_keeping_use_is_allowed_even_out_of_term(op, amount):
    ended = view(quantity=0, used=4, in_term=False)
    change = plan(4, op, amount, pool=ended, quota=0, sees_pool_figures=False)
    assert change.delta <= 0
    assert change.new_units == target_units(4, op, amount)


def test_lowering_is_allowed_while_the_pool_is_over_its_quantity():
    # The quantity was cut below use: releasing still works, and says how far over.
    change = plan(8, RELEASE, 2, pool=view(quantity=5, used=8))
    assert change == Change(6, -2)


@pytest.mark.parametrize("op", [SET, ADD])
def test_raising_out_of_term_is_409_no_license(op):
    with pytest.raises(NoLicense) as refused:
        plan(2, op, 5, pool=view(quantity=100, used=2, in_term=False))
    assert refused.value.status == 409
    assert refused.value.code == "no_license"


def test_raising_out_of_term_with_overage_allowed_is_still_no_license():
    with pytest.raises(NoLicense):
        plan(0, ADD, 1, pool=view(in_term=False, overage=True))


def test_exceeding_the_quota_is_409_quota_exceeded_with_what_is_left():
    with pytest.raises(QuotaExceeded) as refused:
        plan(6, ADD, 5, pool=view(quantity=1000, used=6), quota=10, sees_pool_figures=False)
    error = refused.value
    assert error.status == 409 and error.code == "quota_exceeded"
    assert error.extra == {"quota_remaining": 4}
    assert "4 units" in error.message
    assert numbers(error.message) <= {10, 4}


def test_the_quota_is_checked_even_when_overage_is_allowed():
    with pytest.raises(QuotaExceeded):
        plan(0, SET, 11, pool=view(overage=True), quota=10)


def test_a_quota_already_passed_leaves_zero():
    # The partner lowered the quota below the child's use.
    with pytest.raises(QuotaExceeded) as refused:
        plan(12, ADD, 1, quota=10)
    assert refused.value.extra == {"quota_remaining": 0}
    # ...but the child may still come down.
    assert plan(12, RELEASE, 5, quota=10).new_units == 7


def test_filling_the_quota_exactly_is_allowed():
    assert plan(6, ADD, 4, quota=10).new_units == 10


def test_pool_exhausted_tells_the_holder_what_is_left():
    with pytest.raises(PoolExhausted) as refused:
        plan(3, ADD, 20, pool=view(quantity=50, used=37), sees_pool_figures=True)
    error = refused.value
    assert error.status == 409 and error.code == "pool_exhausted"
    assert error.extra == {"remaining": 13}
    assert "13" in error.message


def test_pool_exhausted_with_the_pool_over_says_zero_left():
    with pytest.raises(PoolExhausted) as refused:
        plan(0, ADD, 1, pool=view(quantity=5, used=9), sees_pool_figures=True)
    assert refused.value.extra == {"remaining": 0}


def test_pool_exhausted_hidden_from_a_sub_org_without_quota_carries_no_figure():
    pool = view(quantity=7919, used=7900)
    with pytest.raises(PoolExhausted) as refused:
        plan(1234, ADD, 50, pool=pool, sees_pool_figures=False)
    error = refused.value
    assert error.code == "pool_exhausted"
    assert error.extra == {}
    assert numbers(error.message) == set(), error.message


def test_pool_exhausted_hidden_from_a_sub_org_says_only_its_quota_remaining():
    pool = view(quantity=7919, used=7900)
    with pytest.raises(PoolExhausted) as refused:
        plan(1234, ADD, 50, pool=pool, quota=1300, sees_pool_figures=False)
    error = refused.value
    assert error.extra == {"quota_remaining": 66}
    assert numbers(error.message) == {66}, error.message


def test_allow_and_flag_lets_use_go_over():
    change = plan(
        3, ADD, 10, pool=view(quantity=20, used=15, overage=True), sees_pool_figures=False
    )
    assert change == Change(13, 10)


# --- Property tests: a model pool driven by plan_change -----------------------


@dataclass
class PoolModel:
    """One pool, several consumers, driven by plan_change as the service does."""

    quantity: int
    overage: bool
    quotas: list[int | None]
    uses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.uses = [0] * len(self.quotas)

    @property
    def used(self) -> int:
        return sum(self.uses)

    def apply(self, who: int, op: UsageOp, amount: int) -> Change | DomainError:
        try:
            change = plan_change(
                current=self.uses[who],
                op=op,
                amount=amount,
                pool=PoolView(self.quantity, self.used, True, self.overage),
                quota=self.quotas[who],
                sees_pool_figures=False,
            )
        except DomainError as refusal:
            return refusal
        self.uses[who] = change.new_units
        return change


OPS = st.tuples(
    st.integers(min_value=0, max_value=3),  # consumer index (mod the number of consumers)
    st.sampled_from(list(UsageOp)),
    st.integers(min_value=0, max_value=12),
)


@st.composite
def scenarios(draw, max_ops: int = 30):  # type: ignore[no-untyped-def]
    consumers = draw(st.integers(min_value=2, max_value=4))
    quantity = draw(st.integers(min_value=0, max_value=30))
    overage = draw(st.booleans())
    quotas = draw(
        st.lists(
            st.one_of(st.none(), st.integers(min_value=0, max_value=20)),
            min_size=consumers,
            max_size=consumers,
        )
    )
    ops = draw(st.lists(OPS, min_size=1, max_size=max_ops))
    return quantity, overage, quotas, [(who % consumers, op, amount) for who, op, amount in ops]


def expected_outcome(model: PoolModel, who: int, op: UsageOp, amount: int) -> str | int:
    """The rules written out independently of plan_change: the new use, or the refusal."""
    current = model.uses[who]
    if op == RELEASE and amount > current:
        return "invalid_usage"
    new = {SET: amount, ADD: current + amount, RELEASE: current - amount}[op]
    if new <= current:
        return new
    quota = model.quotas[who]
    if quota is not None and new > quota:
        return "quota_exceeded"
    if model.used + new - current > model.quantity and not model.overage:
        return "pool_exhausted"
    return new


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_random_sequences_keep_the_pool_invariants(scenario):
    quantity, overage, quotas, ops = scenario
    model = PoolModel(quantity, overage, quotas)
    for who, op, amount in ops:
        expected = expected_outcome(model, who, op, amount)
        before = list(model.uses)
        outcome = model.apply(who, op, amount)
        if isinstance(outcome, DomainError):
            assert outcome.code == expected
            assert model.uses == before  # a refusal changes nothing
            # Refusals to a sub-org never carry a pool figure.
            assert set(outcome.extra) <= {"quota_remaining"}
        else:
            assert outcome.new_units == expected
        assert all(use >= 0 for use in model.uses)
        if not overage:
            assert model.used <= quantity
        for use, quota in zip(model.uses, quotas, strict=True):
            assert quota is None or use <= quota


# --- The same sequences through the real service, on the database ------------


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenarios(max_ops=15))
def test_random_sequences_through_the_service_keep_the_invariants(db, sessions, scenario):
    quantity, overage, quotas, ops = scenario
    model = PoolModel(quantity, overage, quotas)
    # Every example builds its own partner, so examples do not share state.
    with sessions() as session:
        trail = AuditTrail(session, actor_id=None)
        partner = make_partner(session)
        children = [make_sub_org(session, partner) for _ in quotas]
        make_license(
            session,
            partner,
            quantity=quantity,
            overage_policy=OveragePolicy.ALLOW_AND_FLAG if overage else OveragePolicy.BLOCK,
        )
        for child, quota in zip(children, quotas, strict=True):
            if quota is not None:
                sub_org_terms.set_quota(session, trail, child, "mon", quota)
        session.commit()

    for who, op, amount in ops:
        expected = model.apply(who, op, amount)
        with sessions() as session:
            trail = AuditTrail(session, actor_id=None)
            try:
                result = consumption.report_usage(
                    session,
                    trail,
                    session.merge(children[who]),
                    sku="mon",
                    op=op,
                    amount=amount,
                    sees_pool_figures=False,
                )
            except DomainError as refusal:
                session.rollback()
                assert isinstance(expected, DomainError), (who, op, amount, refusal)
                assert refusal.code == expected.code
                assert set(refusal.extra) <= {"quota_remaining"}
            else:
                session.commit()
                assert isinstance(expected, Change), (who, op, amount, expected)
                assert result.consumed == expected.new_units == model.uses[who]
                assert result.over_quantity == (model.used > quantity)

    with sessions() as session:
        pool = session.scalars(
            select(LicensePool).where(LicensePool.holder_org_id == partner.id)
        ).one()
        consumed = session.scalar(
            select(func.coalesce(func.sum(Consumption.units), 0)).where(
                Consumption.pool_id == pool.id
            )
        )
        assert pool.used == consumed == model.used
        if not overage:
            assert pool.used <= quantity
        report = reports.parent_report(session, session.merge(partner), period=None)
        (figures,) = report.pools
        assert figures.figures.used == figures.own_use + sum(c.used for c in figures.children)
        assert figures.figures.used == model.used
        assert figures.figures.remaining == quantity - model.used
        by_child = {c.org_id: c.used for c in figures.children}
        for child, use in zip(children, model.uses, strict=True):
            assert by_child.get(child.id, 0) == use >= 0
            child_view = reports.child_report(
                session, session.merge(child), sees_pool_figures=False, period=None
            )
            (item,) = child_view.items
            assert item.used == use and item.pool is None
