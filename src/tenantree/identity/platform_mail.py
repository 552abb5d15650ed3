"""Mail in the platform's own brand: the channel no org controls."""

from __future__ import annotations

from tenantree.branding.emails import BrandedMail
from tenantree.branding.platform import platform_brand
from tenantree.identity.context import IdentityConfig


def platform_mail(config: IdentityConfig) -> BrandedMail:
    """The platform's sender and relay, links on its base URL."""
    return BrandedMail(
        outbox=config.outbox,
        brand=platform_brand(config.outbox.sender),
        relay_org_id=None,
        base_url=config.public_base_url.rstrip("/"),
    )
