"""Input of the webhook endpoint API and console form, one schema for both."""

from __future__ import annotations

from pydantic import Field

from tenantree.web.schemas.common import StrictBody
from tenantree.webhooks.event_types import EventType

URL_FIELD = Field(
    min_length=1,
    max_length=2000,
    description="An https:// URL of a public host; checked again at every connection",
    examples=["https://hooks.example.com/tenantree"],
)
TYPES_FIELD = Field(
    min_length=1,
    description="The event types to send; `audit` is every audit event (the audit stream)",
    examples=[["org", "user", "license"]],
)


class WebhookEndpointBody(StrictBody):
    url: str = URL_FIELD
    event_types: list[EventType] = TYPES_FIELD
    description: str = Field(default="", max_length=200)
    include_sub_orgs: bool = Field(
        default=False,
        description="A partner's endpoint: also send its sub-orgs' events (never the "
        "other way round)",
    )


class WebhookEndpointPatch(StrictBody):
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    event_types: list[EventType] | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, max_length=200)
    include_sub_orgs: bool | None = None
    enabled: bool | None = Field(
        default=None, description="Enable again after automatic disabling, or pause"
    )
