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
