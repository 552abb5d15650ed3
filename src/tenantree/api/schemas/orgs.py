from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field

from tenantree.api.schemas.common import StrictBody
from tenantree.orgs.models import Edition, OrgKind, OrgStatus, PartnerType

OrgName = Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
SalesforceIdField = Annotated[
    str,
    Field(
        min_length=15,
        max_length=18,
        pattern=r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$",
        description="Salesforce account ID, 15 or 18 characters; stored as 18.",
        examples=["001A000001AbCdEIAP"],
    ),
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


class OrgCreate(StrictBody):
    name: OrgName
    salesforce_id: SalesforceIdField
    edition: Edition = Edition.STANDARD
    primary_admin_email: EmailStr


class OrgUpdate(StrictBody):
    name: OrgName | None = None
    edition: Edition | None = None
    status: OrgStatus | None = None


class PartnerActivation(StrictBody):
    partner_type: PartnerType


class SubOrgCreate(StrictBody):
    name: OrgName
    salesforce_id: SalesforceIdField
    customer_name: OrgName
    primary_admin_email: EmailStr | None = None
