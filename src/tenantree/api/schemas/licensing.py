from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tenantree.api.schemas.common import StrictBody
from tenantree.licensing.models import LicenseSource, LicenseStatus
from tenantree.licensing.policies import OveragePolicy
from tenantree.web.schemas.licensing import LicenseCreate, LicenseUpdate, Sku, Unit, Units

__all__ = ["LicenseCreate", "LicenseUpdate", "Sku", "Unit", "Units"]


class LicenseOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    sku: str
    unit: str
    quantity: int
    starts_at: datetime
    ends_at: datetime
    overage_policy: OveragePolicy
    salesforce_contract_id: str | None
    status: LicenseStatus
    in_term: bool
    created_at: datetime


class LicenseSourceBody(StrictBody):
    source: LicenseSource


class LicenseSourceOut(BaseModel):
    source: LicenseSource


class QuotaBody(StrictBody):
    max_units: Units | None = Field(description="null removes the quota")


class QuotaOut(BaseModel):
    sku: str
    max_units: int | None


def _exactly_one_operation(schema: dict[str, Any]) -> None:
    # What `_one_operation` checks, said in the schema so clients (and
    # generated ones) know it: one of set/add/release is a number, the others
    # absent or null.
    operations = ("set", "add", "release")
    schema["oneOf"] = [
        {
            "required": [name],
            "properties": {
                other: {"type": "integer"} if other == name else {"type": "null"}
                for other in operations
            },
        }
        for name in operations
    ]


class UsageBody(StrictBody):
    """Exactly one of set, add, release."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_exactly_one_operation)

    sku: Sku
    set: Units | None = None
    add: Units | None = None
    release: Units | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> UsageBody:
        given = [name for name in ("set", "add", "release") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of set, add or release")
        return self


class UsageOut(BaseModel):
    sku: str
    consumed: int
    over_quantity: bool | None = Field(
        description="The pool is over its quantity (allow_and_flag); null when the pool is "
        "the partner's and the caller may not see its figures"
    )


class UsageEventOut(BaseModel):
    """One successful change of an org's use (refusals are audit events)."""

    id: uuid.UUID
    at: datetime
    sku: str
    units: int = Field(description="The org's use of the SKU after the change")
    actor_id: uuid.UUID | None = Field(description="The account that made it; null: the system")
    actor_org_id: uuid.UUID | None = Field(description="The org it acted from (a partner's)")
    request_id: str | None
    pool_used: int | None = Field(
        description="The pool's total use after the change; null when the pool is the "
        "partner's and the caller may not see its figures"
    )
    over_quantity: bool | None = Field(description="The pool was over its quantity; null as above")

    model_config = {"from_attributes": True}


ReportFormat = Literal["json", "csv"]
