"""What branding needs from the running app, passed in explicitly."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from tenantree.branding.domains import DnsTxtVerifier, DomainVerifier
from tenantree.branding.fields import BrandValues
from tenantree.branding.platform import platform_brand
from tenantree.config import Settings


@dataclass(frozen=True)
class BrandingConfig:
    platform: BrandValues
    public_base_url: str
    secret_key: str
    # The platform's own hostnames: no org may claim them (or names under them).
    platform_hosts: frozenset[str]
    verifier: DomainVerifier
    # An org's SMTP relay must be a public host unless this is set (it would
    # otherwise let an org admin make the server connect inside its network).
    allow_private_relay_hosts: bool = False

    @classmethod
    def from_settings(
        cls, settings: Settings, *, verifier: DomainVerifier | None = None
    ) -> BrandingConfig:
        return cls(
            platform=platform_brand(settings.email_from),
            public_base_url=settings.public_base_url.rstrip("/"),
            secret_key=settings.resolved_secret_key(),
            platform_hosts=_hosts_of(settings.public_base_url),
            verifier=verifier or DnsTxtVerifier(),
            allow_private_relay_hosts=settings.smtp_relay_allow_private_hosts,
        )


def _hosts_of(url: str) -> frozenset[str]:
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return frozenset()
    try:
        ipaddress.ip_address(host)
        return frozenset()
    except ValueError:
        return frozenset({host})
