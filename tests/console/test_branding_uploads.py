"""The branding editor's logo and favicon uploads (console, over plain HTTP)."""

from __future__ import annotations

import re
import struct
import zlib

from console.test_console_http import cookie
from factories import build_world

CSRF = re.compile(r'data-csrf="([^"]+)"')


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _editor(client, world, actor):  # type: ignore[no-untyped-def]
    page = client.get(f"/orgs/{world.P.id}/branding", headers=cookie(world, actor))
    assert page.status_code == 200, page.text
    return page


def test_a_partner_admin_uploads_a_logo_into_the_draft(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    token = CSRF.search(_editor(client, world, "P-A").text).group(1)
    response = client.post(
        f"/orgs/{world.P.id}/branding/logo",
        content=png(),
        headers={**cookie(world, "P-A"), "Content-Type": "image/png", "X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    api = client.get(f"/api/v1/orgs/{world.P.id}/branding", headers=world.headers("P-A")).json()
    assert api["draft"]["logo_url"]
    assert 'alt="Current logo of the draft"' in _editor(client, world, "P-A").text


def test_an_upload_without_the_csrf_header_is_refused(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    response = client.post(
        f"/orgs/{world.P.id}/branding/logo",
        content=png(),
        headers={**cookie(world, "P-A"), "Content-Type": "image/png"},
    )
    assert response.status_code == 403
    api = client.get(f"/api/v1/orgs/{world.P.id}/branding", headers=world.headers("P-A")).json()
    assert api["draft"] is None or not api["draft"].get("logo_url")


def test_html_disguised_as_a_png_is_refused_with_a_message(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    token = CSRF.search(_editor(client, world, "P-A").text).group(1)
    response = client.post(
        f"/orgs/{world.P.id}/branding/logo",
        content=b"<html><script>alert(1)</script></html>",
        headers={**cookie(world, "P-A"), "Content-Type": "image/png", "X-CSRF-Token": token},
    )
    assert response.status_code == 422
    assert 'data-testid="error"' in response.text


def test_a_user_without_brand_rights_cannot_upload(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    # P-U's own, valid CSRF token (from the sign-out form every page has): the
    # refusal must come from the permission, not from CSRF.
    page = client.get(f"/orgs/{world.P.id}", headers=cookie(world, "P-U"))
    own = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert own, "the page has no form"
    response = client.post(
        f"/orgs/{world.P.id}/branding/logo",
        content=png(),
        headers={**cookie(world, "P-U"), "Content-Type": "image/png", "X-CSRF-Token": own.group(1)},
    )
    assert response.status_code == 403
    assert "did not come from this site" not in response.text


def test_clearing_the_logo_lets_it_inherit_again(client, session, identity):
    world = build_world(session, identity)
    session.commit()
    token = CSRF.search(_editor(client, world, "P-A").text).group(1)
    client.post(
        f"/orgs/{world.P.id}/branding/logo",
        content=png(),
        headers={**cookie(world, "P-A"), "Content-Type": "image/png", "X-CSRF-Token": token},
    )
    response = client.post(
        f"/orgs/{world.P.id}/branding/logo/clear",
        data={"csrf_token": token},
        headers=cookie(world, "P-A"),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    api = client.get(f"/api/v1/orgs/{world.P.id}/branding", headers=world.headers("P-A")).json()
    assert not api["draft"]["logo_url"]
