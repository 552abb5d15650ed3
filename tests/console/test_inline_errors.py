"""Refused input is shown beside its field with what was typed, not on a page of
its own; someone who reaches one org lands on it."""

from __future__ import annotations

from console.test_console_http import cookie, sign_in
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
    signed_in = sign_in(client, world.accounts["U-A"].email)
    assert signed_in.headers["location"] == "/orgs?landing=1"
    landed = client.get("/orgs?landing=1", headers=cookie(world, "U-A"), follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == f"/orgs/{world.U.id}"
    switching = client.get("/orgs", headers=cookie(world, "U-A"))
    assert switching.status_code == 200 and 'data-testid="org-list"' in switching.text


def test_someone_in_several_orgs_gets_the_list(client, session, identity) -> None:  # type: ignore[no-untyped-def]
    world = build_world(session, identity)
    session.commit()
    page = client.get("/orgs?landing=1", headers=cookie(world, "P-PA"), follow_redirects=False)
    assert page.status_code == 200 and 'data-testid="org-list"' in page.text


def test_creating_an_org_with_a_bad_checksum_keeps_the_input_and_names_the_field(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    from console.test_console_http import csrf_of

    world = build_world(session, identity)
    session.commit()
    token = csrf_of(client, "/operator/orgs", cookie(world, "OP"))
    page = client.post(
        "/operator/orgs",
        data={
            "csrf_token": token,
            "name": "Typed Name Ltd",
            "salesforce_id": "001000000000001AAZ",
            "edition": "pro",
            "primary_admin_email": "boss@typed.example",
        },
        headers=cookie(world, "OP"),
    )
    assert page.status_code == 422
    assert 'id="org-sfid-error"' in page.text and "checksum" in page.text
    assert 'value="Typed Name Ltd"' in page.text and 'value="001000000000001AAZ"' in page.text
    assert 'value="boss@typed.example"' in page.text
    assert '<option value="pro" selected>' in page.text
    listed = client.get("/api/v1/orgs", params={"q": "Typed"}, headers=world.headers("OP"))
    assert listed.json()["items"] == []


def test_a_brand_colour_that_is_not_hex_is_refused_beside_the_field_with_the_input_kept(
    client, session, identity
) -> None:  # type: ignore[no-untyped-def]
    from console.test_console_http import csrf_of

    world = build_world(session, identity)
    session.commit()
    headers = cookie(world, "P-PA")
    token = csrf_of(client, f"/orgs/{world.P.id}/branding", headers)
    page = client.post(
        f"/orgs/{world.P.id}/branding",
        data={"csrf_token": token, "product_name": "Kept Cloud", "primary_color": "red"},
        headers=headers,
    )
    assert page.status_code == 422
    assert 'id="b-primary_color-error"' in page.text and "primary_color" in page.text
    assert 'value="red"' in page.text and 'value="Kept Cloud"' in page.text
    assert 'aria-invalid="true"' in page.text
    # Nothing was saved: the draft is as it was.
    again = client.get(f"/orgs/{world.P.id}/branding", headers=headers)
    assert 'value="Kept Cloud"' not in again.text
