from __future__ import annotations

from pydantic import BaseModel, Field

from tenantree.api.schemas.common import NO_NUL, StrictBody


class PasswordResetRequest(StrictBody):
    # No NUL (common.NO_NUL): no address contains one.
    email: str = Field(min_length=3, max_length=320, pattern=NO_NUL)


class PasswordResetRequested(BaseModel):
    status: str = Field(description="The same for every address, whether it has an account or not")


class PasswordResetConfirm(StrictBody):
    token: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=1024, pattern=NO_NUL)


class EmailConfirmationRequested(BaseModel):
    status: str = Field(description="`sent`, or `already_confirmed` (nothing sent)")


class EmailConfirmationConfirm(StrictBody):
    token: str = Field(min_length=1, max_length=200, pattern=NO_NUL)


class EmailConfirmed(BaseModel):
    email: str
    email_confirmed: bool
