"""Events over three tiers: a distributor's endpoint that includes sub-orgs'
events gets its whole subtree's, while each level lets its partner in as a whole."""

from __future__ import annotations

from factories import make_member, make_partner, make_sub_org
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import PartnerType
from tenantree.orgs.models import Org
from webhooks.helpers import deliveries_to, org_changed, orgs_of, register


def _tier_two(session, distributor: Org, **kw) -> Org:  # type: ignore[no-untyped-def]
    tier_two = make_sub_org(session, distributor, **kw)
    tier_two.partner_type = PartnerType.MSP
    session.flush()
    return tier_two


def test_a_distributors_endpoint_gets_its_tier_two_customers_events(session) -> None:
    distributor = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    tier_two = _tier_two(session, distributor)
    customer = make_sub_org(session, tier_two)
    opted_in = register(session, distributor, include_sub_orgs=True)
    own_only = register(session, distributor)
    org_changed(session, customer)
    org_changed(session, tier_two)
    assert orgs_of(deliveries_to(session, opted_in)) == {str(customer.id), str(tier_two.id)}
    assert deliveries_to(session, own_only) == []


def test_a_tier_two_partners_endpoint_gets_its_customers_never_its_distributors(session) -> None:
    distributor = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    tier_two = _tier_two(session, distributor)
    customer = make_sub_org(session, tier_two)
    endpoint = register(session, tier_two, include_sub_orgs=True)
    org_changed(session, distributor)
    org_changed(session, customer)
    assert orgs_of(deliveries_to(session, endpoint)) == {str(customer.id)}


def test_a_tier_two_partner_restricted_to_listed_users_keeps_its_subtree_from_above(
    session, identity
) -> None:
    distributor = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    listed = make_member(session, identity, distributor, role=Role.ADMIN)
    tier_two = _tier_two(session, distributor, partner_users=[listed])
    customer = make_sub_org(session, tier_two)
    distributors = register(session, distributor, include_sub_orgs=True)
    tier_twos = register(session, tier_two, include_sub_orgs=True)
    org_changed(session, customer)
    assert deliveries_to(session, distributors) == []
    assert orgs_of(deliveries_to(session, tier_twos)) == {str(customer.id)}


def test_a_customer_that_keeps_its_partner_out_keeps_its_events_from_both_levels(
    session,
) -> None:
    distributor = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    tier_two = _tier_two(session, distributor)
    customer = make_sub_org(session, tier_two, partner_users=[])
    distributors = register(session, distributor, include_sub_orgs=True)
    tier_twos = register(session, tier_two, include_sub_orgs=True)
    org_changed(session, customer)
    assert deliveries_to(session, distributors) == []
    assert deliveries_to(session, tier_twos) == []


def test_another_distributor_gets_nothing_of_the_subtree(session) -> None:
    distributor = make_partner(session, partner_type=PartnerType.DISTRIBUTOR)
    customer = make_sub_org(session, _tier_two(session, distributor))
    stranger = register(
        session, make_partner(session, partner_type=PartnerType.DISTRIBUTOR), include_sub_orgs=True
    )
    org_changed(session, customer)
    assert deliveries_to(session, stranger) == []
