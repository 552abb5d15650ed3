"""The console's Invitations page: the signed-in person accepts or declines."""

from __future__ import annotations

from console.test_console_http import cookie, csrf_of
from factories import build_world


def _invite(client, world, org, email):  # type: ignore[no-untyped-def]
    admin = "U-A" if org == world.U else "S-A"
    response = client.post(
        f"/api/v1/orgs/{org.id}/invitations",
        json={"email": email, "role": "user"},
        headers={"Authorization": f"Bearer {world.tokens[admin]}"},
    )
    assert response.status_code == 201, response.text


def _answer(client, world, actor, answer):  # type: ignore[no-untyped-def]
    headers = cookie(world, actor)
    page = client.get("/invitations", headers=headers).text
    (invitation_id,) = set(part.split("/")[0] for part in page.split('action="/invitations/')[1:])
    return client.post(
        f"/invitations/{invitation_id}/{answer}",
        data={"csrf_token": csrf_of(client, "/invitations", headers)},
        headers=headers,
        follow_redirects=False,
    )


def test_the_person_sees_and_accepts_their_invitation(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    _invite(client, world, world.U, "p-pa@example.com")

    listed = client.get("/invitations", headers=cookie(world, "P-PA"))
    accepted = _answer(client, world, "P-PA", "accept")

    assert listed.status_code == 200
    assert "Unrelated U" in listed.text
    assert accepted.status_code == 303
    after = client.get(accepted.headers["location"], headers=cookie(world, "P-PA")).text
    assert "Invitation accepted" in after and 'data-testid="no-invitations"' in after
    orgs = client.get("/orgs", headers=cookie(world, "P-PA")).text
    assert "Unrelated U" in orgs


def test_the_person_declines_and_joins_nothing(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    _invite(client, world, world.U, "p-pa@example.com")

    declined = _answer(client, world, "P-PA", "decline")

    assert declined.status_code == 303
    assert "Unrelated U" not in client.get("/orgs", headers=cookie(world, "P-PA")).text


def test_someone_elses_invitation_is_not_found_to_them(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    _invite(client, world, world.U, "p-pa@example.com")
    page = client.get("/invitations", headers=cookie(world, "P-PA")).text
    (invitation_id,) = set(part.split("/")[0] for part in page.split('action="/invitations/')[1:])
    headers = cookie(world, "S-A")

    response = client.post(
        f"/invitations/{invitation_id}/accept",
        data={"csrf_token": csrf_of(client, "/invitations", headers)},
        headers=headers,
        follow_redirects=False,
    )

    assert response.status_code == 404
    assert "Unrelated U" not in client.get("/orgs", headers=cookie(world, "P-PA")).text


def test_the_page_needs_a_sign_in(client):
    response = client.get("/invitations", follow_redirects=False)
    assert response.status_code in (302, 303)


def _unconfirm(session, world, actor):  # type: ignore[no-untyped-def]
    account = world.accounts[actor]
    account.email_confirmed_at = None
    session.commit()


def test_an_unconfirmed_person_is_asked_to_confirm_and_sees_no_invitation(
    client, session, identity
):
    world = build_world(session, identity)
    _unconfirm(session, world, "P-PA")
    _invite(client, world, world.U, "p-pa@example.com")

    page = client.get("/invitations", headers=cookie(world, "P-PA")).text

    assert 'data-testid="email-unconfirmed"' in page
    assert "Unrelated U" not in page and 'action="/invitations/confirm-email"' in page


def test_the_emailed_link_confirms_and_the_invitation_shows(client, session, identity, outbox):
    world = build_world(session, identity)
    _unconfirm(session, world, "P-PA")
    _invite(client, world, world.U, "p-pa@example.com")
    headers = cookie(world, "P-PA")
    asked = client.post(
        "/invitations/confirm-email",
        data={"csrf_token": csrf_of(client, "/invitations", headers)},
        headers=headers,
        follow_redirects=False,
    )
    assert asked.status_code == 303
    (text,) = [t for t in outbox.to("p-pa@example.com") if "/confirm-email?token=" in t]
    token = text.split("/confirm-email?token=")[1].split()[0]

    landing = client.get(f"/confirm-email?token={token}")
    confirmed = client.post(
        "/confirm-email", data={"csrf_token": csrf_of(client, "/confirm-email"), "token": token}
    )

    assert landing.status_code == 200 and "Confirm my email address" in landing.text
    assert confirmed.status_code == 200 and "is confirmed" in confirmed.text
    assert "Unrelated U" in client.get("/invitations", headers=headers).text


def test_an_unknown_confirmation_link_says_so(client):
    response = client.post(
        "/confirm-email", data={"csrf_token": csrf_of(client, "/confirm-email"), "token": "x"}
    )

    assert response.status_code == 422
    assert "This confirmation link is not valid" in response.text
