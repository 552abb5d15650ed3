from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tenantree.api.schemas.common import NO_NUL, StrictBody

_CHALLENGE = Field(min_length=1, max_length=200, pattern=NO_NUL)


class MfaRequiredResponse(BaseModel):
    """The password was right; complete with POST /api/v1/auth/login/mfa."""

    status: Literal["mfa_required"] = "mfa_required"
    challenge: str
    expires_at: datetime


class MfaLoginRequest(StrictBody):
    challenge: str = _CHALLENGE
    code: str | None = Field(default=None, max_length=16, pattern=NO_NUL)
    recovery_code: str | None = Field(default=None, max_length=32, pattern=NO_NUL)
    passkey: dict[str, Any] | None = Field(
        default=None, description="The browser's answer (PublicKeyCredential as JSON)"
    )


class PasskeyOptionsRequest(StrictBody):
    challenge: str = _CHALLENGE


class TotpEnrolmentOut(BaseModel):
    secret: str
    provisioning_uri: str


class TotpConfirmRequest(StrictBody):
    code: str = Field(min_length=6, max_length=16, pattern=NO_NUL)


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(
        description="Shown once; empty when the account already had a set"
    )


class PasskeyRegistrationOptionsOut(BaseModel):
    registration: str
    options: dict[str, Any]


class PasskeyRegisterRequest(StrictBody):
    registration: str = _CHALLENGE
    credential: dict[str, Any]
    name: str = Field(default="Passkey", max_length=100, pattern=NO_NUL)


class PasskeyOut(BaseModel):
    id: uuid.UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None


class PasskeyRegisteredOut(PasskeyOut):
    recovery_codes: list[str]


class SecondFactorsOut(BaseModel):
    totp: bool
    passkeys: list[PasskeyOut]
    recovery_codes_left: int
    mfa_required: bool


class MfaPolicyBody(StrictBody):
    required: bool
    required_for_sub_orgs: bool = False


class MfaPolicyOut(BaseModel):
    required: bool
    required_for_sub_orgs: bool
    inherited: bool = Field(description="Required by a partner above: cannot be lifted here")
    effective: bool
