from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from tenantree.orgs.kinds import Edition, OrgKind, OrgStatus, PartnerType
from tenantree.web.schemas.orgs import (
    OrgCreate,
    OrgName,
    OrgUpdate,
    PartnerActivation,
    SalesforceIdField,
    SubOrgCreate,
)

__all__ = [
    "OrgCreate",
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
    partner_salesforce_id: str | None
    customer_name: str | None
    status: OrgStatus
    created_at: datetime

    model_config = {"from_attributes": True}
