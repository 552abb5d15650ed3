"""Creating and changing orgs."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import EmailStr, Field

from tenantree.orgs.kinds import Edition, OrgStatus, PartnerCustomers, PartnerType
from tenantree.web.schemas.common import ONE_LINE, StrictBody

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


class OrgCreate(StrictBody):
    name: OrgName
    salesforce_id: SalesforceIdField
    edition: Edition = Edition.STANDARD
    primary_admin_email: EmailStr


class OrgUpdate(StrictBody):
    name: OrgName | None = None
    edition: Edition | None = None
    status: OrgStatus | None = None
    # Deactivating a partner with active customers: what they do ("suspend":
    # deactivated with it; "keep_running": they keep working and drawing on
    # its pool, flagged). Required then, refused otherwise.
    customers: PartnerCustomers | None = None


class PartnerActivation(StrictBody):
    partner_type: PartnerType


class SubOrgCreate(StrictBody):
    name: OrgName
    salesforce_id: SalesforceIdField
    customer_name: OrgName
    primary_admin_email: EmailStr | None = None


class OrgMove(StrictBody):
    """Move a sub-org to another partner (lifecycle.moves)."""

    to_partner_id: uuid.UUID = Field(description="The MSP or reseller partner to move it under.")
    # Take the use even where the new partner's pool lacks room (the shortfall
    # shows as overage in its report and in the move's audit event).
    allow_overage: bool = False
