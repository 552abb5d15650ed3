"""What operators and readers see of the outbox: listing, retrying, delivery of a
record, queue counts, and whether a worker is alive."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.outbox.models import MessageStatus, OutboxMessage, OutboxWorker


class DeliveryState:
    """As shown to people: a pending message is queued until it has failed once."""

    QUEUED = "queued"
    RETRYING = "retrying"
    SENT = "sent"
    FAILED = "failed"


def state_of(message: OutboxMessage) -> str:
    if message.status == MessageStatus.SENT:
        return DeliveryState.SENT
    if message.status == MessageStatus.FAILED:
        return DeliveryState.FAILED
    return DeliveryState.RETRYING if message.attempts else DeliveryState.QUEUED


@dataclass(frozen=True)
class DeliveryStatus:
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


def deliveries_of(
    session: Session, subject_type: str, subject_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, DeliveryStatus]:
    """The newest message about each record, by record id."""
    ids = list(subject_ids)
    if not ids:
        return {}
    found: dict[uuid.UUID, DeliveryStatus] = {}
    for message in session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.subject_type == subject_type, OutboxMessage.subject_id.in_(ids))
        .order_by(OutboxMessage.created_at)
    ):
        assert message.subject_id is not None
        found[message.subject_id] = DeliveryStatus(
            state_of(message), message.attempts, message.last_error, message.sent_at
        )
    return found


def list_messages(
    session: Session, *, status: str | None = None, limit: int = 50
) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(session.scalars(query))


def retry_messages(
    session: Session, ids: Iterable[uuid.UUID] = (), *, all_failed: bool = False
) -> int:
    """Put failed messages back in the queue, due now, with a fresh count of attempts."""
    query = update(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED)
    ids = list(ids)
    if not all_failed:
        query = query.where(OutboxMessage.id.in_(ids))
    result = session.execute(
        query.values(
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=clock.utcnow(),
            failed_at=None,
            claimed_by=None,
            claimed_until=None,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def queue_counts(session: Session | Connection) -> dict[str, int]:
    """Messages waiting (pending) and given up (failed)."""
    counts = dict.fromkeys((MessageStatus.PENDING, MessageStatus.FAILED), 0)
    for status, count in session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_(list(counts)))
        .group_by(OutboxMessage.status)
    ):
        counts[status] = int(count)
    return counts


def worker_alive(
    session: Session | Connection, stale_after: timedelta, worker_id: str | None = None
) -> bool:
    """Has a worker (this one, if named) beaten its heartbeat within `stale_after`?"""
    query = select(OutboxWorker.id).where(OutboxWorker.heartbeat_at >= clock.utcnow() - stale_after)
    if worker_id is not None:
        query = query.where(OutboxWorker.id == worker_id)
    return session.scalar(query.limit(1)) is not None
