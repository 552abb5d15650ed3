from __future__ import annotations

from pydantic import BaseModel, Field

from tenantree.api.schemas.common import StrictBody


class PasswordResetRequest(StrictBody):
    # No NUL: PostgreSQL refuses it in text, and no address contains one.
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^\x00]*$")


class PasswordResetRequested(BaseModel):
    status: str = Field(description="The same for every address, whether it has an account or not")


class PasswordResetConfirm(StrictBody):
    token: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    password: str = Field(min_length=1, max_length=1024, pattern=r"^[^\x00]*$")
