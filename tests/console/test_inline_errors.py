"""Refused input is shown beside its field with what was typed, not on a page of
its own; someone who reaches one org lands on it."""

from __future__ import annotations

from console.test_console_http import cookie
from factories import build_world


def test_a_period_with_from_after_to_is_refused_beside_the_field(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(
        f"/orgs/{world.P.id}/licenses",
        params={"from": "2025-03-10", "to": "2025-03-01"},
        headers=cookie(world, "P-PA"),
    )
    assert page.status_code == 422
    assert 'id="to-error"' in page.text and "to must not be before from" in page.text
    assert 'value="2025-03-10"' in page.text and 'value="2025-03-01"' in page.text
    assert 'aria-invalid="true"' in page.text


def test_a_partner_without_charts_shows_no_empty_use_over_time(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get(f"/orgs/{world.P.id}/licenses", headers=cookie(world, "P-PA"))
    assert page.status_code == 200 and "Use over time" not in page.text


def test_someone_in_one_org_lands_on_it(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    landed = client.get("/orgs", headers=cookie(world, "U-A"), follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == f"/orgs/{world.U.id}"
    searched = client.get("/orgs", params={"q": "U"}, headers=cookie(world, "U-A"))
    assert searched.status_code == 200 and 'data-testid="org-list"' in searched.text


def test_someone_in_several_orgs_gets_the_list(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get("/orgs", headers=cookie(world, "P-PA"), follow_redirects=False)
    assert page.status_code == 200 and 'data-testid="org-list"' in page.text
