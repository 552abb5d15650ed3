from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class AuditEvent(Base):
    """One audited change. Rows are only ever inserted.

    Foreign keys are deliberately absent: an event outlives what it names.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_org_id_at", "org_id", "at"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    action: Mapped[str] = mapped_column(String(64))
    # The account that acted (None: the system, or an unknown sign-in email).
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The org the actor acted from: the partner for partner actions in a sub-org.
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The org the event belongs to (None: platform-level, e.g. sign-in).
    org_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_address: Mapped[str | None] = mapped_column(String(64))
