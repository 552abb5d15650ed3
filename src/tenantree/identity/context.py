"""What identity services need from the running app, passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher

from tenantree.config import Settings
from tenantree.identity.credentials import password_hasher
from tenantree.identity.throttle import Limits
from tenantree.outbox import Outbox


@dataclass(frozen=True)
class IdentityConfig:
    secret_key: str
    hasher: PasswordHasher
    token_ttl: timedelta
    invitation_ttl: timedelta
    public_base_url: str
    limits: Limits
    outbox: Outbox
    # SSO issuers may be private or loopback hosts (TENANTREE_SSO_ALLOW_PRIVATE_ISSUERS).
    sso_allow_private_issuers: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, outbox: Outbox) -> IdentityConfig:
        return cls(
            secret_key=settings.resolved_secret_key(),
            hasher=password_hasher(
                settings.argon2_time_cost,
                settings.argon2_memory_cost_kib,
                settings.argon2_parallelism,
            ),
            token_ttl=timedelta(seconds=settings.token_ttl_seconds),
            invitation_ttl=timedelta(seconds=settings.invitation_ttl_seconds),
            public_base_url=settings.public_base_url.rstrip("/"),
            limits=Limits.from_settings(settings),
            outbox=outbox,
            sso_allow_private_issuers=settings.sso_allow_private_issuers,
        )
