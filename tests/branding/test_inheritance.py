"""Inheritance: org, then its partner's published brand, then the platform; draft vs published."""

from __future__ import annotations

from sqlalchemy import select

from branding.conftest import SVG_OK, error_of, png
from tenantree.audit.models import AuditEvent
from tenantree.branding.platform import PLATFORM_BRAND

FIELDS = [
    "product_name",
    "primary_color",
    "accent_color",
    "support_email",
    "support_url",
    "email_from_name",
    "email_from_address",
    "sign_in_message",
    "custom_domain",
    "logo_url",
    "favicon_url",
]


def test_an_org_without_a_brand_shows_the_platform_brand(brand_api):
    body = brand_api.get("S")

    assert body["published"] is None
    assert set(body["draft"]) == {*FIELDS, "updated_at"}
    assert all(body["draft"][f] is None for f in FIELDS)
    assert body["resolved"]["product_name"] == PLATFORM_BRAND.product_name
    assert body["resolved"]["primary_color"] == PLATFORM_BRAND.primary_color
    assert body["sources"] == {f: "platform" for f in FIELDS}
    assert body["unpublished_changes"] is False


def test_a_sub_org_shows_its_partners_published_brand(brand_api):
    brand_api.brand("P", product_name="Northwind Cloud", primary_color="#004488")

    body = brand_api.get("S")

    assert body["resolved"]["product_name"] == "Northwind Cloud"
    assert body["resolved"]["primary_color"] == "#004488"
    assert body["resolved"]["accent_color"] == PLATFORM_BRAND.accent_color
    assert body["sources"]["product_name"] == "partner"
    assert body["sources"]["primary_color"] == "partner"
    assert body["sources"]["accent_color"] == "platform"


def test_each_field_comes_from_the_nearest_level_that_sets_it(brand_api):
    brand_api.brand("P", product_name="Northwind Cloud", primary_color="#004488")
    brand_api.brand("S", product_name="Contoso Portal", support_email="help@contoso.example")

    body = brand_api.get("S")

    assert body["resolved"]["product_name"] == "Contoso Portal"
    assert body["resolved"]["support_email"] == "help@contoso.example"
    assert body["resolved"]["primary_color"] == "#004488"
    assert body["sources"] == {
        **{f: "platform" for f in FIELDS},
        "product_name": "org",
        "support_email": "org",
        "primary_color": "partner",
    }
    # The partner itself has no partner level; a standard org neither.
    assert brand_api.get("P")["sources"]["product_name"] == "org"
    assert brand_api.get("U")["sources"]["product_name"] == "platform"


def test_siblings_do_not_see_each_others_brand(brand_api):
    brand_api.brand("P", product_name="Northwind Cloud")
    brand_api.brand("S", product_name="Contoso Portal")

    assert brand_api.get("T")["resolved"]["product_name"] == "Northwind Cloud"
    assert brand_api.get("U")["resolved"]["product_name"] == PLATFORM_BRAND.product_name


def test_clearing_a_field_falls_back_to_the_partner_then_the_platform(brand_api):
    brand_api.brand("P", product_name="Northwind Cloud")
    brand_api.brand("S", product_name="Contoso Portal", accent_color="#0f766e")

    brand_api.brand("S", accent_color="#0f766e")  # product_name left out: cleared
    body = brand_api.get("S")
    assert body["resolved"]["product_name"] == "Northwind Cloud"
    assert body["sources"]["product_name"] == "partner"

    brand_api.brand("P")  # the partner clears everything
    body = brand_api.get("S")
    assert body["resolved"]["product_name"] == PLATFORM_BRAND.product_name
    assert body["sources"]["product_name"] == "platform"
    assert body["sources"]["accent_color"] == "org"


def test_a_draft_is_not_seen_until_published(brand_api):
    brand_api.brand("S", product_name="Old Name")

    body = brand_api.put_ok("S", product_name="New Name")

    assert body["draft"]["product_name"] == "New Name"
    assert body["published"]["product_name"] == "Old Name"
    assert body["resolved"]["product_name"] == "Old Name"
    assert body["preview"]["product_name"] == "New Name"
    assert body["preview_sources"]["product_name"] == "org"
    assert body["unpublished_changes"] is True

    body = brand_api.publish("S")
    assert body["published"]["product_name"] == "New Name"
    assert body["resolved"]["product_name"] == "New Name"
    assert body["unpublished_changes"] is False


def test_a_sub_org_inherits_the_partners_published_brand_not_its_draft(brand_api):
    brand_api.brand("P", product_name="Published Name")
    brand_api.put_ok("P", product_name="Draft Name")

    body = brand_api.get("S")
    assert body["resolved"]["product_name"] == "Published Name"
    assert body["preview"]["product_name"] == "Published Name"


def test_publishing_copies_every_field_of_the_draft(brand_api):
    fields = {
        "product_name": "Contoso Portal",
        "primary_color": "#1D4ED8",
        "accent_color": "#0f766e",
        "support_email": "Help@Contoso.example",
        "support_url": "https://help.contoso.example/portal",
        "email_from_name": "Contoso IT",
        "email_from_address": "it@contoso.example",
        "sign_in_message": "Welcome back.\nUse your Contoso account.",
    }
    assert brand_api.upload("S", "logo", png(), "image/png").status_code == 200
    assert brand_api.upload("S", "favicon", SVG_OK, "image/svg+xml").status_code == 200
    brand_api.put_ok("S", **fields)

    body = brand_api.publish("S")

    published = {k: v for k, v in body["published"].items() if k != "updated_at"}
    draft = {k: v for k, v in body["draft"].items() if k != "updated_at"}
    assert published == draft
    assert published["primary_color"] == "#1d4ed8"  # normalized
    assert published["support_email"] == "Help@contoso.example"  # domain lower-cased
    assert published["logo_url"] and published["favicon_url"]
    assert body["sources"] == {**{f: "org" for f in FIELDS}, "custom_domain": "platform"}


def test_uploaded_images_inherit_like_any_field(brand_api):
    logo = brand_api.upload("P", "logo", png(), "image/png").json()
    brand_api.publish("P")

    body = brand_api.get("S")
    assert body["resolved"]["logo_url"] == logo["url"]
    assert body["sources"]["logo_url"] == "partner"


def test_the_draft_keeps_its_images_unless_told_to_clear_them(brand_api):
    logo = brand_api.upload("S", "logo", png(), "image/png").json()

    kept = brand_api.put_ok("S", product_name="A")
    assert kept["draft"]["logo_url"] == logo["url"]
    same = brand_api.put_ok("S", product_name="B", logo_url=logo["url"])
    assert same["draft"]["logo_url"] == logo["url"]

    other = brand_api.put("S", product_name="C", logo_url="https://evil.example/logo.png")
    assert other.status_code == 422
    assert error_of(other)["field"] == "logo_url"

    cleared = brand_api.put_ok("S", product_name="D", logo_url=None)
    assert cleared["draft"]["logo_url"] is None

    logo = brand_api.upload("S", "logo", png(), "image/png").json()
    response = brand_api.client.delete(
        brand_api.path("S", "/logo"), headers=brand_api.world.headers("OP")
    )
    assert response.status_code == 200
    assert response.json()["draft"]["logo_url"] is None


def test_every_change_is_audited(brand_api, session):
    brand_api.put_ok("S", "P-A", product_name="Contoso Portal")
    brand_api.publish("S", "P-A")
    brand_api.upload("S", "logo", png(), "image/png", actor="P-A")
    brand_api.put_ok("S", "P-A", product_name="Contoso Portal")  # no change: no event

    events = session.scalars(
        select(AuditEvent).where(AuditEvent.org_id == brand_api.world.S.id).order_by(AuditEvent.at)
    ).all()
    actions = [e.action for e in events]
    assert actions == ["brand.draft_saved", "brand.published", "brand.asset_uploaded"]
    saved, published, uploaded = events
    assert saved.details["changes"] == {"product_name": {"from": None, "to": "Contoso Portal"}}
    assert published.details["changes"]["product_name"]["to"] == "Contoso Portal"
    assert uploaded.details["kind"] == "logo"
    assert uploaded.details["content_type"] == "image/png"
    for event in events:
        assert event.actor_id == brand_api.world.accounts["P-A"].id
        # P-A acts in S through the partner.
        assert event.actor_org_id == brand_api.world.P.id
