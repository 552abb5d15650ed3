"""Destructive console actions first show a page saying what will happen; only
its form does the deed, and each page is refused to whom the action is."""

from __future__ import annotations

from console.test_console_http import cookie, csrf_of
from factories import build_world


def test_suspending_a_user_first_says_what_happens_and_changes_nothing(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    member = world.members["S-U"].id
    users = client.get(f"/orgs/{world.S.id}/users", headers=cookie(world, "S-A")).text
    assert f'href="/orgs/{world.S.id}/users/{member}/suspend"' in users
    page = client.get(f"/orgs/{world.S.id}/users/{member}/suspend", headers=cookie(world, "S-A"))
    assert page.status_code == 200
    assert "s-u@example.com can no longer sign in to Sub-org S" in page.text
    assert f'action="/orgs/{world.S.id}/users/{member}/status"' in page.text
    assert 'name="status" value="suspended"' in page.text
    listed = client.get(f"/api/v1/orgs/{world.S.id}/users", headers=world.headers("S-A")).json()
    assert {u["status"] for u in listed["items"]} == {"active"}


def test_a_user_who_may_not_suspend_is_not_shown_the_step(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    member = world.members["S-A"].id
    page = client.get(f"/orgs/{world.S.id}/users/{member}/suspend", headers=cookie(world, "S-U"))
    assert page.status_code == 403


def test_removing_a_user_is_confirmed_then_done(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    member = world.members["S-RO"].id
    path = f"/orgs/{world.S.id}/users/{member}/remove"
    page = client.get(path, headers=cookie(world, "S-A"))
    assert "removed from Sub-org S&#39;s directory" in page.text
    token = csrf_of(client, path, cookie(world, "S-A"))
    done = client.post(
        path, data={"csrf_token": token}, headers=cookie(world, "S-A"), follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?done=removed")
    listed = client.get(f"/api/v1/orgs/{world.S.id}/users", headers=world.headers("S-A")).json()
    assert str(member) not in {u["id"] for u in listed["items"]}


def test_the_primary_admin_cannot_be_removed_from_the_confirmed_form(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    path = f"/orgs/{world.S.id}/users/{world.members['S-PA'].id}/remove"
    token = csrf_of(client, path, cookie(world, "S-A"))
    refused = client.post(path, data={"csrf_token": token}, headers=cookie(world, "S-A"))
    assert refused.status_code == 409


def test_deactivating_an_org_without_customers_is_confirmed_first(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(f"/operator/orgs/{world.U.id}/deactivate", headers=cookie(world, "OP"))
    assert page.status_code == 200
    assert "Everyone but operators is locked out of Unrelated U" in page.text
    assert 'name="status" value="deactivated"' in page.text
    org = client.get(f"/api/v1/orgs/{world.U.id}", headers=world.headers("OP")).json()
    assert org["status"] == "active"


def test_deactivating_a_partner_with_customers_asks_what_they_do(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(f"/operator/orgs/{world.P.id}/deactivate", headers=cookie(world, "OP"))
    assert 'name="customers" value="suspend"' in page.text


def test_only_operators_reach_the_deactivation_step(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(f"/operator/orgs/{world.P.id}/deactivate", headers=cookie(world, "P-PA"))
    assert page.status_code == 403


def test_revoking_an_invitation_says_the_link_stops_working(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    invited = client.post(
        f"/api/v1/orgs/{world.S.id}/invitations",
        json={"email": "new@example.com", "role": "user"},
        headers=world.headers("S-A"),
    ).json()
    page = client.get(
        f"/orgs/{world.S.id}/invitations/{invited['id']}/revoke", headers=cookie(world, "S-A")
    )
    assert "The link sent to new@example.com stops working at once." in page.text


def test_revoking_an_api_token_says_it_stops_at_once_and_changes_nothing(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    created = client.post(
        f"/api/v1/orgs/{world.S.id}/api-tokens",
        json={"name": "nightly", "role": "read_only"},
        headers=world.headers("S-A"),
    )
    assert created.status_code == 201, created.text
    token_id = created.json()["id"]
    tokens = f"/orgs/{world.S.id}/api-tokens"
    assert (
        f'href="{tokens}/{token_id}/revoke"'
        in client.get(tokens, headers=cookie(world, "S-A")).text
    )
    page = client.get(f"{tokens}/{token_id}/revoke", headers=cookie(world, "S-A"))
    assert page.status_code == 200
    assert "The token nightly stops working at once" in page.text
    assert f'action="{tokens}/{token_id}/revoke"' in page.text
    secret = created.json()["token"]
    still = client.get(f"/api/v1/orgs/{world.S.id}", headers={"Authorization": f"Bearer {secret}"})
    assert still.status_code == 200


def test_only_who_may_revoke_reaches_the_token_step(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    created = client.post(
        f"/api/v1/orgs/{world.S.id}/scim-tokens", json={"name": "idp"}, headers=world.headers("S-A")
    )
    assert created.status_code == 201, created.text
    path = f"/orgs/{world.S.id}/scim-tokens/{created.json()['id']}/revoke"
    assert client.get(path, headers=cookie(world, "S-A")).status_code == 200
    assert client.get(path, headers=cookie(world, "S-U")).status_code == 403
    assert client.get(path, headers=cookie(world, "U-A")).status_code == 404
