"""Raised alerts and the thresholds a pool's holder sets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class Alert(Base):
    """One crossing, raised once: to the org whose figure it is about.

    (subject, kind, threshold, epoch) is unique: evaluations racing on several
    replicas insert the same row, and all but one skip it (alerts/raising.py).
    `epoch` counts the crossings of that threshold: after use falls back below
    it the alert is cleared, and the next crossing is the next epoch. An expiry
    alert's epoch is the license's end day, so a renewed license alerts again.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("subject_id", "kind", "threshold", "epoch"),
        CheckConstraint("kind IN ('expiry', 'pool_use', 'quota_use')", name="kind"),
        Index("ix_alerts_org_id_raised_at", "org_id", "raised_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # Whose admins it is for; what they may see (access.policy.alert_recipient).
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # The license, pool or quota; no foreign key: the alert outlives it.
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sku: Mapped[str] = mapped_column(String(64))
    threshold: Mapped[int] = mapped_column(Integer)  # days (expiry) or percent
    epoch: Mapped[int] = mapped_column(Integer)
    # The recipient's own figures at the crossing, nothing from a higher level.
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class AlertThresholds(Base):
    """The use thresholds (percent) an org sets for the pools it holds and the
    quotas it gives its sub-orgs; without a row, DEFAULT_PERCENTS."""

    __tablename__ = "alert_thresholds"

    org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    percents: Mapped[list[int]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
