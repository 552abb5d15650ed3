from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tenantree.identity.roles import Role

TokenStatus = Literal["active", "expired", "revoked"]


class ApiTokenOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    role: Role
    user_id: uuid.UUID | None = Field(
        description="The service account's entry in the org's directory (list it in a "
        "sub-org's partner_users to let a partner token in); null once revoked."
    )
    status: TokenStatus
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenIssued(ApiTokenOut):
    token: str = Field(description="The secret, shown this once; send it as a bearer token.")


class ScimTokenOut(BaseModel):
    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    status: TokenStatus
    scim_base_url: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ScimTokenIssued(ScimTokenOut):
    token: str = Field(description="The secret, shown this once; paste it into the IdP.")


class SsoTestStarted(BaseModel):
    authorization_url: str = Field(description="Open in the browser; sign in as yourself")
    expires_in: int = Field(description="Seconds the test sign-in may take")


class SsoConfigOut(BaseModel):
    org_id: uuid.UUID
    issuer: str
    client_id: str
    has_client_secret: bool
    allowed_domains: list[str]
    sso_required: bool
    jit_role: Role | None
    redirect_uri: str = Field(description="Register this at the identity provider")
    sign_in_url: str = Field(description="Where a browser starts signing in to this org")
    updated_at: datetime
