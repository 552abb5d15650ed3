from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, EmailStr, Field

from tenantree.api.schemas.common import ONE_LINE, StrictBody
from tenantree.orgs.models import Edition, OrgKind, OrgStatus, PartnerType

# Not blank, and no control characters: names go into email subjects (where a
# line break is refused) and PostgreSQL refuses NUL.
OrgName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=ONE_LINE,
    ),
]
# Length, characters, key prefix and checksum are checked by
# orgs.salesforce.normalize_account_id, so every bad ID gets the same error
# code (invalid_salesforce_id) and a message that says what is wrong. The
# schema still documents the shape.
SalesforceIdField = Annotated[
    str,
    Field(
        description="Salesforce account ID, 15 or 18 characters; stored as 18.",
        examples=["001A000001AbCdEIAV"],
        json_schema_extra={
            "minLength": 15,
            "maxLength": 18,
            "pattern": "^001[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$",
        },
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
