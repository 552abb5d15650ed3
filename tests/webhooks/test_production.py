"""Events come from the audit trail, to the endpoints the policy lets get them:
a partner's opted-in endpoints get its sub-orgs' events, never the reverse."""

from __future__ import annotations

import json

import pytest

from factories import make_member, make_org, make_partner, make_sub_org
from tenantree.errors import Invalid
from tenantree.identity.roles import Role
from webhooks.helpers import deliveries_to, event_types_of, org_changed, orgs_of, register


def test_an_audited_change_queues_a_delivery_in_the_same_transaction(session) -> None:
    org = make_org(session)
    made = register(session, org)
    org_changed(session, org)
    (message,) = deliveries_to(session, made)
    body = json.loads(message.payload["body"])
    assert (body["type"], body["data"]["org_id"]) == ("org.updated", str(org.id))
    session.rollback()  # the change is undone: so is its delivery
    assert deliveries_to(session, made) == []


def test_an_endpoint_gets_nothing_of_types_it_did_not_subscribe_to(session) -> None:
    org = make_org(session)
    made = register(session, org, types=("license",))
    org_changed(session, org)
    assert deliveries_to(session, made) == []


def test_a_sub_orgs_endpoint_never_gets_its_partners_events(session) -> None:
    partner = make_partner(session)
    sub_org = make_sub_org(session, partner)
    sub_orgs_endpoint = register(session, sub_org, types=("audit",))
    org_changed(session, partner)
    # The audit stream carries the sub-org's own events (its endpoint's creation).
    assert orgs_of(deliveries_to(session, sub_orgs_endpoint)) == {str(sub_org.id)}


def test_a_partners_endpoint_gets_sub_org_events_only_when_it_opted_in(session) -> None:
    partner = make_partner(session)
    sub_org = make_sub_org(session, partner)
    opted_in = register(session, partner, include_sub_orgs=True)
    own_only = register(session, partner)
    org_changed(session, sub_org)
    assert event_types_of(deliveries_to(session, opted_in)) == ["org.updated"]
    assert deliveries_to(session, own_only) == []


def test_a_sibling_or_unrelated_org_gets_nothing(session) -> None:
    partner = make_partner(session)
    sub_org, sibling = make_sub_org(session, partner), make_sub_org(session, partner)
    siblings_endpoint = register(session, sibling, types=("audit",))
    strangers_endpoint = register(session, make_org(session), types=("audit",))
    org_changed(session, sub_org)
    assert str(sub_org.id) not in orgs_of(deliveries_to(session, siblings_endpoint))
    assert str(sub_org.id) not in orgs_of(deliveries_to(session, strangers_endpoint))


def test_a_sub_org_that_lets_only_listed_partner_users_in_keeps_its_events_from_the_partner(
    session, identity
) -> None:
    partner = make_partner(session)
    listed = make_member(session, identity, partner, role=Role.ADMIN)
    sub_org = make_sub_org(session, partner, partner_users=[listed])
    opted_in = register(session, partner, include_sub_orgs=True)
    org_changed(session, sub_org)
    assert deliveries_to(session, opted_in) == []


def test_only_a_partner_may_include_sub_orgs_events(session) -> None:
    with pytest.raises(Invalid) as refused:
        register(session, make_org(session), include_sub_orgs=True)
    assert refused.value.field == "include_sub_orgs"


def test_a_disabled_endpoint_gets_no_new_events(session) -> None:
    org = make_org(session)
    made = register(session, org)
    made.endpoint.enabled = False
    org_changed(session, org)
    assert deliveries_to(session, made) == []
