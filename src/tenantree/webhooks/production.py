"""Events are produced from the audit trail: whenever an audit event of an org is
flushed, each endpoint that gets it (subscribed to its type, and allowed by
the policy: `webhook_receives`) gets an outbox row in the same transaction.
Nothing is forgotten (every audited change is an event) and nothing goes out
for a change rolled back.

The listener is on every Session: flushed events are noted after the flush
(`after_flush`, when their id and time are set and the orgs they name are
written), and their deliveries added once the flush is done
(`after_flush_postexec`); committing flushes again until nothing is new, so
they are written before the commit.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import and_, event, or_, select
from sqlalchemy.orm import Session, aliased

from tenantree import clock
from tenantree.access.facts import load_org
from tenantree.access.policy import webhook_receives
from tenantree.audit.export import event_record
from tenantree.audit.models import AuditEvent
from tenantree.orgs.models import Org
from tenantree.outbox.models import OutboxMessage
from tenantree.webhooks.event_types import subscribed
from tenantree.webhooks.models import WebhookEndpoint

WEBHOOK = "webhook"  # the outbox kind
SUBJECT = "webhook"  # deliveries are about their endpoint
_NOTED = "tenantree.webhooks.noted"


def body_of(event_type: str, at: str, data: dict[str, Any]) -> str:
    """The JSON body (Standard Webhooks shape), fixed when queued: every retry
    sends the same bytes."""
    return json.dumps({"type": event_type, "timestamp": at, "data": data}, separators=(",", ":"))


def delivery(endpoint: WebhookEndpoint, event_type: str, body: str, **extra: Any) -> OutboxMessage:
    return OutboxMessage(
        kind=WEBHOOK,
        payload={"endpoint_id": str(endpoint.id), "type": event_type, "body": body, **extra},
        org_id=endpoint.org_id,
        subject_type=SUBJECT,
        subject_id=endpoint.id,
    )


def receiving_endpoints(session: Session, org_id: uuid.UUID) -> list[WebhookEndpoint]:
    """The enabled endpoints the policy lets get the org's events: the org's own,
    and those of the partners above it (its partner, and a tier-2 partner's
    distributor) that include sub-orgs' events."""
    parent = aliased(Org)
    parent_id = select(Org.parent_id).where(Org.id == org_id).scalar_subquery()
    grandparent_id = (
        select(parent.parent_id)
        .join(Org, Org.parent_id == parent.id)
        .where(Org.id == org_id)
        .scalar_subquery()
    )
    candidates = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.enabled,
            or_(
                WebhookEndpoint.org_id == org_id,
                and_(
                    WebhookEndpoint.include_sub_orgs,
                    or_(
                        WebhookEndpoint.org_id == parent_id,
                        WebhookEndpoint.org_id == grandparent_id,
                    ),
                ),
            ),
        )
    ).all()
    if not candidates:
        return []
    loaded = load_org(session, org_id)
    if loaded is None:
        return []
    now = clock.utcnow()
    return [
        e
        for e in candidates
        if webhook_receives(
            endpoint_org_id=e.org_id,
            include_sub_orgs=e.include_sub_orgs,
            event_org=loaded.facts,
            now=now,
        )
    ]


def produce(session: Session, events: list[dict[str, Any]]) -> list[OutboxMessage]:
    """Queue each event (an exported record) for the endpoints that get it."""
    queued: list[OutboxMessage] = []
    endpoints_of: dict[str, list[WebhookEndpoint]] = {}
    for record in events:
        org_id = record["org_id"]
        if org_id not in endpoints_of:
            endpoints_of[org_id] = receiving_endpoints(session, uuid.UUID(org_id))
        body = body_of(record["action"], record["at"], record)
        for endpoint in endpoints_of[org_id]:
            if subscribed(endpoint.event_types, record["action"]):
                queued.append(delivery(endpoint, record["action"], body, event_id=record["id"]))
    session.add_all(queued)
    return queued


@event.listens_for(Session, "after_flush")
def _note(session: Session, _context: Any) -> None:
    flushed = [o for o in session.new if isinstance(o, AuditEvent) and o.org_id is not None]
    if flushed:
        session.info.setdefault(_NOTED, []).extend(event_record(e) for e in flushed)


@event.listens_for(Session, "after_flush_postexec")
def _produce(session: Session, _context: Any) -> None:
    noted = session.info.pop(_NOTED, None)
    if noted:
        produce(session, noted)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_NOTED, None)
