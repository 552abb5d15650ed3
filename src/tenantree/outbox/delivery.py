"""Delivering queued messages: claim with a lease, send with no transaction open,
record the outcome.

Claiming is one short transaction: due messages are selected `FOR UPDATE SKIP
LOCKED` on PostgreSQL (SQLite's IMMEDIATE transactions serialise it) and
leased to this worker until `claimed_until`. Other workers skip leased
messages, so in normal operation each is sent once: a batch starts no send
once half its lease is gone and gives the rest back. A worker that dies
mid-send leaves its lease to expire, and another sends the message then (at
least once, never lost).

Mail is the built-in kind; other kinds (webhooks) are delivered by a
`Channel` the worker is given, so the queue stays one table and one loop.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.db.unit_of_work import UnitOfWork
from tenantree.outbox.models import MessageStatus, OutboxMessage
from tenantree.outbox.outbox import EMAIL, EmailMessage, Outbox
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
    leased_until: datetime
    kind: str = EMAIL


class Channel(Protocol):
    """Delivers one kind of message other than mail.

    `send` runs with no transaction open and raises on failure; it returns what
    the receiver answered (an HTTP status), kept on the row. `recorded` runs in
    the transaction that records each outcome, on the locked row.
    """

    policy: RetryPolicy

    def send(self, session: Session, message: Claimed) -> int | None: ...

    def recorded(
        self, session: Session, row: OutboxMessage, error: BaseException | None, gave_up: bool
    ) -> None: ...


@dataclass(frozen=True)
class Outcome:
    error: BaseException | None
    # What the receiver answered, when it answered (webhooks: the HTTP status).
    response_code: int | None = None


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
    # Kinds besides mail this worker delivers; it claims no other kind.
    channels: Mapping[str, Channel] = field(default_factory=dict)


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
                OutboxMessage.kind.in_([EMAIL, *delivery.channels]),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(delivery.batch)
            .with_for_update(skip_locked=True)
        ).all()
        for message in due:
            message.claimed_by = delivery.worker_id
            message.claimed_until = now + delivery.lease
        return [
            Claimed(m.id, dict(m.payload), m.relay_org_id, m.claimed_until, m.kind) for m in due
        ]


def may_start_sending(message: Claimed, delivery: Delivery, now: datetime) -> bool:
    """A send starts only while half the lease is left: a batch sent slowly
    (a slow relay, a loaded host) would otherwise send its last messages after
    their lease lapsed, when another worker may have claimed and sent them too."""
    return now + delivery.lease / 2 <= message.leased_until


def release(session: Session, delivery: Delivery, messages: list[Claimed]) -> None:
    """Give back leases not used, so any worker claims the messages at once."""
    with UnitOfWork(session):
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_([message.id for message in messages]),
                OutboxMessage.claimed_by == delivery.worker_id,
            )
            .values(claimed_by=None, claimed_until=None)
        )


def send_one(session: Session, delivery: Delivery, message: Claimed) -> Outcome:
    """Send a claimed message: the error if it could not be, and what the receiver said."""
    try:
        if message.kind != EMAIL:
            return Outcome(None, delivery.channels[message.kind].send(session, message))
        with UnitOfWork(session):  # the relay is read, then the transaction ends
            backend = delivery.outbox.backend_for(session, message.relay_org_id)
        backend.send(EmailMessage.from_payload(message.payload))
    except Exception as error:  # noqa: BLE001 - any failure is the message's, recorded on it
        return Outcome(error, getattr(error, "response_code", None))
    return Outcome(None)


def record(
    session: Session,
    delivery: Delivery,
    message: Claimed,
    outcome: Outcome | BaseException | None,
) -> None:
    """Write the outcome, if this worker still holds the lease."""
    if not isinstance(outcome, Outcome):
        outcome = Outcome(outcome)
    error = outcome.error
    channel = delivery.channels.get(message.kind)
    policy = delivery.policy if channel is None else channel.policy
    with UnitOfWork(session):
        row = session.get(OutboxMessage, message.id, with_for_update=True)
        if row is None or row.claimed_by != delivery.worker_id:
            log.warning("outbox message %s was taken over while being sent", message.id)
            return
        now = clock.utcnow()
        row.attempts += 1
        row.claimed_by, row.claimed_until = None, None
        row.last_response_code = outcome.response_code
        if error is None:
            row.status, row.sent_at, row.last_error = MessageStatus.SENT, now, None
            if channel is None:
                row.payload = {k: v for k, v in row.payload.items() if k in _KEPT_AFTER_SENDING}
            else:
                channel.recorded(session, row, None, gave_up=False)
            return
        row.last_error = describe(error)
        gave_up = policy.gives_up(row.attempts, error, age=now - row.created_at)
        if gave_up:
            row.status, row.failed_at = MessageStatus.FAILED, now
            if channel is None:
                _audit_failure(session, row)
            result = "failed"
        else:
            row.next_attempt_at = now + policy.delay(row.attempts)
            result = "retry"
        if channel is not None:
            channel.recorded(session, row, error, gave_up=gave_up)
        log.warning(
            "outbox message %s, attempt %d: %s (%s)", row.id, row.attempts, row.last_error, result
        )
        if delivery.on_failure is not None:
            delivery.on_failure(result)


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
    for tried, message in enumerate(claimed):
        if not may_start_sending(message, delivery, clock.utcnow()):
            release(session, delivery, claimed[tried:])
            return tried
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
