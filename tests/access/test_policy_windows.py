"""The policy's partner access windows, as plain functions (no database, no HTTP)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tenantree import clock
from tenantree.access.permissions import Permission
from tenantree.access.policy import (
    Actor,
    MembershipFact,
    OrgFacts,
    can,
    lapsed_grants,
    partner_window,
)
from tenantree.identity.roles import Role
from tenantree.orgs.kinds import OrgKind

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
PARTNER = uuid.uuid4()


@pytest.fixture(autouse=True)
def stopped_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)


def entry(*, primary: bool = False) -> MembershipFact:
    return MembershipFact(uuid.uuid4(), PARTNER, Role.ADMIN, primary, True, True)


def sub_org(**kw) -> OrgFacts:  # type: ignore[no-untyped-def]
    return OrgFacts(uuid.uuid4(), OrgKind.SUB_ORG, PARTNER, True, **kw)


def views(membership: MembershipFact, org: OrgFacts) -> bool:
    actor = Actor(uuid.uuid4(), memberships={PARTNER: membership})
    return can(actor, Permission.ORG_VIEW, org)


def test_a_listed_window_lets_in_until_its_end_and_not_at_it():
    helper = entry()
    listed = frozenset({helper.membership_id})
    during = sub_org(
        partner_users=listed, partner_users_until={helper.membership_id: NOW + timedelta(seconds=1)}
    )
    at_end = sub_org(partner_users=listed, partner_users_until={helper.membership_id: NOW})
    assert views(helper, during) and not views(helper, at_end)


def test_the_later_of_the_wide_access_and_a_listing_decides():
    helper = entry()
    org = sub_org(
        partner_users=frozenset({helper.membership_id}),
        partner_users_until={helper.membership_id: NOW - timedelta(hours=1)},
        partner_access_until=NOW + timedelta(hours=2),
    )
    assert partner_window(org, helper) == (True, NOW + timedelta(hours=2))
    assert views(helper, org)


def test_after_the_wide_access_ends_an_unlisted_user_has_no_way_in():
    org = sub_org(partner_users=frozenset(), partner_access_until=NOW - timedelta(minutes=1))
    assert not views(entry(), org)


def test_the_primary_admin_has_no_window():
    org = sub_org(partner_users=frozenset(), partner_access_until=NOW - timedelta(minutes=1))
    primary = entry(primary=True)
    assert partner_window(org, primary) == (True, None) and views(primary, org)


def test_lapsed_grants_name_each_passed_end_not_yet_recorded():
    ended, recorded, running = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    org = sub_org(
        partner_users=frozenset({ended, recorded, running}),
        partner_users_until={
            ended: NOW - timedelta(minutes=1),
            recorded: NOW - timedelta(minutes=1),
            running: NOW + timedelta(minutes=1),
        },
        partner_access_until=NOW - timedelta(minutes=1),
        lapses_recorded=frozenset({recorded}),
    )
    assert set(lapsed_grants(org, NOW)) == {ended, org.id}
