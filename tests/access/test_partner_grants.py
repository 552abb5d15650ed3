"""Named partner access windows and the customer's view of partner staff, over HTTP."""

import pytest

from access.windows_support import audit_actions, grant, listed, moved_clock, status
from factories import build_world

LAPSED = "access.partner_access_lapsed"


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)  # S lists P-A, P-U, P-RO; P-X is left off
    session.commit()
    return world


@pytest.fixture
def moved(monkeypatch):
    return moved_clock(monkeypatch)


def test_a_window_lets_a_partner_user_in_until_it_ends(client, world, moved):
    assert status(client, world, "P-X") == 404
    assert grant(client, world, "P-X", moved.later(minutes=30)).status_code == 200
    assert status(client, world, "P-X") == 200 and listed(client, world, "P-X")

    moved.advance(minutes=31)

    assert status(client, world, "P-X") == 404
    assert not listed(client, world, "P-X")


def test_the_end_of_a_window_is_audited_once(client, world, moved):
    grant(client, world, "P-X", moved.later(minutes=30))
    moved.advance(minutes=31)
    for actor in ("P-X", "P-X", "S-A", "P-PA"):
        status(client, world, actor)
    events = audit_actions(client, world, LAPSED)
    assert len(events) == 1
    assert events[0]["actor_id"] is None
    assert events[0]["target_id"] == str(world.members["P-X"].id)


def test_renewing_a_lapsed_window_lets_the_user_back_in_and_audits_its_next_end(
    client, world, moved
):
    grant(client, world, "P-X", moved.later(minutes=10))
    moved.advance(minutes=11)
    assert status(client, world, "P-X") == 404
    assert grant(client, world, "P-X", moved.later(minutes=10)).status_code == 200
    assert status(client, world, "P-X") == 200
    moved.advance(minutes=11)
    assert status(client, world, "P-X") == 404
    assert len(audit_actions(client, world, LAPSED)) == 2


def test_ending_a_grant_shuts_the_user_out_on_the_next_request(client, world, moved):
    grant(client, world, "P-X", None)
    assert status(client, world, "P-X") == 200
    response = client.delete(
        f"/api/v1/orgs/{world.S.id}/partner-grants/{world.members['P-X'].id}",
        headers=world.headers("P-PA"),
    )
    assert response.status_code == 204
    assert status(client, world, "P-X") == 404
    assert [
        e["details"]["email"] for e in audit_actions(client, world, "access.partner_grant_ended")
    ] == ["p-x@example.com"]


def test_a_window_given_to_a_listed_user_ends_their_standing_access(client, world, moved):
    grant(client, world, "P-U", moved.later(minutes=5))
    moved.advance(minutes=6)
    assert status(client, world, "P-U") == 404
    assert status(client, world, "P-A") == 200  # still listed for good


def test_partner_wide_access_that_ends_leaves_only_the_listed_users(client, world, moved):
    body = {
        "customer_access": "permitted",
        "partner_users": "all",
        "customer_may_brand": False,
        "partner_access_expires_at": moved.later(minutes=30),
    }
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/access", json=body, headers=world.headers("P-PA")
    )
    assert response.status_code == 200, response.text
    assert response.json()["partner_access_expires_at"] is not None
    assert status(client, world, "P-X") == 200

    moved.advance(minutes=31)

    assert status(client, world, "P-X") == 404
    assert status(client, world, "P-A") == 200  # listed before the wide access opened
    assert status(client, world, "P-PA") == 200  # the primary admin always reaches it
    (event,) = audit_actions(client, world, LAPSED)
    assert event["details"]["grant"] == "partner_wide"


@pytest.mark.parametrize(
    ("expires_at", "field"),
    [("2001-01-01T00:00:00Z", "expires_at"), ("2099-01-01T00:00:00", "expires_at")],
)
def test_a_window_must_end_in_the_future_with_a_zone(client, world, expires_at, field):
    response = grant(client, world, "P-X", expires_at)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_the_primary_admin_needs_no_grant(client, world):
    response = grant(client, world, "P-PA", None)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "user_id"


def test_only_the_partners_users_can_be_granted(client, world):
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/partner-grants/{world.members['T-A'].id}",
        json={"expires_at": None},
        headers=world.headers("P-PA"),
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "partner_user_not_found"


def test_an_end_for_a_list_of_partner_users_is_refused(client, world, moved):
    body = {
        "customer_access": "permitted",
        "partner_users": [str(world.members["P-A"].id)],
        "customer_may_brand": False,
        "partner_access_expires_at": moved.later(minutes=30),
    }
    response = client.put(
        f"/api/v1/orgs/{world.S.id}/access", json=body, headers=world.headers("P-PA")
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "partner_access_expires_at"


def test_the_access_settings_show_each_grant_and_its_window(client, world, moved):
    grant(client, world, "P-X", moved.later(minutes=30))
    body = client.get(f"/api/v1/orgs/{world.S.id}/access", headers=world.headers("P-A")).json()
    windows = {g["user_id"]: g["expires_at"] for g in body["partner_user_grants"]}
    assert windows[str(world.members["P-A"].id)] is None
    assert windows[str(world.members["P-X"].id)] is not None


def test_access_check_says_when_access_ends_and_when_it_ended(client, world, moved):
    grant(client, world, "P-X", moved.later(minutes=30))

    def ask():
        return client.get(
            f"/api/v1/orgs/{world.S.id}/access-check",
            params={"user_id": str(world.members["P-X"].id), "permission": "org:view"},
            headers=world.headers("OP"),
        ).json()

    during = ask()
    assert during["allowed"] and during["path"]["until"] is not None
    assert "ends at" in during["explanation"]
    moved.advance(minutes=31)
    after = ask()
    assert not after["allowed"] and after["access_ended_at"] == during["path"]["until"]
    assert "ended at" in after["explanation"]
