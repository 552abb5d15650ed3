"""policy.webhook_receives: which orgs' events an endpoint gets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tenantree.access.policy import OrgFacts, webhook_receives
from tenantree.orgs.kinds import OrgKind

NOW = datetime(2030, 1, 1, tzinfo=UTC)
PARTNER = uuid.uuid4()


def sub_org(**facts) -> OrgFacts:  # type: ignore[no-untyped-def]
    return OrgFacts(id=uuid.uuid4(), kind=OrgKind.SUB_ORG, parent_id=PARTNER, active=True, **facts)


def receives(org: OrgFacts, *, endpoint_org: uuid.UUID = PARTNER, opted_in: bool = True) -> bool:
    return webhook_receives(
        endpoint_org_id=endpoint_org, include_sub_orgs=opted_in, event_org=org, now=NOW
    )


def test_an_endpoint_gets_its_own_orgs_events() -> None:
    partner = OrgFacts(id=PARTNER, kind=OrgKind.PARTNER, parent_id=None, active=True)
    assert receives(partner, opted_in=False)


def test_a_partners_endpoint_gets_sub_org_events_only_when_opted_in() -> None:
    assert receives(sub_org())
    assert not receives(sub_org(), opted_in=False)


def test_a_sub_orgs_endpoint_never_gets_its_partners_events() -> None:
    partner = OrgFacts(id=PARTNER, kind=OrgKind.PARTNER, parent_id=None, active=True)
    assert not receives(partner, endpoint_org=uuid.uuid4())


def test_another_partners_endpoint_gets_nothing_of_the_sub_org() -> None:
    assert not receives(sub_org(), endpoint_org=uuid.uuid4())


def test_a_sub_org_restricted_to_listed_partner_users_keeps_its_events_in() -> None:
    assert not receives(sub_org(partner_users=frozenset({uuid.uuid4()})))


def test_an_open_partner_wide_window_lets_events_out_until_it_ends() -> None:
    listed: frozenset[uuid.UUID] = frozenset()
    assert receives(sub_org(partner_users=listed, partner_access_until=NOW + timedelta(hours=1)))
    assert not receives(sub_org(partner_users=listed, partner_access_until=NOW))


# Three tiers: a distributor over a tier-2 partner over its customer.
DISTRIBUTOR = uuid.uuid4()


def tier_two(**facts) -> OrgFacts:  # type: ignore[no-untyped-def]
    return OrgFacts(id=PARTNER, kind=OrgKind.SUB_ORG, parent_id=DISTRIBUTOR, active=True, **facts)


def test_a_distributors_endpoint_gets_the_whole_subtree_when_opted_in() -> None:
    customer = sub_org(parent=tier_two())
    assert receives(customer, endpoint_org=DISTRIBUTOR)
    assert receives(tier_two(), endpoint_org=DISTRIBUTOR)
    assert not receives(customer, endpoint_org=DISTRIBUTOR, opted_in=False)


def test_a_tier_two_partners_endpoint_gets_its_customers_not_its_distributors() -> None:
    assert receives(sub_org(parent=tier_two()))
    distributor = OrgFacts(id=DISTRIBUTOR, kind=OrgKind.PARTNER, parent_id=None, active=True)
    assert not receives(distributor)


def test_a_tier_two_partner_restricted_to_listed_users_keeps_its_customers_events_in() -> None:
    restricted = tier_two(partner_users=frozenset({uuid.uuid4()}))
    assert not receives(sub_org(parent=restricted), endpoint_org=DISTRIBUTOR)
    # Its own endpoint still gets them: the restriction is on the level above.
    assert receives(sub_org(parent=restricted))


def test_a_customer_that_keeps_its_tier_two_partner_out_keeps_its_events_from_all_above() -> None:
    customer = sub_org(partner_users=frozenset(), parent=tier_two())
    assert not receives(customer, endpoint_org=DISTRIBUTOR)
    assert not receives(customer)


def test_an_open_window_at_the_tier_two_level_lets_its_customers_events_out() -> None:
    windowed = tier_two(partner_users=frozenset(), partner_access_until=NOW + timedelta(hours=1))
    assert receives(sub_org(parent=windowed), endpoint_org=DISTRIBUTOR)


def test_another_distributors_endpoint_gets_nothing_of_the_subtree() -> None:
    assert not receives(sub_org(parent=tier_two()), endpoint_org=uuid.uuid4())
