"""Endpoints and events for the webhook tests."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.orgs.models import Org
from tenantree.outbox.models import OutboxMessage
from tenantree.webhooks import service
from tenantree.webhooks.config import WebhookConfig
from tenantree.webhooks.production import WEBHOOK

# Lets endpoints point at the local receiver (http on 127.0.0.1).
LOCAL = WebhookConfig(secret_key="test-secret-key", allow_private_hosts=True, timeout_seconds=0.5)


def register(
    session: Session,
    org: Org,
    url: str = "https://hooks.example.com/in",
    *,
    types: tuple[str, ...] = ("org",),
    include_sub_orgs: bool = False,
) -> service.WithSecret:
    return service.create_endpoint(
        session,
        AuditTrail(session, None),
        org,
        LOCAL,
        url=url,
        event_types=types,
        include_sub_orgs=include_sub_orgs,
    )


def org_changed(session: Session, org: Org) -> None:
    """An audited change of the org (what every service records)."""
    AuditTrail(session, None).record(
        AuditAction.ORG_UPDATED, org_id=org.id, target_type="org", target_id=org.id, name="x"
    )
    session.flush()


def deliveries_to(session: Session, made: service.WithSecret) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == WEBHOOK, OutboxMessage.subject_id == made.endpoint.id)
            .order_by(OutboxMessage.created_at)
        )
    )


def event_types_of(messages: list[OutboxMessage]) -> list[str]:
    return [m.payload["type"] for m in messages]


def orgs_of(messages: list[OutboxMessage]) -> set[str]:
    """The orgs whose events the deliveries carry."""
    return {json.loads(m.payload["body"])["data"]["org_id"] for m in messages}
