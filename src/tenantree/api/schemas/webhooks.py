from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tenantree.web.schemas.webhooks import WebhookEndpointBody, WebhookEndpointPatch

__all__ = [
    "WebhookDeliveryList",
    "WebhookDeliveryOut",
    "WebhookEndpointBody",
    "WebhookEndpointList",
    "WebhookEndpointOut",
    "WebhookEndpointPatch",
    "WebhookEndpointWithSecret",
]


class WebhookEndpointOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    include_sub_orgs: bool
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    consecutive_failures: int = Field(description="Failed attempts since the last success")
    last_success_at: datetime | None
    created_at: datetime


class WebhookEndpointWithSecret(WebhookEndpointOut):
    secret: str = Field(
        description="The signing secret (Standard Webhooks, `whsec_` + base64): shown "
        "only in this answer; rotate it to get a new one"
    )


class WebhookEndpointList(BaseModel):
    items: list[WebhookEndpointOut]


class WebhookDeliveryOut(BaseModel):
    id: uuid.UUID = Field(description="Sent as `webhook-id`, the same on every retry")
    event_type: str
    event_id: uuid.UUID | None = Field(description="The audit event (none for a test event)")
    status: Literal["queued", "retrying", "sent", "failed"]
    attempts: int
    last_response_code: int | None
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    failed_at: datetime | None


class WebhookDeliveryList(BaseModel):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None
