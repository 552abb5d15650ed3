"""Delivering queued messages: claim with a lease, send with no transaction open,
record the outcome.

Claiming is one short transaction: due messages are selected `FOR UPDATE SKIP
LOCKED` on PostgreSQL (SQLite's IMMEDIATE transactions serialise it) and
leased to this worker until `claimed_until`. Other workers skip leased
messages, so in normal operation each is sent once; a worker that dies
mid-send leaves its lease to expire, and another sends the message then (at
least once, never lost).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.outbox import EmailMessage, Outbox
from tenantree.outbox.retry import RetryPolicy, describe

log = logging.getLogger(__name__)

OUTBOX_REQUEST_ID = "outbox"
# What a sent message keeps: the bodies (an invitation's token) are dropped.
_KEPT_AFTER_SENDING = ("to", "subject", "sender")


@dataclass(frozen=True)
class Claimed:
    """A leased message, as plain data: sending touches no session."""

    id: uuid.UUID
    payload: dict[str, Any]
    relay_org_id: uuid.UUID | None


@dataclass(frozen=True)
class Delivery:
    """How this worker delivers: where, how often it retries, how long it leases."""

    outbox: Outbox
    worker_id: str
    policy: RetryPolicy = RetryPolicy()
    lease: timedelta = timedelta(seconds=60)
    batch: int = 20
    # Told of each failed attempt: "retry" or "failed" (metrics).
    on_failure: Callable[[str], None] | None = None


def claim(session: Session, delivery: Delivery) -> list[Claimed]:
    """Lease up to `batch` due messages to this worker, in a transaction of their own."""
    with UnitOfWork(session):
        now = clock.utcnow()
        due = session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == MessageStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(delivery.batch)
            .with_for_update(skip_locked=True)
        ).all()
        for message in due:
            message.claimed_by = delivery.worker_id
            message.claimed_until = now + delivery.lease
        return [Claimed(m.id, dict(m.payload), m.relay_org_id) for m in due]


def send_one(session: Session, delivery: Delivery, message: Claimed) -> BaseException | None:
    """Send a claimed message; the error if it could not be."""
    try:
        with UnitOfWork(session):  # the relay is read, then the transaction ends
            backend = delivery.outbox.backend_for(session, message.relay_org_id)
        backend.send(EmailMessage.from_payload(message.payload))
    except Exception as error:  # noqa: BLE001 - any failure is the message's, recorded on it
        return error
    return None


def record(
    session: Session, delivery: Delivery, message: Claimed, error: BaseException | None
) -> None:
    """Write the outcome, if this worker still holds the lease."""
    with UnitOfWork(session):
        row = session.get(OutboxMessage, message.id, with_for_update=True)
        if row is None or row.claimed_by != delivery.worker_id:
            log.warning("outbox message %s was taken over while being sent", message.id)
            return
        now = clock.utcnow()
        row.attempts += 1
        row.claimed_by, row.claimed_until = None, None
        if error is None:
            row.status, row.sent_at, row.last_error = MessageStatus.SENT, now, None
            row.payload = {k: v for k, v in row.payload.items() if k in _KEPT_AFTER_SENDING}
            return
        row.last_error = describe(error)
        if delivery.policy.gives_up(row.attempts, error):
            row.status, row.failed_at = MessageStatus.FAILED, now
            _audit_failure(session, row)
            outcome = "failed"
        else:
            row.next_attempt_at = now + delivery.policy.delay(row.attempts)
            outcome = "retry"
        log.warning(
            "outbox message %s, attempt %d: %s (%s)", row.id, row.attempts, row.last_error, outcome
        )
        if delivery.on_failure is not None:
            delivery.on_failure(outcome)


def _audit_failure(session: Session, row: OutboxMessage) -> None:
    AuditTrail(session, None, request_id=OUTBOX_REQUEST_ID).record(
        AuditAction.EMAIL_FAILED,
        org_id=row.org_id,
        target_type=row.subject_type or "email",
        target_id=row.subject_id or row.id,
        message_id=row.id,
        to=row.payload.get("to"),
        attempts=row.attempts,
        reason=row.last_error,
    )


def deliver_due(session: Session, delivery: Delivery) -> int:
    """One batch: claim what is due, send it, record each outcome. How many were tried."""
    claimed = claim(session, delivery)
    for message in claimed:
        record(session, delivery, message, send_one(session, delivery, message))
    return len(claimed)


def drain(session: Session, delivery: Delivery, *, max_batches: int = 1000) -> int:
    """Deliver until nothing is due (retries due at once included). How many were tried."""
    tried = 0
    for _ in range(max_batches):
        batch = deliver_due(session, delivery)
        if not batch:
            break
        tried += batch
    return tried


def next_due(session: Session) -> datetime | None:
    """When the next pending message is due (None: nothing is pending)."""
    return session.scalar(
        select(OutboxMessage.next_attempt_at)
        .where(OutboxMessage.status == MessageStatus.PENDING)
        .order_by(OutboxMessage.next_attempt_at)
        .limit(1)
    )
