"""The outbox's rows: messages written in the same transaction as the change that
sends them, and the heartbeats of the workers that deliver them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class MessageStatus:
    """Stored states. `pending` with attempts made is shown as retrying."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Base):
    """One message to deliver. `kind` names the channel ("email", "webhook") and
    `payload` holds what that channel needs, so another kind needs no new table."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        # The worker's scan: due pending messages, oldest first.
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_messages_subject", "subject_type", "subject_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32), default="email")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The org the message is sent for (None: the platform's own mail); its
    # email.failed audit event goes to this org.
    org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Deliver through this org's own relay, looked up at send time: the row
    # never holds the relay's secret.
    relay_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # What the message is about (an invitation), so its delivery can be shown there.
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    # The lease: the worker that claimed the message sends it before this time;
    # after it, another worker may (the first one is presumed dead).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the receiver last answered (webhooks: its HTTP status; None for mail).
    last_response_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxWorker(Base):
    """A delivering worker's heartbeat: readiness asks whether one is alive."""

    __tablename__ = "outbox_workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
