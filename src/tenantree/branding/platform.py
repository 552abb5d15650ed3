"""The platform's own brand: what every org shows until it (or its partner) sets a field."""

from __future__ import annotations

from dataclasses import replace
from email.utils import parseaddr

from tenantree.branding.fields import BrandValues

PLATFORM_BRAND = BrandValues(
    product_name="tenantree",
    # Contrast with white: 6.70:1 and 5.47:1 (the rules in branding.colors).
    primary_color="#1d4ed8",
    accent_color="#0f766e",
    email_from_name="tenantree",
    email_from_address="no-reply@tenantree.invalid",
)


def platform_brand(email_from: str) -> BrandValues:
    """The platform brand, sending as the configured TENANTREE_EMAIL_FROM."""
    name, address = parseaddr(email_from)
    return replace(
        PLATFORM_BRAND,
        email_from_name=name or PLATFORM_BRAND.email_from_name,
        email_from_address=address or PLATFORM_BRAND.email_from_address,
    )
