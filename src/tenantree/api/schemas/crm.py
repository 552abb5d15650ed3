from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from tenantree.crm.drift import DriftKind


class DriftOut(BaseModel):
    kind: DriftKind = Field(description="What disagrees; see the README's reconciliation section")
    salesforce_id: str | None = Field(
        description="The account (18 characters), or the IDs at fault"
    )
    rows: list[int] = Field(description="Rows of the export (the header is row 1)")
    org_id: uuid.UUID | None
    org_name: str | None
    # Defaults: a reconciliation kept before drifts said where their org sits.
    depth: int | None = Field(
        None, description="The org's depth (0 top-level, 1, 2 a tier-2 partner's customer)"
    )
    parent_chain: list[str] = Field(
        default_factory=list,
        description="The org's ancestors' names, top-level first (a distributor, a tier-2 "
        "partner); empty at the top or without an org",
    )
    account_name: str | None
    detail: str


class ReconciliationSummaryOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    created_by: uuid.UUID | None
    filename: str | None
    account_count: int
    org_count: int
    drift_count: int

    model_config = {"from_attributes": True}


class ReconciliationOut(ReconciliationSummaryOut):
    drifts: list[DriftOut]
