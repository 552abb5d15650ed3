"""The console's access page: partner staff for the customer, windows for the partner."""

from __future__ import annotations

from datetime import timedelta

from console.test_console_http import cookie, csrf_of
from factories import build_world
from tenantree import clock


def _page(world):  # type: ignore[no-untyped-def]
    return f"/orgs/{world.S.id}/access"


def test_the_customer_sees_the_partner_staff_but_no_window_form(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(_page(world), headers=cookie(world, "S-A"))
    assert page.status_code == 200
    assert 'data-testid="partner-staff"' in page.text and "p-u@example.com" in page.text
    assert "p-x@example.com" not in page.text
    assert 'data-testid="grant-form"' not in page.text


def test_the_partner_primary_admin_grants_and_ends_a_window(client, session, identity):  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    until = (clock.utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    token = csrf_of(client, _page(world), cookie(world, "P-PA"))
    granted = client.post(
        f"{_page(world)}/grants",
        data={"csrf_token": token, "user_id": str(world.members["P-X"].id), "expires_at": until},
        headers=cookie(world, "P-PA"),
        follow_redirects=False,
    )
    assert granted.status_code == 303, granted.text
    customer_view = client.get(_page(world), headers=cookie(world, "S-A")).text
    assert "p-x@example.com" in customer_view and until.replace("T", " ") in customer_view
    ended = client.post(
        f"{_page(world)}/grants/{world.members['P-X'].id}/end",
        data={"csrf_token": token},
        headers=cookie(world, "P-PA"),
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert "p-x@example.com" not in client.get(_page(world), headers=cookie(world, "S-A")).text
