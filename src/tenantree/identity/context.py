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
    signin_window: timedelta
    signin_max_failures_per_account: int
    signin_max_failures_per_address: int
    password_reset_limits: Limits
    outbox: Outbox
    # SSO issuers may be private or loopback hosts (TENANTREE_SSO_ALLOW_PRIVATE_ISSUERS).
    sso_allow_private_issuers: bool = False

    @property
    def signin_limits(self) -> Limits:
        return Limits(
            self.signin_window,
            per_email=self.signin_max_failures_per_account,
            per_address=self.signin_max_failures_per_address,
        )

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
            signin_window=timedelta(seconds=settings.signin_window_seconds),
            signin_max_failures_per_account=settings.signin_max_failures_per_account,
            signin_max_failures_per_address=settings.signin_max_failures_per_address,
            outbox=outbox,
            password_reset_limits=Limits(
                timedelta(seconds=settings.password_reset_window_seconds),
                per_email=settings.password_reset_max_requests_per_email,
                per_address=settings.password_reset_max_requests_per_address,
            ),
            sso_allow_private_issuers=settings.sso_allow_private_issuers,
        )
