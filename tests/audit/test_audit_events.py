"""Audit events: what each change records, who reads them, filters, immutability."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from audit.test_export import documented_event_fields
from factories import build_world, salesforce_id
from tenantree import clock
from tenantree.audit.models import AuditEvent

ORGS = "/api/v1/orgs"
REQUEST_ID = "X-Request-ID"


@pytest.fixture
def world(session, identity):  # type: ignore[no-untyped-def]
    built = build_world(session, identity)
    session.commit()
    return built


def stored_events(session, **where) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    """Events in the database, oldest first; ends its read transaction (SQLite locks)."""
    session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    events = list(session.scalars(query))
    session.rollback()
    return events


def only_event(session, **where) -> AuditEvent:  # type: ignore[no-untyped-def]
    events = stored_events(session, **where)
    assert len(events) == 1, [(e.action, e.org_id) for e in events]
    return events[0]


def read_events(client, org_id, headers, **params):  # type: ignore[no-untyped-def]
    response = client.get(f"{ORGS}/{org_id}/audit-events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def add_event(session, *, at: datetime, action: str, org_id=None, actor_id=None):  # type: ignore[no-untyped-def]
    event = AuditEvent(
        at=at,
        action=action,
        org_id=org_id,
        actor_id=actor_id,
        target_type="test",
        target_id=None,
        details={},
    )
    session.add(event)
    session.flush()
    return event


def token_in(outbox, email: str) -> str:  # type: ignore[no-untyped-def]
    (text,) = outbox.to(email)
    return text.split("with the token ")[1].split()[0]


def _near_now(at: datetime) -> bool:
    return abs(clock.utcnow() - at) < timedelta(minutes=1)


# --- What each change records ------------------------------------------------------


def test_org_created_records_actor_org_target_request_and_time(client, session, world) -> None:
    sfid = salesforce_id()
    response = client.post(
        ORGS,
        json={
            "name": "Audited",
            "salesforce_id": sfid,
            "edition": "pro",
            "primary_admin_email": "pa@audited.example",
        },
        headers={**world.headers("OP"), REQUEST_ID: "req-org-created"},
    )
    org_id = uuid.UUID(response.json()["id"])
    event = only_event(session, action="org.created")
    assert event.actor_id == world.accounts["OP"].id
    assert event.actor_org_id is None  # operators act from the platform, not an org
    assert event.org_id == org_id
    assert (event.target_type, event.target_id) == ("org", str(org_id))
    assert event.request_id == "req-org-created"
    assert event.at.tzinfo is not None and _near_now(event.at)
    assert event.details == {"name": "Audited", "salesforce_id": sfid, "edition": "pro"}


def test_org_creation_also_records_the_primary_admin_invitation(client, session, world) -> None:
    response = client.post(
        ORGS,
        json={
            "name": "Audited",
            "salesforce_id": salesforce_id(),
            "primary_admin_email": "pa@audited.example",
        },
        headers={**world.headers("OP"), REQUEST_ID: "req-both"},
    )
    org_id = uuid.UUID(response.json()["id"])
    event = only_event(session, action="invitation.created", org_id=org_id)
    assert event.request_id == "req-both"
    assert event.details["as_primary_admin"] is True
    assert event.details["email"] == "pa@audited.example"


def test_partner_activated_is_recorded(client, session, world) -> None:
    response = client.post(
        f"{ORGS}/{world.U.id}/partner-activation",
        json={"partner_type": "reseller"},
        headers=world.headers("OP"),
    )
    assert response.status_code == 200
    event = only_event(session, action="org.partner_activated")
    assert event.org_id == world.U.id
    assert event.actor_id == world.accounts["OP"].id
    assert (event.target_type, event.target_id) == ("org", str(world.U.id))
    assert event.details == {"partner_type": "reseller"}


def test_sub_org_created_is_recorded_on_the_sub_org_and_its_parent(client, session, world) -> None:
    response = client.post(
        f"{ORGS}/{world.P.id}/sub-orgs",
        json={"name": "New Sub", "salesforce_id": salesforce_id(), "customer_name": "New Inc"},
        headers={**world.headers("OP"), REQUEST_ID: "req-sub"},
    )
    sub_id = uuid.UUID(response.json()["id"])
    events = stored_events(session, action="org.sub_org_created")
    assert {e.org_id for e in events} == {sub_id, world.P.id}
    assert len(events) == 2
    for event in events:
        assert (event.target_type, event.target_id) == ("org", str(sub_id))
        assert event.request_id == "req-sub"
        assert event.details["parent_id"] == str(world.P.id)
        assert event.details["customer_name"] == "New Inc"


def test_org_updated_records_each_change_from_and_to(client, session, world) -> None:
    client.patch(
        f"{ORGS}/{world.U.id}",
        json={"name": "Renamed U", "edition": "standard"},
        headers=world.headers("OP"),
    )
    event = only_event(session, action="org.updated")
    assert event.org_id == world.U.id
    assert event.details == {
        "changes": {
            "name": {"from": "Unrelated U", "to": "Renamed U"},
            "edition": {"from": "pro", "to": "standard"},
        }
    }


def test_an_update_that_changes_nothing_records_nothing(client, session, world) -> None:
    response = client.patch(
        f"{ORGS}/{world.U.id}", json={"name": "Unrelated U"}, headers=world.headers("OP")
    )
    assert response.status_code == 200
    assert stored_events(session, action="org.updated") == []


def test_deactivation_is_recorded_as_an_org_update(client, session, world) -> None:
    client.patch(
        f"{ORGS}/{world.U.id}", json={"status": "deactivated"}, headers=world.headers("OP")
    )
    event = only_event(session, action="org.updated")
    assert event.details == {"changes": {"status": {"from": "active", "to": "deactivated"}}}


def test_access_settings_changed_is_recorded_with_before_and_after(client, session, world) -> None:
    response = client.put(
        f"{ORGS}/{world.T.id}/access",
        json={"customer_access": "refused", "partner_users": "all", "customer_may_brand": True},
        headers=world.headers("P-PA"),
    )
    assert response.status_code == 200, response.text
    event = only_event(session, action="access.settings_changed")
    assert event.org_id == world.T.id
    assert event.actor_id == world.accounts["P-PA"].id
    assert event.actor_org_id == world.P.id
    assert event.details["before"] == {
        "customer_access": "permitted",
        "partner_users": "all",
        "customer_may_brand": False,
        "partner_access_expires_at": None,
    }
    assert event.details["after"] == {
        "customer_access": "refused",
        "partner_users": "all",
        "customer_may_brand": True,
        "partner_access_expires_at": None,
    }


def test_invitation_created_is_recorded(client, session, world) -> None:
    response = client.post(
        f"{ORGS}/{world.S.id}/invitations",
        json={"email": "new@customer.example", "role": "user"},
        headers=world.headers("S-A"),
    )
    invitation_id = response.json()["id"]
    event = only_event(session, action="invitation.created")
    assert event.org_id == world.S.id
    assert event.actor_id == world.accounts["S-A"].id
    assert event.actor_org_id == world.S.id
    assert (event.target_type, event.target_id) == ("invitation", invitation_id)
    assert event.details == {
        "email": "new@customer.example",
        "role": "user",
        "as_primary_admin": False,
    }


def test_invitation_accepted_is_recorded_as_the_new_user(client, session, world, outbox) -> None:
    client.post(
        f"{ORGS}/{world.S.id}/invitations",
        json={"email": "joiner@customer.example", "role": "read_only"},
        headers=world.headers("S-A"),
    )
    accepted = client.post(
        "/api/v1/invitations/accept",
        json={"token": token_in(outbox, "joiner@customer.example"), "password": "x" * 16},
        headers={REQUEST_ID: "req-accept"},
    )
    assert accepted.status_code == 200, accepted.text
    user_id = accepted.json()["user"]["id"]
    event = only_event(session, action="invitation.accepted")
    assert event.org_id == world.S.id
    assert event.actor_org_id == world.S.id
    assert event.actor_id is not None and event.actor_id != world.accounts["S-A"].id
    assert (event.target_type, event.target_id) == ("user", user_id)
    assert event.request_id == "req-accept"
    assert event.details["account_created"] is True
    assert event.details["role"] == "read_only"


def test_invitation_revoked_is_recorded(client, session, world) -> None:
    invitation_id = client.post(
        f"{ORGS}/{world.S.id}/invitations",
        json={"email": "never@customer.example", "role": "user"},
        headers=world.headers("S-A"),
    ).json()["id"]
    response = client.delete(
        f"{ORGS}/{world.S.id}/invitations/{invitation_id}", headers=world.headers("S-PA")
    )
    assert response.status_code == 204
    event = only_event(session, action="invitation.revoked")
    assert event.actor_id == world.accounts["S-PA"].id
    assert (event.target_type, event.target_id) == ("invitation", invitation_id)
    assert event.details == {"email": "never@customer.example"}


def test_user_updated_is_recorded_with_before_and_after(client, session, world) -> None:
    member = world.members["S-U"]
    response = client.patch(
        f"{ORGS}/{world.S.id}/users/{member.id}",
        json={"role": "admin", "status": "suspended"},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 200, response.text
    event = only_event(session, action="user.updated")
    assert event.org_id == world.S.id
    assert (event.target_type, event.target_id) == ("user", str(member.id))
    assert event.details["before"] == {"role": "user", "status": "active"}
    assert event.details["after"] == {"role": "admin", "status": "suspended"}


def test_user_removed_is_recorded(client, session, world) -> None:
    member_id = world.members["S-RO"].id
    response = client.delete(f"{ORGS}/{world.S.id}/users/{member_id}", headers=world.headers("S-A"))
    assert response.status_code == 204
    event = only_event(session, action="user.removed")
    assert event.org_id == world.S.id
    assert (event.target_type, event.target_id) == ("user", str(member_id))
    assert event.details["email"] == "s-ro@example.com"
    assert event.details["role"] == "read_only"


def test_primary_admin_transferred_is_recorded(client, session, world) -> None:
    new_primary = world.members["S-A"]
    response = client.post(
        f"{ORGS}/{world.S.id}/primary-admin",
        json={"user_id": str(new_primary.id)},
        headers=world.headers("S-PA"),
    )
    assert response.status_code == 200, response.text
    event = only_event(session, action="org.primary_admin_transferred")
    assert event.org_id == world.S.id
    assert event.actor_id == world.accounts["S-PA"].id
    assert (event.target_type, event.target_id) == ("user", str(new_primary.id))
    assert event.details["previous"] == str(world.members["S-PA"].id)


def test_a_refused_change_records_nothing(client, session, world) -> None:
    response = client.patch(
        f"{ORGS}/{world.S.id}/users/{world.members['S-A'].id}",
        json={"role": "user"},
        headers=world.headers("S-U"),
    )
    assert response.status_code == 403
    assert stored_events(session) == []


# --- Request ids ---------------------------------------------------------------------


def test_each_response_carries_a_generated_request_id(client, world) -> None:
    response = client.get(ORGS, headers=world.headers("OP"))
    assert uuid.UUID(response.headers[REQUEST_ID])


def test_the_echoed_request_id_is_the_one_stored(client, session, world) -> None:
    response = client.patch(
        f"{ORGS}/{world.U.id}", json={"name": "U2"}, headers=world.headers("OP")
    )
    assert only_event(session, action="org.updated").request_id == response.headers[REQUEST_ID]


def test_an_incoming_request_id_is_reused(client, session, world) -> None:
    response = client.patch(
        f"{ORGS}/{world.U.id}",
        json={"name": "U2"},
        headers={**world.headers("OP"), REQUEST_ID: "trace-abc_123.4"},
    )
    assert response.headers[REQUEST_ID] == "trace-abc_123.4"
    assert only_event(session, action="org.updated").request_id == "trace-abc_123.4"


@pytest.mark.parametrize(
    "incoming", ["has spaces", "x" * 65, "semi;colon", "back\\slash", "ünïcode", ""]
)
def test_an_invalid_incoming_request_id_is_replaced(client, session, world, incoming) -> None:
    response = client.patch(
        f"{ORGS}/{world.U.id}",
        json={"name": "U2"},
        headers={**world.headers("OP"), REQUEST_ID: incoming.encode()},
    )
    replaced = response.headers[REQUEST_ID]
    assert uuid.UUID(replaced)
    assert only_event(session, action="org.updated").request_id == replaced


def test_error_responses_carry_the_request_id_too(client, world) -> None:
    response = client.get(
        f"{ORGS}/{uuid.uuid4()}", headers={**world.headers("OP"), REQUEST_ID: "req-404"}
    )
    assert response.status_code == 404
    assert response.headers[REQUEST_ID] == "req-404"


# --- Acting from a partner ------------------------------------------------------------


def test_a_partner_admin_acting_in_a_sub_org_is_recorded_from_the_partner(
    client, session, world
) -> None:
    client.post(
        f"{ORGS}/{world.S.id}/invitations",
        json={"email": "via-partner@customer.example", "role": "user"},
        headers=world.headers("P-A"),
    )
    event = only_event(session, action="invitation.created")
    assert event.org_id == world.S.id
    assert event.actor_id == world.accounts["P-A"].id
    assert event.actor_org_id == world.P.id


def test_the_sub_org_admin_sees_the_partner_as_the_acting_org(client, session, world) -> None:
    client.patch(
        f"{ORGS}/{world.S.id}/users/{world.members['S-U'].id}",
        json={"role": "read_only"},
        headers=world.headers("P-A"),
    )
    (event,) = read_events(client, world.S.id, world.headers("S-A"), action="user.updated")
    assert event["actor_id"] == str(world.accounts["P-A"].id)
    assert event["actor_org_id"] == str(world.P.id)
    assert event["org_id"] == str(world.S.id)


def test_a_sub_org_admin_acting_in_its_own_org_is_recorded_from_it(client, session, world) -> None:
    client.patch(
        f"{ORGS}/{world.S.id}/users/{world.members['S-U'].id}",
        json={"role": "read_only"},
        headers=world.headers("S-A"),
    )
    assert only_event(session, action="user.updated").actor_org_id == world.S.id


# --- Who reads which events -------------------------------------------------------------


@pytest.fixture
def one_event_per_org(session, world):  # type: ignore[no-untyped-def]
    at = clock.utcnow() - timedelta(hours=1)
    events = {
        name: add_event(session, at=at, action="test.marker", org_id=org.id).id
        for name, org in {"P": world.P, "S": world.S, "T": world.T, "U": world.U}.items()
    }
    events["platform"] = add_event(session, at=at, action="test.marker").id
    session.commit()
    return {name: str(event_id) for name, event_id in events.items()}


def test_a_sub_org_admin_reads_its_own_org_events_only(client, world, one_event_per_org) -> None:
    ids = {e["id"] for e in read_events(client, world.S.id, world.headers("S-A"))}
    assert ids == {one_event_per_org["S"]}


def test_a_partner_admin_reads_a_sub_org_events(client, world, one_event_per_org) -> None:
    ids = {e["id"] for e in read_events(client, world.S.id, world.headers("P-A"))}
    assert ids == {one_event_per_org["S"]}


def test_a_partner_admin_reads_the_partner_events_without_the_sub_orgs(
    client, world, one_event_per_org
) -> None:
    ids = {e["id"] for e in read_events(client, world.P.id, world.headers("P-PA"))}
    assert ids == {one_event_per_org["P"]}


def test_an_org_user_may_not_read_its_events(client, world) -> None:
    response = client.get(f"{ORGS}/{world.S.id}/audit-events", headers=world.headers("S-U"))
    assert response.status_code == 403


@pytest.mark.parametrize("actor", ["T-A", "U-A", "P-X"])
def test_outsiders_do_not_see_a_sub_org_events(client, world, actor: str) -> None:
    response = client.get(f"{ORGS}/{world.S.id}/audit-events", headers=world.headers(actor))
    assert response.status_code == 404


def test_a_sub_org_admin_cannot_read_the_partner_events(client, world) -> None:
    response = client.get(f"{ORGS}/{world.P.id}/audit-events", headers=world.headers("S-A"))
    assert response.status_code == 404


def test_operators_read_every_event_on_the_platform(client, world, one_event_per_org) -> None:
    response = client.get("/api/v1/audit-events", headers=world.headers("OP"))
    assert response.status_code == 200
    ids = {e["id"] for e in response.json()["items"]}
    assert ids == set(one_event_per_org.values())


def test_operators_see_failed_sign_ins_on_the_platform(client, world) -> None:
    client.post("/api/v1/auth/login", json={"email": "u-a@example.com", "password": "wrong"})
    response = client.get(
        "/api/v1/audit-events",
        params={"action": "auth.sign_in_failed"},
        headers=world.headers("OP"),
    )
    (event,) = response.json()["items"]
    assert event["org_id"] is None
    assert event["target_id"] == str(world.accounts["U-A"].id)


def test_operators_read_any_org_events(client, world, one_event_per_org) -> None:
    ids = {e["id"] for e in read_events(client, world.U.id, world.headers("OP"))}
    assert ids == {one_event_per_org["U"]}


@pytest.mark.parametrize("actor", ["P-PA", "S-PA", "U-A"])
def test_only_operators_read_the_platform_events(client, world, actor: str) -> None:
    response = client.get("/api/v1/audit-events", headers=world.headers(actor))
    assert response.status_code == 403


def test_reading_events_needs_a_token(client, world) -> None:
    assert client.get("/api/v1/audit-events").status_code == 401
    assert client.get(f"{ORGS}/{world.S.id}/audit-events").status_code == 401


def test_an_event_is_served_with_every_documented_field(client, world) -> None:
    client.patch(
        f"{ORGS}/{world.S.id}/users/{world.members['S-U'].id}",
        json={"role": "read_only"},
        headers={**world.headers("S-A"), REQUEST_ID: "req-fields"},
    )
    (event,) = read_events(client, world.S.id, world.headers("S-A"))
    # The fields the list serves are the ones the export's JSON Schema documents.
    assert set(event) == set(documented_event_fields())
    assert event["request_id"] == "req-fields"
    assert event["at"].endswith("Z")
    assert _near_now(datetime.fromisoformat(event["at"]))


# --- Filters and pages ------------------------------------------------------------------

BASE = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def timeline(session, world):  # type: ignore[no-untyped-def]
    """S events an hour apart: 00:00 a, 01:00 b, 02:00 a, 03:00 b (actor S-A on 'a')."""
    actor = world.accounts["S-A"].id
    ids = []
    for hour, action in enumerate(["test.a", "test.b", "test.a", "test.b"]):
        event = add_event(
            session,
            at=BASE + timedelta(hours=hour),
            action=action,
            org_id=world.S.id,
            actor_id=actor if action == "test.a" else None,
        )
        ids.append(str(event.id))
    session.commit()
    return ids


def test_filter_by_action(client, world, timeline) -> None:
    events = read_events(client, world.S.id, world.headers("S-A"), action="test.b")
    assert [e["id"] for e in events] == [timeline[3], timeline[1]]


def test_filter_by_actor_id(client, world, timeline) -> None:
    events = read_events(
        client, world.S.id, world.headers("S-A"), actor_id=str(world.accounts["S-A"].id)
    )
    assert [e["id"] for e in events] == [timeline[2], timeline[0]]


def test_filter_from_is_inclusive(client, world, timeline) -> None:
    events = read_events(
        client, world.S.id, world.headers("S-A"), **{"from": "2030-01-01T02:00:00Z"}
    )
    assert [e["id"] for e in events] == [timeline[3], timeline[2]]


def test_filter_to_is_exclusive(client, world, timeline) -> None:
    events = read_events(client, world.S.id, world.headers("S-A"), to="2030-01-01T02:00:00Z")
    assert [e["id"] for e in events] == [timeline[1], timeline[0]]


def test_filter_from_and_to_together(client, world, timeline) -> None:
    events = read_events(
        client,
        world.S.id,
        world.headers("S-A"),
        **{"from": "2030-01-01T01:00:00Z", "to": "2030-01-01T03:00:00Z"},
    )
    assert [e["id"] for e in events] == [timeline[2], timeline[1]]


def test_filter_times_in_other_zones_are_compared_as_instants(client, world, timeline) -> None:
    # 03:00+02:00 is 01:00Z
    events = read_events(client, world.S.id, world.headers("S-A"), to="2030-01-01T03:00:00+02:00")
    assert [e["id"] for e in events] == [timeline[0]]


def test_filters_combine(client, world, timeline) -> None:
    events = read_events(
        client,
        world.S.id,
        world.headers("S-A"),
        action="test.a",
        **{"from": "2030-01-01T01:00:00Z"},
    )
    assert [e["id"] for e in events] == [timeline[2]]


@pytest.mark.parametrize("name", ["from", "to"])
def test_a_time_without_a_zone_is_422(client, world, name: str) -> None:
    response = client.get(
        f"{ORGS}/{world.S.id}/audit-events",
        params={name: "2030-01-01T00:00:00"},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == name
    assert any(w in response.json()["error"]["message"] for w in ("zone", "offset"))


def test_a_time_without_a_zone_is_422_on_the_platform_list_too(client, world) -> None:
    response = client.get(
        "/api/v1/audit-events", params={"from": "2030-01-01T00:00:00"}, headers=world.headers("OP")
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "from"


@pytest.mark.parametrize("value", ["yesterday", "2030-13-01T00:00:00Z", "1e999"])
def test_an_unreadable_time_is_422(client, world, value: str) -> None:
    response = client.get(
        f"{ORGS}/{world.S.id}/audit-events", params={"from": value}, headers=world.headers("S-A")
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "from"


def test_an_unreadable_actor_id_is_422(client, world) -> None:
    response = client.get(
        f"{ORGS}/{world.S.id}/audit-events",
        params={"actor_id": "someone"},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "actor_id"


def test_events_are_listed_newest_first(client, world, timeline) -> None:
    events = read_events(client, world.S.id, world.headers("S-A"))
    assert [e["id"] for e in events] == list(reversed(timeline))


def test_event_pages_have_no_duplicates_or_gaps(client, session, world) -> None:
    # Several events share a time, so the id tie-break decides page boundaries.
    expected = []
    for i in range(9):
        at = BASE + timedelta(minutes=i // 3)
        expected.append(add_event(session, at=at, action="test.page", org_id=world.S.id))
    session.commit()
    newest_first = [
        str(e.id) for e in sorted(expected, key=lambda e: (e.at, e.id.hex), reverse=True)
    ]
    for limit in (1, 2, 4):
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, object] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            response = client.get(
                f"{ORGS}/{world.S.id}/audit-events", params=params, headers=world.headers("S-A")
            )
            assert response.status_code == 200, response.text
            page = response.json()
            seen.extend(e["id"] for e in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == newest_first


def test_event_pages_reject_a_cursor_from_another_list(client, world, timeline) -> None:
    orgs_page = client.get(ORGS, params={"limit": 1}, headers=world.headers("OP")).json()
    response = client.get(
        f"{ORGS}/{world.S.id}/audit-events",
        params={"cursor": orgs_page["next_cursor"]},
        headers=world.headers("S-A"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "cursor"


@pytest.mark.parametrize("limit", [0, 501])
def test_event_pages_reject_a_limit_out_of_range(client, world, limit: int) -> None:
    response = client.get(
        f"{ORGS}/{world.S.id}/audit-events", params={"limit": limit}, headers=world.headers("S-A")
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "limit"


# --- Events cannot be changed through the API -----------------------------------------


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "PUT", "POST"])
def test_the_platform_event_list_cannot_be_changed(
    client, session, world, timeline, method
) -> None:
    response = client.request(method, "/api/v1/audit-events", json={}, headers=world.headers("OP"))
    assert response.status_code == 405
    assert len(stored_events(session)) == len(timeline)


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "PUT", "POST"])
def test_an_org_event_list_cannot_be_changed(client, session, world, timeline, method) -> None:
    response = client.request(
        method, f"{ORGS}/{world.S.id}/audit-events", json={}, headers=world.headers("OP")
    )
    assert response.status_code == 405
    assert len(stored_events(session)) == len(timeline)


@pytest.mark.parametrize("method", ["DELETE", "PATCH", "PUT"])
def test_a_single_event_cannot_be_changed(client, session, world, timeline, method) -> None:
    for path in (
        f"/api/v1/audit-events/{timeline[0]}",
        f"{ORGS}/{world.S.id}/audit-events/{timeline[0]}",
    ):
        response = client.request(
            method, path, json={"action": "forged"}, headers=world.headers("OP")
        )
        assert response.status_code in (404, 405)
    events = stored_events(session)
    assert len(events) == len(timeline)
    assert {e.action for e in events} == {"test.a", "test.b"}
