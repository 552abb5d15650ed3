"""Logo and favicon uploads: type by content, size limits, SVG sanitised, served safely."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from branding.conftest import SVG_OK, error_of, png
from tenantree.branding.models import BrandAsset

HOSTILE_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 100" onload="alert('onload')">
  <script type="text/javascript">alert('script')</script>
  <a xlink:href="javascript:alert('href')"><rect width="10" height="10"/></a>
  <rect width="50" height="50" fill="#004488" onclick="alert('click')"
        style="fill: url(https://tracker.example/x.png)"/>
  <foreignObject width="10" height="10">
    <iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert('fo')"></iframe>
  </foreignObject>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <use xlink:href="https://evil.example/sprite.svg#icon"/>
  <set attributeName="href" to="javascript:alert('set')"/>
  <circle cx="50" cy="50" r="20" fill="#0f766e"/>
</svg>
"""


def _stored(session, asset_id: str) -> BrandAsset:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalars(select(BrandAsset).where(BrandAsset.id == uuid.UUID(asset_id))).one()


def test_a_png_logo_is_stored_and_served_publicly_with_safe_headers(brand_api, client):
    image = png(16, 16)
    response = brand_api.upload("S", "logo", image, "image/png", filename="logo.png")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "logo"
    assert body["content_type"] == "image/png"
    assert body["size"] == len(image)
    assert body["sanitized_removed"] == []
    assert body["url"] == f"http://tenantree.test/api/v1/public/brand-assets/{body['id']}"
    assert brand_api.get("S")["draft"]["logo_url"] == body["url"]
    assert brand_api.get("S")["published"] is None  # an upload goes into the draft

    brand_api.publish("S")
    served = client.get(f"/api/v1/public/brand-assets/{body['id']}")  # no token
    assert served.status_code == 200
    assert served.content == image
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in served.headers["content-security-policy"]
    assert served.headers["etag"] == f'"{body["sha256"]}"'
    assert "immutable" in served.headers["cache-control"]

    again = client.get(
        f"/api/v1/public/brand-assets/{body['id']}",
        headers={"If-None-Match": served.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""


def test_an_unknown_asset_is_a_404(client, db):
    response = client.get(f"/api/v1/public/brand-assets/{uuid.uuid4()}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "asset_not_found"


def test_a_hostile_svg_is_neutralised_before_it_is_stored(brand_api, client, session):
    response = brand_api.upload("S", "logo", HOSTILE_SVG, "image/svg+xml", filename="logo.svg")

    assert response.status_code == 200, response.text
    body = response.json()
    removed = " ".join(body["sanitized_removed"])
    for what in ("<script>", "onload", "onclick", "<a>", "<foreignObject>", "<set>", "<image>"):
        assert what in removed
    stored = _stored(session, body["id"]).data
    lowered = stored.lower()
    for forbidden in (b"script", b"onload", b"onclick", b"javascript", b"iframe", b"http"):
        assert forbidden not in lowered.replace(b"http://www.w3.org", b""), forbidden
    assert b'<circle cx="50" cy="50" r="20" fill="#0f766e"' in stored  # the drawing stays

    served = client.get(
        f"/api/v1/public/brand-assets/{body['id']}", headers=brand_api.world.headers("S-A")
    )
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.content == stored
    csp = served.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp
    assert served.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "svg",
    [
        # XXE: an external entity reading a file
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>',
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        # parameter entities fetching a remote DTD
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://evil.example/x.dtd">'
        b'%remote;]><svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
    ids=["external-entity", "billion-laughs", "parameter-entity"],
)
def test_svg_with_entities_is_refused(brand_api, svg, session):
    response = brand_api.upload("S", "logo", svg, "image/svg+xml")

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_image"
    assert session.scalar(select(BrandAsset.id)) is None


def test_a_plain_svg_doctype_is_accepted_and_dropped(brand_api, session):
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + SVG_OK
    )
    response = brand_api.upload("S", "favicon", svg, "image/svg+xml")
    assert response.status_code == 200, response.text
    assert b"DOCTYPE" not in _stored(session, response.json()["id"]).data


@pytest.mark.parametrize(
    ("data", "content_type", "filename", "status", "field"),
    [
        # a PNG passed off as SVG, by declared type or by file name
        (png(), "image/svg+xml", None, 422, "content-type"),
        (png(), "image/png", "logo.svg", 422, "filename"),
        # an SVG passed off as PNG
        (SVG_OK, "image/png", None, 422, "content-type"),
        (SVG_OK, "image/svg+xml", "logo.png", 422, "filename"),
        # HTML declared as an image, or as itself
        (b"<html><body><script>alert(1)</script></body></html>", "image/png", None, 422, "body"),
        (
            b"<html><body><svg xmlns='http://www.w3.org/2000/svg'/></body></html>",
            "image/svg+xml",
            None,
            422,
            "body",
        ),
        (b"<html></html>", "text/html", None, 415, "content-type"),
        (b"GIF89a\x01\x00\x01\x00", "image/gif", None, 415, "content-type"),
        (png(), None, None, 415, "content-type"),
        # broken PNGs
        (png()[:30], "image/png", None, 422, "body"),
        (png()[:-1] + b"\x00", "image/png", None, 422, "body"),
        (png() + b"<script>alert(1)</script>", "image/png", None, 422, "body"),
        (png(5000, 1), "image/png", None, 422, "body"),
        (b"", "image/png", None, 422, "body"),
    ],
    ids=[
        "png-declared-svg",
        "png-named-svg",
        "svg-declared-png",
        "svg-named-png",
        "html-declared-png",
        "html-with-svg-inside",
        "html",
        "gif",
        "no-content-type",
        "truncated-png",
        "bad-crc",
        "png-with-trailing-html",
        "png-too-wide",
        "empty",
    ],
)
def test_images_are_judged_by_their_content(
    brand_api, session, data, content_type, filename, status, field
):
    response = brand_api.upload("S", "logo", data, content_type, filename=filename)

    assert response.status_code == status, response.text
    assert error_of(response)["field"] == field
    assert session.scalar(select(BrandAsset.id)) is None
    assert brand_api.get("S")["draft"]["logo_url"] is None


def test_size_limits_per_kind(brand_api):
    big = png(padding=200 * 1024)  # ~200 KiB: a fine logo, too big for a favicon
    assert brand_api.upload("S", "logo", big, "image/png").status_code == 200

    response = brand_api.upload("S", "favicon", big, "image/png")
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "image_too_large"
    assert error["limit_bytes"] == 128 * 1024
    assert "128 KiB" in error["message"]

    huge = png(padding=600 * 1024)
    response = brand_api.upload("S", "logo", huge, "image/png")
    assert response.status_code == 413
    assert "512 KiB" in error_of(response)["message"]


def test_without_a_token_an_upload_is_a_401_whatever_the_body(brand_api, world):
    response = brand_api.client.put(
        brand_api.path("S", "/logo"),
        content=png(padding=600 * 1024),
        headers={"Content-Type": "image/png"},
    )
    assert response.status_code == 401


def test_a_draft_only_image_is_served_only_to_who_may_read_the_orgs_brand(brand_api, client):
    body = brand_api.upload("S", "logo", png(8, 8), "image/png").json()
    path = f"/api/v1/public/brand-assets/{body['id']}"
    headers = brand_api.world.headers

    assert client.get(path).status_code == 404  # anonymous: as if it did not exist
    assert client.get(path, headers=headers("U-A")).status_code == 404  # another tenant
    assert client.get(path, headers=headers("T-A")).status_code == 404  # a sibling
    assert client.get(path, headers=headers("S-U")).status_code == 404  # no brand read
    draft = client.get(path, headers=headers("S-A"))
    assert draft.status_code == 200
    assert "immutable" not in draft.headers["cache-control"]

    brand_api.publish("S")
    published = client.get(path)
    assert published.status_code == 200
    assert "immutable" in published.headers["cache-control"]
