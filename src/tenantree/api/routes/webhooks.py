"""An org's webhook endpoints, their deliveries, test events and secret rotation."""

from __future__ import annotations

import uuid

from fastapi import Response

from tenantree.access.permissions import Permission as P
from tenantree.api.deps import OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import Cursor, Limit
from tenantree.api.schemas.webhooks import (
    WebhookDeliveryList,
    WebhookDeliveryOut,
    WebhookEndpointBody,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEndpointWithSecret,
)
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.operations import state_of
from tenantree.web.routing import GatedRouter
from tenantree.web.services import WebhooksDep
from tenantree.webhooks import service
from tenantree.webhooks.models import WebhookEndpoint

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["webhooks"], responses=ERROR_RESPONSES
)
WEBHOOKS = "/orgs/{org_id}/webhooks"
ONE = WEBHOOKS + "/{webhook_id}"
Manage = OrgWith(P.ORG_WEBHOOKS_MANAGE)


def endpoint_out(endpoint: WebhookEndpoint) -> WebhookEndpointOut:
    return WebhookEndpointOut(
        id=endpoint.id,
        org_id=endpoint.org_id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        include_sub_orgs=endpoint.include_sub_orgs,
        enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason,
        disabled_at=endpoint.disabled_at,
        consecutive_failures=endpoint.consecutive_failures,
        last_success_at=endpoint.last_success_at,
        created_at=endpoint.created_at,
    )


def with_secret(made: service.WithSecret) -> WebhookEndpointWithSecret:
    return WebhookEndpointWithSecret(**endpoint_out(made.endpoint).model_dump(), secret=made.secret)


def delivery_out(message: OutboxMessage) -> WebhookDeliveryOut:
    pending = message.status == MessageStatus.PENDING
    return WebhookDeliveryOut(
        id=message.id,
        event_type=message.payload.get("type", ""),
        event_id=message.payload.get("event_id"),
        status=state_of(message),  # type: ignore[arg-type]
        attempts=message.attempts,
        last_response_code=message.last_response_code,
        last_error=message.last_error,
        created_at=message.created_at,
        next_attempt_at=message.next_attempt_at if pending else None,
        sent_at=message.sent_at,
        failed_at=message.failed_at,
    )


@router.get(WEBHOOKS, response_model=WebhookEndpointList, operation_id="list_org_webhooks")
def list_webhooks(target: Manage) -> WebhookEndpointList:
    return WebhookEndpointList(
        items=[endpoint_out(e) for e in service.endpoints_of(target.session, target.org.id)]
    )


@router.post(
    WEBHOOKS,
    response_model=WebhookEndpointWithSecret,
    status_code=201,
    operation_id="create_org_webhook",
    description="Registers an endpoint; the answer holds its signing secret, shown only "
    "once. 422 naming `url` for anything but https to a public host.",
)
def create_webhook(
    body: WebhookEndpointBody, target: Manage, config: WebhooksDep
) -> WebhookEndpointWithSecret:
    made = service.create_endpoint(
        target.session,
        target.trail,
        target.org,
        config,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        include_sub_orgs=body.include_sub_orgs,
    )
    return with_secret(made)


@router.get(ONE, response_model=WebhookEndpointOut, operation_id="get_org_webhook")
def get_webhook(webhook_id: uuid.UUID, target: Manage) -> WebhookEndpointOut:
    return endpoint_out(service.endpoint_of(target.session, target.org.id, webhook_id))


@router.patch(ONE, response_model=WebhookEndpointOut, operation_id="update_org_webhook")
def update_webhook(
    webhook_id: uuid.UUID, body: WebhookEndpointPatch, target: Manage, config: WebhooksDep
) -> WebhookEndpointOut:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    changed = service.update_endpoint(
        target.session,
        target.trail,
        target.org,
        endpoint,
        config,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        include_sub_orgs=body.include_sub_orgs,
        enabled=body.enabled,
    )
    return endpoint_out(changed)


@router.delete(ONE, status_code=204, operation_id="delete_org_webhook")
def delete_webhook(webhook_id: uuid.UUID, target: Manage) -> Response:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    service.delete_endpoint(target.session, target.trail, endpoint)
    return Response(status_code=204)


@router.get(
    ONE + "/deliveries",
    response_model=WebhookDeliveryList,
    operation_id="list_org_webhook_deliveries",
    description="The endpoint's deliveries, newest first: status, attempts, the "
    "receiver's last HTTP status and the last error.",
)
def list_deliveries(
    webhook_id: uuid.UUID, target: Manage, limit: Limit = None, cursor: Cursor = None
) -> WebhookDeliveryList:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    page = service.deliveries(target.session, endpoint, limit=limit, cursor=cursor)
    return WebhookDeliveryList(
        items=[delivery_out(m) for m in page.items], next_cursor=page.next_cursor
    )


@router.post(
    ONE + "/test",
    response_model=WebhookDeliveryOut,
    status_code=202,
    operation_id="test_org_webhook",
    description="Queues a `webhook.test` event to this endpoint only; follow it in its deliveries.",
)
def test_webhook(webhook_id: uuid.UUID, target: Manage) -> WebhookDeliveryOut:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    return delivery_out(service.send_test(target.session, target.trail, endpoint))


@router.post(
    ONE + "/rotate-secret",
    response_model=WebhookEndpointWithSecret,
    operation_id="rotate_org_webhook_secret",
    description="A new signing secret, shown only in this answer; deliveries are "
    "signed with it from the next attempt on.",
)
def rotate_webhook_secret(
    webhook_id: uuid.UUID, target: Manage, config: WebhooksDep
) -> WebhookEndpointWithSecret:
    endpoint = service.endpoint_of(target.session, target.org.id, webhook_id)
    return with_secret(service.rotate_secret(target.session, target.trail, endpoint, config))
