"""An org's webhook endpoints: register, change, remove, rotate the secret, send a
test event, read deliveries. The route has asked the policy (ORG_WEBHOOKS_MANAGE
on the org in the path); services flush, never commit."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.export import rfc3339
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid, NotFound
from tenantree.identity.sealed import seal
from tenantree.orgs.models import Org
from tenantree.outbox.models import OutboxMessage
from tenantree.pagination import Page
from tenantree.webhooks import signing
from tenantree.webhooks.config import SECRET_PURPOSE, WebhookConfig
from tenantree.webhooks.event_types import TEST_EVENT, EventType
from tenantree.webhooks.listing import delivery_log
from tenantree.webhooks.models import WebhookEndpoint
from tenantree.webhooks.production import body_of, delivery
from tenantree.webhooks.urls import check_url

TARGET = "webhook"
MAX_ENDPOINTS_PER_ORG = 20


@dataclass(frozen=True)
class WithSecret:
    """An endpoint and its secret, shown once: when made or rotated."""

    endpoint: WebhookEndpoint
    secret: str


def check_event_types(values: Iterable[str]) -> list[str]:
    chosen = sorted(set(values))
    known = {t.value for t in EventType}
    unknown = [v for v in chosen if v not in known]
    if not chosen or unknown:
        raise Invalid(
            f"event_types must name at least one of: {', '.join(t.value for t in EventType)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
            field="event_types",
        )
    return chosen


def check_include_sub_orgs(org: Org, include: bool) -> None:
    if include and not org.is_partner:
        raise Invalid(
            "only a partner's endpoints may include sub-orgs' events", field="include_sub_orgs"
        )


def endpoints_of(session: Session, org_id: uuid.UUID) -> list[WebhookEndpoint]:
    return list(
        session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.org_id == org_id)
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    )


def endpoint_of(session: Session, org_id: uuid.UUID, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.org_id != org_id:
        raise NotFound("no such webhook endpoint in this org")
    return endpoint


def create_endpoint(
    session: Session,
    trail: AuditTrail,
    org: Org,
    config: WebhookConfig,
    *,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    include_sub_orgs: bool = False,
) -> WithSecret:
    url = check_url(url, allow_private=config.allow_private_hosts)
    types = check_event_types(event_types)
    check_include_sub_orgs(org, include_sub_orgs)
    if len(endpoints_of(session, org.id)) >= MAX_ENDPOINTS_PER_ORG:
        raise Invalid(f"an org has at most {MAX_ENDPOINTS_PER_ORG} webhook endpoints", field="url")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        org_id=org.id,
        url=url,
        description=description.strip(),
        event_types=types,
        include_sub_orgs=include_sub_orgs,
        secret_sealed=seal(config.secret_key, SECRET_PURPOSE, secret),
        enabled=True,
        consecutive_failures=0,
    )
    session.add(endpoint)
    session.flush()
    trail.record(
        AuditAction.WEBHOOK_CREATED,
        org_id=org.id,
        target_type=TARGET,
        target_id=endpoint.id,
        url=url,
        event_types=types,
        include_sub_orgs=include_sub_orgs,
    )
    return WithSecret(endpoint, secret)


def update_endpoint(
    session: Session,
    trail: AuditTrail,
    org: Org,
    endpoint: WebhookEndpoint,
    config: WebhookConfig,
    *,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    include_sub_orgs: bool | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given; enabling a disabled endpoint starts its failure count afresh."""
    changes: dict[str, object] = {}
    if url is not None:
        endpoint.url = changes["url"] = check_url(url, allow_private=config.allow_private_hosts)
    if event_types is not None:
        endpoint.event_types = changes["event_types"] = check_event_types(event_types)
    if description is not None:
        endpoint.description = changes["description"] = description.strip()
    if include_sub_orgs is not None:
        check_include_sub_orgs(org, include_sub_orgs)
        endpoint.include_sub_orgs = changes["include_sub_orgs"] = include_sub_orgs
    if enabled is not None and enabled != endpoint.enabled:
        endpoint.enabled = changes["enabled"] = enabled
        if enabled:
            endpoint.consecutive_failures = 0
            endpoint.disabled_reason = endpoint.disabled_at = None
        else:
            endpoint.disabled_reason, endpoint.disabled_at = "disabled by an admin", clock.utcnow()
    session.flush()
    if changes:
        trail.record(
            AuditAction.WEBHOOK_UPDATED,
            org_id=org.id,
            target_type=TARGET,
            target_id=endpoint.id,
            **changes,
        )
    return endpoint


def delete_endpoint(session: Session, trail: AuditTrail, endpoint: WebhookEndpoint) -> None:
    """Remove it; its queued deliveries then fail at once (the channel finds no endpoint)."""
    trail.record(
        AuditAction.WEBHOOK_DELETED,
        org_id=endpoint.org_id,
        target_type=TARGET,
        target_id=endpoint.id,
        url=endpoint.url,
    )
    session.delete(endpoint)
    session.flush()


def rotate_secret(
    session: Session, trail: AuditTrail, endpoint: WebhookEndpoint, config: WebhookConfig
) -> WithSecret:
    """A new secret, used from the next attempt on (retries of queued events too)."""
    secret = signing.new_secret()
    endpoint.secret_sealed = seal(config.secret_key, SECRET_PURPOSE, secret)
    session.flush()
    trail.record(
        AuditAction.WEBHOOK_SECRET_ROTATED,
        org_id=endpoint.org_id,
        target_type=TARGET,
        target_id=endpoint.id,
    )
    return WithSecret(endpoint, secret)


def send_test(session: Session, trail: AuditTrail, endpoint: WebhookEndpoint) -> OutboxMessage:
    """Queue a `webhook.test` event to this endpoint only (even a disabled one, to
    check a receiver before enabling it again)."""
    at = rfc3339(clock.utcnow())
    data = {"endpoint_id": str(endpoint.id), "org_id": str(endpoint.org_id), "at": at}
    message = delivery(endpoint, TEST_EVENT, body_of(TEST_EVENT, at, data), test=True)
    session.add(message)
    session.flush()
    trail.record(
        AuditAction.WEBHOOK_TEST_SENT,
        org_id=endpoint.org_id,
        target_type=TARGET,
        target_id=endpoint.id,
        message_id=message.id,
    )
    return message


def deliveries(
    session: Session, endpoint: WebhookEndpoint, *, limit: int | None, cursor: str | None
) -> Page[OutboxMessage]:
    """The endpoint's deliveries, newest first."""
    return delivery_log(session, endpoint, limit=limit, cursor=cursor)
