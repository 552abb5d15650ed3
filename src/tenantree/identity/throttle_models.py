"""Throttle hits: one row per counted attempt under one key (identity.throttle)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class ThrottleHit(Base):
    """One attempt counted under `key` (a rule's name and the value it limits)."""

    __tablename__ = "throttle_hits"
    __table_args__ = (
        Index("ix_throttle_hits_key_at", "key", "at"),
        # Retention deletes by age alone (identity.throttle.prune_hits).
        Index("ix_throttle_hits_at", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(1024))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
