"""The operator console says what a move will do, then moves on confirmation."""

from __future__ import annotations

from console.test_console_http import cookie, csrf_of
from factories import LICENSE_BODY, build_world, make_partner


def _world(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    q = make_partner(session, name="Partner Q")
    session.commit()
    for org, quantity in ((world.P, 10), (q, 1)):
        response = client.post(
            f"/api/v1/orgs/{org.id}/licenses",
            json={**LICENSE_BODY, "quantity": quantity},
            headers=world.headers("OP"),
        )
        assert response.status_code == 201, response.text
    used = client.post(
        f"/api/v1/orgs/{world.S.id}/usage",
        json={"sku": "mon", "set": 3},
        headers=world.headers("S-A"),
    )
    assert used.status_code == 200, used.text
    return world, q


def _parent(client, world) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/orgs/{world.S.id}", headers=world.headers("OP"))
    return response.json()["parent_id"]  # type: ignore[no-any-return]


def test_the_confirmation_says_what_moves_and_changes_nothing(client, session, identity):  # type: ignore[no-untyped-def]
    world, q = _world(client, session, identity)
    page = client.get(
        f"/operator/orgs/{world.S.id}/move", params={"to": str(q.id)}, headers=cookie(world, "OP")
    )
    assert page.status_code == 200, page.text
    text = page.text
    assert "moves from Partner P to Partner Q" in text
    assert "lose access" in text and "p-a@example.com" in text
    assert '<td>mon</td><td class="num">3</td><td class="num">3</td><td class="num">2</td>' in text
    assert 'name="allow_overage"' in text
    assert _parent(client, world) == str(world.P.id)


def test_the_confirmed_move_is_done(client, session, identity):  # type: ignore[no-untyped-def]
    world, q = _world(client, session, identity)
    page = f"/operator/orgs/{world.S.id}"
    token = csrf_of(client, page, cookie(world, "OP"))
    moved = client.post(
        f"{page}/move",
        data={"csrf_token": token, "to": str(q.id), "allow_overage": "yes"},
        headers=cookie(world, "OP"),
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    assert _parent(client, world) == str(q.id)


def test_only_an_operator_sees_the_move_page(client, session, identity):  # type: ignore[no-untyped-def]
    world, q = _world(client, session, identity)
    page = client.get(
        f"/operator/orgs/{world.S.id}/move",
        params={"to": str(q.id)},
        headers=cookie(world, "P-PA"),
    )
    assert page.status_code == 403
