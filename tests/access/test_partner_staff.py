"""The customer's read-only view of the partner staff who reach its org."""

import pytest

from access.windows_support import grant, moved_clock
from factories import build_world
from tenantree.identity.roles import MemberStatus


@pytest.fixture
def world(session, identity):
    world = build_world(session, identity)  # S lists P-A, P-U, P-RO; P-X is left off
    session.commit()
    return world


def _staff(client, world, actor="S-A"):
    response = client.get(f"/api/v1/orgs/{world.S.id}/partner-access", headers=world.headers(actor))
    assert response.status_code == 200, response.text
    return response


def _by_email(response):
    return {item["email"]: item for item in response.json()["items"]}


def test_the_customer_sees_who_of_the_partner_reaches_it_and_as_what(client, world):
    staff = _by_email(_staff(client, world))
    assert set(staff) == {
        "p-pa@example.com",
        "p-a@example.com",
        "p-u@example.com",
        "p-ro@example.com",
    }
    assert staff["p-u@example.com"]["role"] == "user"
    assert staff["p-pa@example.com"]["until"] is None


def test_a_window_shows_until_when_and_disappears_when_it_ends(client, world, monkeypatch):
    moved = moved_clock(monkeypatch)
    grant(client, world, "P-X", moved.later(minutes=30))
    assert _by_email(_staff(client, world))["p-x@example.com"]["until"] is not None
    moved.advance(minutes=31)
    assert "p-x@example.com" not in _by_email(_staff(client, world))


def test_suspended_partner_staff_are_not_listed(client, session, world):
    world.members["P-U"].status = MemberStatus.SUSPENDED
    session.commit()
    assert "p-u@example.com" not in _by_email(_staff(client, world))


def test_nothing_of_the_partner_but_its_staffs_names_and_emails_is_shown(client, world):
    response = _staff(client, world)
    assert all(
        set(item) == {"display_name", "email", "role", "until"} for item in response.json()["items"]
    )
    text = response.text
    partner = world.P
    for secret in (str(partner.id), partner.name, partner.salesforce_id, "primary"):
        assert secret not in text
    assert not any(str(m.id) in text for m in world.members.values())


def test_the_list_pages_through_the_partner_staff(client, world):
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = client.get(
            f"/api/v1/orgs/{world.S.id}/partner-access",
            params=params,
            headers=world.headers("S-A"),
        )
        body = response.json()
        assert len(body["items"]) <= 2
        seen += [item["email"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(_by_email(_staff(client, world)))


def test_a_partner_itself_has_no_partner_staff_list(client, world):
    response = client.get(
        f"/api/v1/orgs/{world.P.id}/partner-access", headers=world.headers("P-PA")
    )
    assert response.status_code == 404
