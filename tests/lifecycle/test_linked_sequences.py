"""Random sequences at three tiers (moves of customers between MSPs and of MSPs
between distributors, source changes of MSPs and customers, consumption at
every level) keep every pool's use equal to the sum of its rows and every
linked pool's row in its distributor's pool equal to its use."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from factories import make_license, make_sub_org
from linked_pools_support import SKU, Tiers, assert_linked_invariants, build_tiers
from tenantree.audit.service import AuditTrail
from tenantree.errors import DomainError
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.models import LicenseSource
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sub_org_terms import set_license_source
from tenantree.lifecycle.moves import move_sub_org
from tenantree.orgs.models import Org

# Consumers by index: 0 A, 1 B (MSPs), 2 C, 3 C2, 4 C3 (customers), 5 Y (D's).
CONSUMERS = 6
CUSTOMERS = (2, 3, 4)

_use = st.tuples(st.just("use"), st.integers(0, CONSUMERS - 1), st.integers(0, 9))
_source = st.tuples(st.just("source"), st.integers(0, CONSUMERS - 1), st.booleans())
_move_customer = st.tuples(
    st.sampled_from(["move", "move_over"]), st.sampled_from(CUSTOMERS), st.integers(0, 1)
)
_move_msp = st.tuples(
    st.sampled_from(["move_msp", "move_msp_over"]), st.integers(0, 1), st.integers(0, 1)
)
OPS = st.lists(st.one_of(_use, _source, _move_customer, _move_msp), min_size=1, max_size=16)


def _consumers(t: Tiers, c3: Org) -> list[Org]:
    return [t.A, t.B, t.C, t.C2, c3, t.Y]


def _apply(session: Session, t: Tiers, op: str, org: Org, arg: object) -> None:
    trail = AuditTrail(session, actor_id=None)
    if op == "use":
        report_usage(
            session, trail, org, sku=SKU, op=UsageOp.SET, amount=int(arg),  # type: ignore[call-overload]
            sees_pool_figures=True,
        )  # fmt: skip
    elif op == "source":
        source = LicenseSource.PARENT_POOL if arg else LicenseSource.OWN
        set_license_source(session, trail, org, source)
    else:
        targets = (t.D, t.D2) if op.startswith("move_msp") else (t.A, t.B)
        to = session.get_one(Org, targets[int(arg)].id)  # type: ignore[call-overload]
        move_sub_org(session, trail, org, to, allow_overage=op.endswith("_over"))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, quantities=st.lists(st.integers(0, 20), min_size=2, max_size=2))
def test_three_tier_sequences_keep_every_pool_and_link_true(db, sessions, ops, quantities):  # type: ignore[no-untyped-def]
    with sessions() as session:
        t = build_tiers(session, quantity=quantities[0], quantity2=quantities[1])
        c3 = make_sub_org(session, t.B)
        for org in _consumers(t, c3):
            make_license(session, org, quantity=6)
        session.commit()
    ids = [o.id for o in _consumers(t, c3)]
    everyone = [*ids, t.D.id, t.D2.id]

    for op, who, arg in ops:
        with sessions() as session:
            try:
                # Loaded afresh: merging objects built above would write stale parents back.
                org = session.get_one(Org, ids[who])
                _apply(session, t, op, org, arg)
                session.commit()
            except DomainError:
                session.rollback()
        with sessions() as session:
            assert_linked_invariants(session, everyone)
