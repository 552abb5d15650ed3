"""A reconciliation, kept so operators can list and reread it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class Reconciliation(Base):
    __tablename__ = "crm_reconciliations"
    __table_args__ = (Index("ix_crm_reconciliations_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    # The operator who ran it (None: the CLI, on the server). No foreign key:
    # the record outlives the account, as audit events do.
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    filename: Mapped[str | None] = mapped_column(String(200))
    account_count: Mapped[int] = mapped_column(Integer)
    org_count: Mapped[int] = mapped_column(Integer)
    drift_count: Mapped[int] = mapped_column(Integer)
    # [crm.report.drift_dict(d), ...]
    drifts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
