"""An org's webhook endpoints and an endpoint's delivery log as lists: found,
filtered and ordered by the database. The caller has asked the policy."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from tenantree.errors import Invalid
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.operations import DeliveryState
from tenantree.pagination import Page, contains, paginate
from tenantree.webhooks.models import WebhookEndpoint
from tenantree.webhooks.production import SUBJECT, WEBHOOK

# "status" orders disabled before enabled (as the words do).
ENDPOINT_SORTS: dict[str, Any] = {
    "url": WebhookEndpoint.url,
    "created": WebhookEndpoint.created_at,
    "status": WebhookEndpoint.enabled,
}
DELIVERY_SORTS = ("time",)


def _shown_as(state: str) -> ColumnElement[bool]:
    """The stored messages a person sees in `state` (pending splits on attempts)."""
    unsettled = OutboxMessage.status == MessageStatus.PENDING
    return {
        DeliveryState.SENT: OutboxMessage.status == MessageStatus.SENT,
        DeliveryState.FAILED: OutboxMessage.status == MessageStatus.FAILED,
        DeliveryState.QUEUED: and_(unsettled, OutboxMessage.attempts == 0),
        DeliveryState.RETRYING: and_(unsettled, OutboxMessage.attempts > 0),
    }[state]


DELIVERY_STATES = (
    DeliveryState.QUEUED,
    DeliveryState.RETRYING,
    DeliveryState.SENT,
    DeliveryState.FAILED,
)


def listed_endpoints(
    session: Session, org_id: uuid.UUID, *, q: str | None, sort: str, descending: bool
) -> list[WebhookEndpoint]:
    """The org's endpoints (a bounded few) whose URL or description contains `q`."""
    if sort not in ENDPOINT_SORTS:
        raise Invalid(f"sort must be one of {', '.join(ENDPOINT_SORTS)}", field="sort")
    query = select(WebhookEndpoint).where(WebhookEndpoint.org_id == org_id)
    if q:
        query = query.where(
            or_(contains(WebhookEndpoint.url, q), contains(WebhookEndpoint.description, q))
        )
    # Equal statuses keep the order of registration.
    columns = (ENDPOINT_SORTS[sort], WebhookEndpoint.created_at, WebhookEndpoint.id)
    order = [c.desc() if descending else c.asc() for c in columns]
    return list(session.scalars(query.order_by(*order)))


def delivery_log(
    session: Session,
    endpoint: WebhookEndpoint,
    *,
    limit: int | None,
    cursor: str | None,
    before: str | None = None,
    state: str | None = None,
    descending: bool = True,
) -> Page[OutboxMessage]:
    """The endpoint's deliveries by time (newest first unless told), only those
    shown as `state` when given; pages both ways."""
    query = select(OutboxMessage).where(
        OutboxMessage.kind == WEBHOOK,
        OutboxMessage.subject_type == SUBJECT,
        OutboxMessage.subject_id == endpoint.id,
    )
    if state:
        if state not in DELIVERY_STATES:
            raise Invalid(f"status must be one of {', '.join(DELIVERY_STATES)}", field="status")
        query = query.where(_shown_as(state))
    return paginate(
        session,
        query,
        sort_column=OutboxMessage.created_at,
        id_column=OutboxMessage.id,
        limit=limit,
        cursor=cursor,
        before=before,
        descending=descending,
    )
