"""A tier-2 partner's pool drawing on its distributor's (licensing.linked):
consumption, source changes and activation through two pools."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_license, make_sub_org
from linked_pools_support import (
    SKU,
    assert_linked_invariants,
    build_tiers,
    pool_used,
    row_units,
    set_source,
)
from tenantree.access.policy import CustomerColumns
from tenantree.audit.models import AuditEvent
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.customers import customer_rows
from tenantree.licensing.errors import PoolExhausted, QuotaExceeded
from tenantree.licensing.models import LicenseSource, Quota
from tenantree.licensing.policies import OveragePolicy
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sub_org_terms import set_license_source
from tenantree.lifecycle.service import activate_partner
from tenantree.orgs.kinds import Edition, PartnerType
from tenantree.orgs.models import Org


def use(session: Session, org: Org, units: int, *, sees: bool = False, **kw: bool) -> int:
    result = report_usage(
        session,
        AuditTrail(session, actor_id=None),
        org,
        sku=SKU,
        op=UsageOp.SET,
        amount=units,
        sees_pool_figures=sees,
        **kw,
    )
    return result.consumed


def _everyone(t) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [o.id for o in (t.D, t.D2, t.A, t.B, t.C, t.C2, t.Y)]


def test_a_tier_three_use_goes_into_the_msps_pool_and_its_row_in_the_distributors(session):
    t = build_tiers(session)
    use(session, t.C, 7)
    use(session, t.A, 2, sees=True)
    use(session, t.Y, 5)
    assert pool_used(session, t.A) == 9
    assert row_units(session, t.A, t.C) == 7 and row_units(session, t.A, t.A) == 2
    # The MSP's whole subtree is one row in the distributor's pool.
    assert row_units(session, t.D, t.A) == 9
    assert pool_used(session, t.D) == 14
    use(session, t.C, 1)
    assert row_units(session, t.D, t.A) == pool_used(session, t.A) == 3
    assert_linked_invariants(session, _everyone(t))


def test_the_distributors_quantity_bounds_a_tier_three_use_without_showing_it(session):
    t = build_tiers(session, quantity=10)
    use(session, t.Y, 6)
    with pytest.raises(PoolExhausted) as refused:
        use(session, t.C, 5)
    # A customer (and its MSP's admins) never learn the distributor's figures.
    assert "10" not in refused.value.message and "4" not in refused.value.message
    assert "remaining" not in refused.value.extra
    assert use(session, t.C, 4) == 4
    assert pool_used(session, t.D) == 10
    # The distributor's admins see how much is left.
    with pytest.raises(PoolExhausted) as told:
        use(session, t.C, 5, sees=True, sees_distributor_figures=True)
    assert told.value.extra == {"remaining": 0}


def test_the_msps_quota_from_its_distributor_bounds_its_whole_subtree(session):
    t = build_tiers(session)
    session.add(Quota(sub_org_id=t.A.id, sku=SKU, max_units=8))
    session.add(Quota(sub_org_id=t.C.id, sku=SKU, max_units=6))
    session.flush()
    use(session, t.A, 3, sees=True)
    with pytest.raises(PoolExhausted) as hidden:
        use(session, t.C, 6)  # 3 + 6 > 8: the MSP's quota, which its customer may not see
    assert "8" not in hidden.value.message and hidden.value.extra == {"quota_remaining": 6}
    with pytest.raises(QuotaExceeded) as shown:
        use(session, t.C, 6, sees=True)  # the MSP's admins see their quota
    assert shown.value.extra == {"partner_quota_remaining": 5}
    with pytest.raises(QuotaExceeded):
        use(session, t.C, 7, sees=True)  # the customer's own quota first
    assert use(session, t.C, 5) == 5
    assert pool_used(session, t.A) == 8 == row_units(session, t.D, t.A)


def test_an_msp_with_its_own_licenses_draws_on_them_alone(session):
    t = build_tiers(session)
    make_license(session, t.A, quantity=3)
    set_source(session, t.A, LicenseSource.OWN)
    use(session, t.C, 3)
    with pytest.raises(PoolExhausted):
        use(session, t.C, 4)
    assert row_units(session, t.D, t.A) == 0
    assert_linked_invariants(session, _everyone(t))


def test_switching_an_msp_to_its_distributors_pool_puts_its_whole_use_there(session):
    t = build_tiers(session, quantity=10)
    make_license(session, t.A, quantity=50)
    trail = AuditTrail(session, actor_id=None)
    set_license_source(session, trail, t.A, LicenseSource.OWN)
    use(session, t.C, 6)
    use(session, t.A, 2, sees=True)
    use(session, t.Y, 3)
    # 8 would pass D's 10 with Y's 3: refused naming the shortfall, nothing moved.
    with pytest.raises(Conflict) as refused:
        set_license_source(session, trail, t.A, LicenseSource.PARENT_POOL)
    assert refused.value.code == "distributor_pool_lacks_room"
    assert refused.value.extra == {"shortfall": {SKU: 1}}
    assert row_units(session, t.D, t.A) == 0
    use(session, t.Y, 2)
    set_license_source(session, trail, t.A, LicenseSource.PARENT_POOL)
    assert row_units(session, t.D, t.A) == 8 and pool_used(session, t.D) == 10
    assert_linked_invariants(session, _everyone(t))
    # And back: its use leaves the distributor's pool; its pool keeps it.
    set_license_source(session, trail, t.A, LicenseSource.OWN)
    assert row_units(session, t.D, t.A) == 0 and pool_used(session, t.D) == 2
    assert pool_used(session, t.A) == 8
    assert_linked_invariants(session, _everyone(t))


def test_a_tier_three_source_change_releases_through_both_pools(session):
    t = build_tiers(session)
    make_license(session, t.C, quantity=20)
    use(session, t.C, 7)
    set_license_source(session, AuditTrail(session, actor_id=None), t.C, LicenseSource.OWN)
    assert pool_used(session, t.A) == 0 and row_units(session, t.D, t.A) == 0
    assert pool_used(session, t.D) == 0
    use(session, t.C, 4)
    assert pool_used(session, t.C) == 4
    assert_linked_invariants(session, _everyone(t))


def test_a_customer_activated_as_an_msp_gathers_its_own_use_into_its_pool(session):
    t = build_tiers(session)
    t.Y.edition = Edition.PRO
    use(session, t.Y, 5)
    activate_partner(session, AuditTrail(session, actor_id=None), t.Y, partner_type=PartnerType.MSP)
    assert pool_used(session, t.Y) == 5 and row_units(session, t.Y, t.Y) == 5
    assert row_units(session, t.D, t.Y) == 5 and pool_used(session, t.D) == 5
    customer = make_sub_org(session, t.Y)
    use(session, customer, 2)
    assert row_units(session, t.D, t.Y) == 7
    assert_linked_invariants(session, [*_everyone(t), customer.id])


def test_overage_through_a_linked_pool_is_audited_without_the_distributors_figure(session):
    t = build_tiers(session, quantity=5, policy=OveragePolicy.ALLOW_AND_FLAG)
    assert use(session, t.C, 8) == 8  # 3 over D's 5, allowed and flagged
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.org_id == t.C.id, AuditEvent.action == "usage.overage")
    ).one()
    assert "pool_overage" not in json.dumps(event.details)
    assert pool_used(session, t.D) == 8 == row_units(session, t.D, t.A)


def test_a_linked_msps_customer_list_bounds_its_pool_by_the_quota_from_its_distributor(session):
    t = build_tiers(session, quantity=70)
    make_license(session, t.A, quantity=50)  # its own: not its linked pool's bound
    use(session, t.C, 4)
    [row] = [r for r in rows_of(session, t.A) if r.org_id == t.C.id]
    assert [(u.used, u.pool_quantity) for u in row.uses] == [(4, None)]
    session.add(Quota(sub_org_id=t.A.id, sku=SKU, max_units=30))
    session.flush()
    [row] = [r for r in rows_of(session, t.A) if r.org_id == t.C.id]
    assert [(u.used, u.pool_quantity) for u in row.uses] == [(4, 30)]


def rows_of(session: Session, partner: Org) -> list:  # type: ignore[type-arg]
    columns = CustomerColumns(use=True, access=False, users=False)
    return customer_rows(session, partner, columns, visible_ids=None)
