"""Forgetting delivered and dead-lettered messages (webhook deliveries too).

A message is kept for a while after it was delivered, and longer after it was
given up (an operator may still want to read why, or retry it); a pending one
is never pruned. In batches of short transactions (db.pruning).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import InstrumentedAttribute, Session

from tenantree.db.pruning import delete_in_batches
from tenantree.outbox.models import MessageStatus, OutboxMessage


def _prune(
    session: Session,
    status: str,
    stamp: InstrumentedAttribute[datetime | None],
    before: datetime,
    batch_size: int,
) -> int:
    # A message is due before it is sent or given up (next_attempt_at <=
    # stamp): bounding it too lets the (status, next_attempt_at) index find them.
    old = (
        OutboxMessage.status == status,
        OutboxMessage.next_attempt_at < before,
        stamp < before,
    )
    return delete_in_batches(
        session,
        OutboxMessage.id,
        old,
        batch_size=batch_size,
        order_by=OutboxMessage.next_attempt_at,
    )


def prune_sent(session: Session, before: datetime, batch_size: int) -> int:
    """Delete messages delivered before `before`; how many."""
    return _prune(session, MessageStatus.SENT, OutboxMessage.sent_at, before, batch_size)


def prune_failed(session: Session, before: datetime, batch_size: int) -> int:
    """Delete messages given up before `before`; how many."""
    return _prune(session, MessageStatus.FAILED, OutboxMessage.failed_at, before, batch_size)
