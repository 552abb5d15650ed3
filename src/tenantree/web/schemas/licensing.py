"""Granting licenses, and the field types of licensing (also the CLI's options)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tenantree.licensing.models import LicenseStatus
from tenantree.licensing.policies import OveragePolicy
from tenantree.web.schemas.common import StrictBody, Timestamp

Sku = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Product SKU: letters, digits, '.', '_' and '-'",
        examples=["monitoring-pro"],
    ),
]
Unit = Annotated[
    str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z_]*$", examples=["devices"])
]
Units = Annotated[int, Field(ge=0, le=1_000_000_000)]


class LicenseCreate(StrictBody):
    sku: Sku
    unit: Unit
    quantity: Units
    starts_at: Timestamp
    ends_at: Timestamp
    overage_policy: OveragePolicy = OveragePolicy.BLOCK
    salesforce_contract_id: str | None = Field(default=None, min_length=15, max_length=18)


class LicenseUpdate(StrictBody):
    quantity: Units | None = None
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    status: LicenseStatus | None = None
    overage_policy: OveragePolicy | None = None
