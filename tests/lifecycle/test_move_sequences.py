"""Random sequences of moves, source changes and consumption keep every pool's
`used` equal to the sum of its consumers' use, and each customer drawing only
on the pool its source and partner name."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_license, make_partner, make_sub_org
from linked_pools_support import assert_pools_equal_their_rows
from tenantree.audit.service import AuditTrail
from tenantree.errors import DomainError
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.models import Consumption, LicensePool, LicenseSource
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sources import current_source
from tenantree.licensing.sub_org_terms import set_license_source
from tenantree.lifecycle.moves import move_sub_org
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org

PARTNER_TYPES = (PartnerType.MSP, PartnerType.MSP, PartnerType.RESELLER)
CUSTOMERS = 3

_use = st.tuples(st.just("use"), st.integers(0, CUSTOMERS - 1), st.integers(0, 12))
_move = st.tuples(
    st.just("move"), st.integers(0, CUSTOMERS - 1), st.integers(0, len(PARTNER_TYPES) - 1)
)
_move_over = st.tuples(
    st.just("move_over"), st.integers(0, CUSTOMERS - 1), st.integers(0, len(PARTNER_TYPES) - 1)
)
_source = st.tuples(st.just("source"), st.integers(0, CUSTOMERS - 1), st.booleans())
OPS = st.lists(st.one_of(_use, _move, _move_over, _source), min_size=1, max_size=14)


def _apply(session: Session, op: str, customer: Org, arg: object, partners: list[Org]) -> None:
    trail = AuditTrail(session, actor_id=None)
    if op == "use":
        report_usage(
            session,
            trail,
            customer,
            sku="mon",
            op=UsageOp.SET,
            amount=int(arg),  # type: ignore[call-overload]
            sees_pool_figures=True,
        )
    elif op == "source":
        source = LicenseSource.PARENT_POOL if arg else LicenseSource.OWN
        set_license_source(session, trail, customer, source)
    else:
        to = session.get(Org, partners[int(arg)].id)  # type: ignore[call-overload]
        assert to is not None
        move_sub_org(session, trail, customer, to, allow_overage=op == "move_over")


def _check_invariants(session: Session, customers: list[Org]) -> None:
    assert_pools_equal_their_rows(session)
    for customer in customers:
        org = session.get(Org, customer.id)
        assert org is not None
        source = current_source(session, org)
        holder = org.parent_id if source == LicenseSource.PARENT_POOL else org.id
        drawing = session.scalars(
            select(LicensePool.holder_org_id)
            .join(Consumption, Consumption.pool_id == LicensePool.id)
            .where(Consumption.org_id == org.id, Consumption.units > 0)
        ).all()
        assert set(drawing) <= {holder}, (org.name, source)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, quantities=st.lists(st.integers(0, 15), min_size=3, max_size=3))
def test_moves_source_changes_and_use_keep_every_pool_equal_to_its_consumers(
    db, sessions, ops, quantities
):  # type: ignore[no-untyped-def]
    # Every example builds its own partners and customers: examples share no state.
    with sessions() as session:
        partners = [make_partner(session, partner_type=t) for t in PARTNER_TYPES]
        for partner, quantity in zip(partners, quantities, strict=True):
            make_license(session, partner, quantity=quantity)
        customers = [make_sub_org(session, partners[i % 2]) for i in range(CUSTOMERS)]
        for customer in customers:
            make_license(session, customer, quantity=5)
        session.commit()

    for op, who, arg in ops:
        with sessions() as session:
            try:
                # Loaded afresh: merging the objects built above would write
                # their first partner back over a move.
                customer = session.get(Org, customers[who].id)
                assert customer is not None
                _apply(session, op, customer, arg, partners)
                session.commit()
            except DomainError:
                session.rollback()
        with sessions() as session:
            _check_invariants(session, customers)
