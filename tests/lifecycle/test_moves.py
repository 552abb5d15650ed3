"""Moving a sub-org to another partner, as a service (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_license, make_member, make_org, make_partner, make_sub_org
from tenantree.audit.models import AuditEvent
from tenantree.audit.service import AuditTrail
from tenantree.errors import Conflict
from tenantree.identity.roles import Role
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.models import Consumption, LicensePool, LicenseSource, Quota
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.sources import current_source
from tenantree.licensing.sub_org_terms import set_license_source, set_quota
from tenantree.lifecycle.move_rule import NewPoolLacksRoom
from tenantree.lifecycle.moves import move_sub_org, preview_move
from tenantree.orgs.kinds import OrgStatus, PartnerType
from tenantree.orgs.models import Org
from tenantree.orgs.parentage import OrgParentage
from tenantree.orgs.sub_org_access import CustomerAccess, SubOrgAccess, SubOrgPartnerUser


def _trail(session: Session) -> AuditTrail:
    return AuditTrail(session, actor_id=None)


def _use(session: Session, org: Org, units: int, sku: str = "mon") -> None:
    report_usage(
        session, _trail(session), org, sku=sku, op=UsageOp.SET, amount=units, sees_pool_figures=True
    )


def _pool(session: Session, holder: Org, sku: str = "mon") -> LicensePool:
    pool = session.scalar(
        select(LicensePool).where(LicensePool.holder_org_id == holder.id, LicensePool.sku == sku)
    )
    assert pool is not None
    session.refresh(pool)
    return pool


def _units(session: Session, org: Org, pool: LicensePool) -> int:
    return (
        session.scalar(
            select(Consumption.units).where(
                Consumption.org_id == org.id, Consumption.pool_id == pool.id
            )
        )
        or 0
    )


def _move(session: Session, org: Org, to: Org, *, allow_overage: bool = False):  # type: ignore[no-untyped-def]
    return move_sub_org(session, _trail(session), org, to, allow_overage=allow_overage)


def test_an_msp_customers_use_is_released_from_the_old_pool_and_taken_from_the_new(
    session: Session,
) -> None:
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    make_license(session, new, quantity=10)
    customer, other = make_sub_org(session, old), make_sub_org(session, new)
    _use(session, customer, 4)
    _use(session, other, 3)

    result = _move(session, customer, new)

    assert customer.parent_id == new.id
    assert result.plan.moving == {"mon": 4}
    assert _pool(session, old).used == 0
    assert _pool(session, new).used == 7
    assert _units(session, customer, _pool(session, new)) == 4
    assert _units(session, customer, _pool(session, old)) == 0


def test_after_a_move_the_customer_consumes_from_the_new_partners_pool(session: Session) -> None:
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    make_license(session, new, quantity=10)
    customer = make_sub_org(session, old)
    _use(session, customer, 2)
    _move(session, customer, new)

    _use(session, customer, 5)

    assert _pool(session, new).used == 5
    assert _pool(session, old).used == 0


def test_a_move_the_new_pool_cannot_take_is_refused_naming_each_skus_shortfall(
    session: Session,
) -> None:
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    make_license(session, old, quantity=10, sku="bak")
    make_license(session, new, quantity=5)
    customer, other = make_sub_org(session, old), make_sub_org(session, new)
    _use(session, customer, 4)
    _use(session, customer, 2, sku="bak")
    _use(session, other, 3)

    with pytest.raises(NewPoolLacksRoom) as refused:
        _move(session, customer, new)

    assert refused.value.status == 409
    assert "bak: 2 units short" in refused.value.message
    assert "mon: 2 units short" in refused.value.message
    assert refused.value.extra == {"shortfall": {"bak": 2, "mon": 2}}
    assert customer.parent_id == old.id
    assert _pool(session, old).used == 4
    assert _pool(session, new).used == 3


def test_allow_overage_takes_the_use_past_the_new_pools_room(session: Session) -> None:
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    make_license(session, old, quantity=10, sku="bak")
    make_license(session, new, quantity=5)
    customer, other = make_sub_org(session, old), make_sub_org(session, new)
    _use(session, customer, 4)
    _use(session, customer, 2, sku="bak")
    _use(session, other, 3)

    result = _move(session, customer, new, allow_overage=True)

    assert result.plan.shortfall == {"bak": 2, "mon": 2}
    assert _pool(session, new).used == 7  # two over its 5
    assert _pool(session, new, "bak").used == 2  # a pool without a license: all over
    assert _pool(session, old).used == 0 and _pool(session, old, "bak").used == 0


def test_a_resellers_customer_keeps_its_own_licenses_when_moved_to_an_msp(
    session: Session,
) -> None:
    reseller = make_partner(session, partner_type=PartnerType.RESELLER)
    msp = make_partner(session, partner_type=PartnerType.MSP)
    make_license(session, msp, quantity=1)
    customer = make_sub_org(session, reseller)
    make_license(session, customer, quantity=10)
    _use(session, customer, 6)

    result = _move(session, customer, msp)

    assert result.plan.moving == {}
    assert current_source(session, customer) == LicenseSource.OWN
    assert _pool(session, customer).used == 6
    assert _pool(session, msp).used == 0


def test_an_msp_customer_moved_to_a_reseller_draws_on_the_resellers_pool(
    session: Session,
) -> None:
    msp = make_partner(session, partner_type=PartnerType.MSP)
    reseller = make_partner(session, partner_type=PartnerType.RESELLER)
    make_license(session, msp, quantity=10)
    make_license(session, reseller, quantity=10)
    customer = make_sub_org(session, msp)
    _use(session, customer, 3)

    _move(session, customer, reseller)

    assert current_source(session, customer) == LicenseSource.PARENT_POOL
    assert _pool(session, reseller).used == 3
    assert customer.partner_salesforce_id is None  # only an MSP's customers link to it


def test_a_customer_that_switched_to_its_own_licenses_moves_none_of_them(
    session: Session,
) -> None:
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    customer = make_sub_org(session, old)
    make_license(session, customer, quantity=3)
    set_license_source(session, _trail(session), customer, LicenseSource.OWN)
    _use(session, customer, 2)

    _move(session, customer, new)

    assert current_source(session, customer) == LicenseSource.OWN
    assert _pool(session, customer).used == 2
    assert customer.partner_salesforce_id == new.salesforce_id


def test_the_old_partners_settings_for_the_sub_org_end_with_the_move(
    session: Session, identity
) -> None:  # type: ignore[no-untyped-def]
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    helper = make_member(session, identity, old, role=Role.ADMIN, email="helper@old.example")
    customer = make_sub_org(
        session,
        old,
        partner_users=[helper],
        customer_access=CustomerAccess.REFUSED,
        customer_may_brand=True,
    )
    access = session.get(SubOrgAccess, customer.id)
    assert access is not None
    access.partner_access_expires_at = datetime(2099, 1, 1, tzinfo=UTC)
    set_quota(session, _trail(session), customer, "mon", 5)

    result = _move(session, customer, new)

    assert result.plan.grants_ending == ["helper@old.example"]
    session.refresh(access)
    assert access.customer_access == CustomerAccess.PERMITTED
    assert not access.partner_users_restricted and not access.customer_may_brand
    assert access.partner_access_expires_at is None
    assert session.scalars(select(SubOrgPartnerUser).filter_by(sub_org_id=customer.id)).all() == []
    assert session.scalars(select(Quota).filter_by(sub_org_id=customer.id)).all() == []


def test_the_move_is_audited_in_the_sub_orgs_and_both_partners_logs(session: Session) -> None:
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    make_license(session, new, quantity=10)
    customer = make_sub_org(session, old)
    _use(session, customer, 4)

    _move(session, customer, new)

    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "org.moved")).all()
    assert {e.org_id for e in events} == {customer.id, old.id, new.id}
    for event in events:
        assert event.target_id == str(customer.id)
        assert event.details["from_partner_id"] == str(old.id)
        assert event.details["to_partner_id"] == str(new.id)
        assert event.details["moved"] == {"mon": 4}


def test_each_move_closes_one_span_of_parentage_and_opens_the_next(session: Session) -> None:
    first, second, third = (make_partner(session) for _ in range(3))
    customer = make_sub_org(session, first)
    _move(session, customer, second)
    _move(session, customer, third)

    spans = session.scalars(
        select(OrgParentage).filter_by(sub_org_id=customer.id).order_by(OrgParentage.since)
    ).all()
    assert [s.partner_id for s in spans] == [first.id, second.id, third.id]
    assert spans[0].until == spans[1].since and spans[1].until == spans[2].since
    assert spans[2].until is None


@pytest.mark.parametrize("target", ["standard", "same", "deactivated"])
def test_a_move_to_where_a_customer_cannot_go_is_refused(session: Session, target: str) -> None:
    old = make_partner(session)
    customer = make_sub_org(session, old)
    to = {
        "standard": lambda: make_org(session),
        "same": lambda: old,
        "deactivated": lambda: make_partner(session),
    }[target]()
    if target == "deactivated":
        to.status = OrgStatus.DEACTIVATED
    with pytest.raises(Conflict):
        _move(session, customer, to)
    assert customer.parent_id == old.id


def test_a_partner_cannot_be_moved(session: Session) -> None:
    with pytest.raises(Conflict) as refused:
        _move(session, make_partner(session), make_partner(session))
    assert refused.value.code == "not_a_sub_org"


def test_the_preview_says_what_would_move_and_writes_nothing(session: Session, identity) -> None:  # type: ignore[no-untyped-def]
    old, new = make_partner(session), make_partner(session)
    make_license(session, old, quantity=10)
    make_license(session, new, quantity=2)
    make_member(session, identity, old, role=Role.ADMIN)
    customer = make_sub_org(session, old)
    _use(session, customer, 4)

    plan = preview_move(session, customer, new)

    assert (plan.from_partner_name, plan.to_partner_name) == (old.name, new.name)
    assert plan.moving == {"mon": 4} and plan.shortfall == {"mon": 2}
    assert plan.old_partner_staff == 1
    assert customer.parent_id == old.id and _pool(session, new).used == 0
