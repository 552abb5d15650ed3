from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from typing_extensions import TypedDict

from tenantree.orgs.kinds import Edition, OrgKind, OrgStatus, PartnerType
from tenantree.web.schemas.orgs import (
    OrgCreate,
    OrgMove,
    OrgName,
    OrgUpdate,
    PartnerActivation,
    SalesforceIdField,
    SubOrgCreate,
)

__all__ = [
    "OrgCreate",
    "OrgMove",
    "OrgName",
    "OrgUpdate",
    "PartnerActivation",
    "SalesforceIdField",
    "SubOrgCreate",
]


class OrgOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: OrgKind
    partner_type: PartnerType | None
    edition: Edition
    salesforce_id: str
    parent_id: uuid.UUID | None
    # 0: a top-level org; 1: a partner's customer (or a distributor's tier-2
    # partner); 2: a tier-2 partner's customer.
    depth: int
    partner_salesforce_id: str | None
    customer_name: str | None
    status: OrgStatus
    created_at: datetime

    model_config = {"from_attributes": True}


class OrgSummaryRow(TypedDict):
    """`OrgOut` as a row read from `orgs` carries it: a page of these is
    serialized as it is, without building 50 models first (bench/ANALYSIS.md,
    round 6). The database holds the kinds and statuses to their values
    (check constraints), so the JSON is `OrgOut`'s, field for field
    (tests/orgs/test_org_pages.py compares the two)."""

    id: uuid.UUID
    name: str
    kind: str
    partner_type: str | None
    edition: str
    salesforce_id: str
    parent_id: uuid.UUID | None
    depth: int
    partner_salesforce_id: str | None
    customer_name: str | None
    status: str
    created_at: datetime


class OrgSummaryPage(TypedDict):
    """`ListResponse[OrgOut]`, of rows."""

    items: list[OrgSummaryRow]
    next_cursor: str | None


class OrgSummaryText(TypedDict):
    """`OrgSummaryRow` with its ids and time already in their JSON forms
    (`access.org_listing.SUMMARY_TEXT_COLUMNS`): the same JSON, written as text."""

    id: str
    name: str
    kind: str
    partner_type: str | None
    edition: str
    salesforce_id: str
    parent_id: str | None
    depth: int
    partner_salesforce_id: str | None
    customer_name: str | None
    status: str
    created_at: str


class OrgSummaryTextPage(TypedDict):
    """`ListResponse[OrgOut]`, of text rows."""

    items: list[OrgSummaryText]
    next_cursor: str | None


class OrgMoveOut(BaseModel):
    """A move done: the sub-org as it is now, and what moved with it."""

    org: OrgOut
    from_partner_id: uuid.UUID
    to_partner_id: uuid.UUID
    license_source: str
    # Per SKU: units released from the old partner's pool and consumed from the new one.
    moved: dict[str, int]
    # Per SKU: units taken past the new pool's room (only with allow_overage).
    overage: dict[str, int]
    # The old partner's users whose named grants into the sub-org ended (emails).
    grants_ended: list[str]
    moved_at: datetime
