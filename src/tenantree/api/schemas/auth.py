from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tenantree.api.schemas.common import NO_NUL, StrictBody


class LoginRequest(StrictBody):
    # No NUL (common.NO_NUL): no address contains one.
    email: str = Field(min_length=3, max_length=320, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024, pattern=NO_NUL)


class LoginResponse(BaseModel):
    # mfa_enrolment_required: the token may only enrol a second factor (/me/mfa).
    status: Literal["signed_in", "mfa_enrolment_required"] = "signed_in"
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name
    expires_at: datetime


class MembershipOut(BaseModel):
    org_id: uuid.UUID
    org_name: str
    org_kind: str
    role: str
    is_primary_admin: bool
    status: str


class MeResponse(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    is_operator: bool
    email_confirmed: bool = Field(
        description="False for an account made through an org's own mail channel until its "
        "person confirms the address (POST /api/v1/me/email-confirmation); it answers no "
        "invitation until then"
    )
    memberships: list[MembershipOut]
