"""The operator console asks what a partner's customers do before deactivating it."""

from __future__ import annotations

from console.test_console_http import cookie, csrf_of
from factories import build_world


def _post_status(client, world, **data):  # type: ignore[no-untyped-def]
    page = f"/operator/orgs/{world.P.id}"
    token = csrf_of(client, page, cookie(world, "OP"))
    return client.post(
        f"{page}/status",
        data={"csrf_token": token, "status": "deactivated", **data},
        headers=cookie(world, "OP"),
        follow_redirects=False,
    )


def _status(client, world, org) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/orgs/{org.id}", headers=world.headers("OP")).json()["status"]


def test_deactivating_a_partner_first_shows_the_choice_and_changes_nothing(
    client, session, identity
):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = _post_status(client, world)
    assert page.status_code == 200
    assert 'name="customers" value="suspend"' in page.text
    assert 'name="customers" value="keep_running"' in page.text
    assert _status(client, world, world.P) == "active"


def test_the_confirmed_choice_is_applied(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    done = _post_status(client, world, customers="suspend")
    assert done.status_code == 303
    assert _status(client, world, world.P) == "deactivated"
    assert _status(client, world, world.S) == "deactivated"
