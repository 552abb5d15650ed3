"""The parent report's period figures, for sub-orgs that use, stop and move
between partners at random moments, equal the day-by-day fold of the rollup
rows the real services wrote (tests/licensing/usage_history.py), for every
child listed, moved-out ones included."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from usage_history import day_start, reference_period_usage

from factories import make_license, make_partner, make_sub_org
from tenantree import clock
from tenantree.audit.service import AuditTrail
from tenantree.errors import DomainError
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.history import PeriodUse
from tenantree.licensing.models import UsageDaily
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.reports import Period, parent_report
from tenantree.lifecycle.moves import move_sub_org
from tenantree.orgs.models import Org

START = date(2025, 4, 1)
STEPS = [0, 1, 3_600, 50_000, 86_400, 3 * 86_400 + 5, 8 * 86_400]
_OP = st.tuples(
    st.sampled_from(["use", "use", "move"]),
    st.integers(0, 2),  # customer
    st.integers(0, 12),  # units, or the partner moved to
    st.sampled_from(STEPS),
)
_PERIOD = st.tuples(st.integers(-3, 30), st.sampled_from([0, 6, 13]), st.integers(0, 40 * 86_400))
_NO_USE = PeriodUse(peak=0, average=0.0)


def _apply(session: Session, customer: Org, op: str, arg: int, partners: list[Org]) -> None:
    trail = AuditTrail(session, actor_id=None)
    if op == "use":
        report_usage(
            session, trail, customer, sku="mon", op=UsageOp.SET, amount=arg, sees_pool_figures=True
        )
    else:
        move_sub_org(session, trail, customer, partners[arg % 2], allow_overage=True)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(_OP, min_size=1, max_size=14), periods=st.lists(_PERIOD, max_size=4))
def test_period_figures_of_listed_children_equal_the_fold(
    session: Session, ops: list[tuple[str, int, int, int]], periods: list[tuple[int, int, int]]
) -> None:
    now = day_start(START)
    with mock.patch.object(clock, "utcnow", lambda: now):
        # Every example builds its own partners: examples share no state.
        partners = [make_partner(session) for _ in range(2)]
        for partner in partners:
            make_license(session, partner, quantity=100)
        customers = [make_sub_org(session, partners[0]).id for _ in range(3)]
        session.flush()
    for op, who, arg, step in ops:
        now += timedelta(seconds=step, microseconds=step % 997)
        with mock.patch.object(clock, "utcnow", lambda at=now: at):
            customer = session.get(Org, customers[who])
            assert customer is not None
            try:
                with session.begin_nested():
                    _apply(session, customer, op, arg, partners)
            except DomainError:
                pass  # refused (e.g. a move to the partner it is under): nothing written
    rows = list(session.scalars(select(UsageDaily).where(UsageDaily.org_id.in_(customers))))
    for first, length, at in [(0, 6, int((now - day_start(START)).total_seconds())), *periods]:
        period = Period(START + timedelta(days=first), START + timedelta(days=first + length))
        moment = day_start(START) + timedelta(seconds=at)
        expected = reference_period_usage(
            rows, first_day=period.first_day, last_day=period.last_day, now=moment
        )
        with mock.patch.object(clock, "utcnow", lambda moment=moment: moment):
            for partner in partners:
                report = parent_report(session, partner, period=period)
                for pool in report.pools:
                    for child in pool.children:
                        key = (pool.pool_id, child.org_id)
                        assert child.period == expected.get(key, _NO_USE), (period, moment)
