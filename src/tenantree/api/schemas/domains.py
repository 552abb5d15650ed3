from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tenantree.web.schemas.domains import DomainClaimBody

__all__ = [
    "ClaimedDomainList",
    "ClaimedDomainOut",
    "DomainClaimBody",
    "EmailDomainList",
    "EmailDomainOut",
]


class EmailDomainOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    domain: str
    status: Literal["pending", "verified"]
    txt_record_name: str = Field(description="Create a TXT record with this name ...")
    txt_record_value: str = Field(description="... and this value, then verify")
    claimed_at: datetime
    verified_at: datetime | None


class EmailDomainList(BaseModel):
    items: list[EmailDomainOut]


class ClaimedDomainOut(EmailDomainOut):
    """A claim as the operator sees it: with the claiming org's name."""

    org_name: str


class ClaimedDomainList(BaseModel):
    items: list[ClaimedDomainOut]
