from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tenantree.api.schemas.common import NO_NUL, StrictBody
from tenantree.identity.models import InvitationStatus
from tenantree.identity.roles import MemberStatus, Role
from tenantree.web.schemas.users import InvitationCreate, PrimaryAdminTransfer, UserUpdate

__all__ = ["InvitationCreate", "PrimaryAdminTransfer", "UserUpdate"]


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    is_primary_admin: bool
    status: MemberStatus
    external_id: str | None
    created_at: datetime
    # Made for an existing account the org does not manage: suspended, and
    # granting nothing, until the person accepts its invitation.
    awaiting_consent: bool = False


class EmailDeliveryOut(BaseModel):
    """How the invitation's email fared: queued (not tried yet), retrying (a try
    failed; `last_error` says why), sent, or failed (given up after the retries)."""

    status: Literal["queued", "retrying", "sent", "failed"]
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class InvitationOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    role: Role
    as_primary_admin: bool
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    declined_at: datetime | None = None
    # None: no email was queued for it (an invitation from before the outbox).
    email_delivery: EmailDeliveryOut | None = None


class InvitationAccept(StrictBody):
    token: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    password: str | None = Field(default=None, max_length=1024, pattern=NO_NUL)
    # No control characters (NUL would also be a database error on PostgreSQL).
    display_name: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class MyInvitationOut(BaseModel):
    """An invitation waiting for the signed-in person's answer."""

    id: uuid.UUID
    org_id: uuid.UUID
    org_name: str
    role: Role
    created_at: datetime
    expires_at: datetime
    # The org's provisioning (SCIM) already made the entry; accepting releases it.
    for_existing_entry: bool


class AcceptanceOut(BaseModel):
    org_id: uuid.UUID
    user: UserOut
    account_created: bool
