"""What the webhook service and its delivery need from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from tenantree.config import Settings

# The purpose endpoint secrets are sealed under (identity.sealed).
SECRET_PURPOSE = "webhook-secret"  # noqa: S105 - a purpose label, not a secret


@dataclass(frozen=True)
class WebhookConfig:
    secret_key: str = field(repr=False)
    # Endpoints may point at private hosts and use plain http (tests, intranets).
    allow_private_hosts: bool = False
    timeout_seconds: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookConfig:
        return cls(
            secret_key=settings.resolved_secret_key(),
            allow_private_hosts=settings.webhooks_allow_private_hosts,
            timeout_seconds=settings.webhooks_timeout_seconds,
        )
