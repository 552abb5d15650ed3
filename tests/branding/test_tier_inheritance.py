"""Branding inherits along the whole chain: a tier-2 partner's customer takes
each field from itself, else its tier-2 partner, else the distributor, else the
platform."""

from __future__ import annotations

from api.tiers_world import build_tiers
from branding.conftest import BrandApi
from tenantree.branding.platform import PLATFORM_BRAND


def test_each_field_comes_from_the_nearest_level_up_the_chain(
    client, session, identity, dns, sessions
) -> None:
    world = build_tiers(session, identity)
    session.commit()
    brand_api = BrandApi(client, world, dns, sessions)  # type: ignore[arg-type]
    brand_api.brand("D", product_name="Contoso Channel", primary_color="#004488")
    brand_api.brand("R", primary_color="#aa2200")

    body = brand_api.get("C")

    assert body["resolved"]["product_name"] == "Contoso Channel"  # the distributor's
    assert body["resolved"]["primary_color"] == "#aa2200"  # the tier-2 partner's, nearer
    assert body["resolved"]["accent_color"] == PLATFORM_BRAND.accent_color
    assert body["sources"]["product_name"] == "partner"
    assert body["sources"]["accent_color"] == "platform"
    # A sibling distributor's brand reaches nobody below D.
    brand_api.brand("E", support_email="help@e.example")
    assert brand_api.get("C")["resolved"]["support_email"] == PLATFORM_BRAND.support_email
