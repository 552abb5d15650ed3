"""Input of the integration forms and API (tokens, single sign-on), one schema for both."""

from __future__ import annotations

from pydantic import Field

from tenantree.identity.roles import Role
from tenantree.sso.config import SsoSettings
from tenantree.web.schemas.common import NO_NUL, Name, StrictBody, Timestamp


class ApiTokenCreate(StrictBody):
    name: str = Name
    role: Role
    expires_at: Timestamp | None = None


class ScimTokenCreate(StrictBody):
    name: str = Name
    expires_at: Timestamp | None = None


class SsoConfigIn(StrictBody):
    issuer: str = Field(
        min_length=8, max_length=500, pattern=NO_NUL, description="OIDC issuer (discovery)"
    )
    client_id: str = Field(min_length=1, max_length=255, pattern=NO_NUL)
    client_secret: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        pattern=NO_NUL,
        description="Omit to keep the stored one",
    )
    allowed_domains: list[str] = Field(min_length=1, max_length=50)
    sso_required: bool = False
    jit_role: Role | None = Field(
        default=None, description="Create unknown people with this role; null: never"
    )

    def settings(self) -> SsoSettings:
        """What the service takes: one unpacking for the API and the console."""
        return SsoSettings(
            issuer=self.issuer,
            client_id=self.client_id,
            client_secret=self.client_secret,
            allowed_domains=self.allowed_domains,
            sso_required=self.sso_required,
            jit_role=self.jit_role,
        )
