from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field

from tenantree.api.schemas.common import NO_NUL, ONE_LINE, StrictBody
from tenantree.branding.fields import Level

Color = Annotated[
    str,
    Field(
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="#rrggbb; must pass the WCAG 2 contrast rule of its field",
        examples=["#1d4ed8"],
    ),
]
# Several lines: tabs and line breaks allowed, not blank.
_LINES = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*\S[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SupportUrl = Annotated[
    str,
    Field(
        max_length=2000,
        pattern=r"^(https://[^\s/?#@:]+(:[0-9]{1,5})?|http://(localhost|127\.0\.0\.1|\[::1\])"
        r"(:[0-9]{1,5})?)([/?#][^\s]*)?$",
        description="https (http only on localhost); no user name or password",
        examples=["https://support.example.com/help"],
    ),
]
Hostname = Annotated[
    str,
    Field(
        min_length=1,
        max_length=253,
        description="A DNS name (internationalized names allowed), without scheme, "
        "port or path; not an IP address, not the platform's own host",
        examples=["portal.example.com"],
    ),
]


class BrandDraftBody(StrictBody):
    """The whole draft: a field left out or null inherits (from the partner, then the
    platform). `logo_url` and `favicon_url` are the exception: left out, the uploaded
    image stays; null clears it; any other value must be its current URL (upload new
    images with PUT .../branding/logo and .../branding/favicon)."""

    product_name: Annotated[str, Field(max_length=100, pattern=ONE_LINE)] | None = None
    primary_color: Color | None = Field(
        default=None, description="Buttons and headers, with white labels: at least 4.5:1"
    )
    accent_color: Color | None = Field(
        default=None, description="Links and controls on the white page: at least 3:1"
    )
    support_email: EmailStr | None = None
    support_url: SupportUrl | None = None
    email_from_name: Annotated[str, Field(max_length=100, pattern=ONE_LINE)] | None = None
    email_from_address: EmailStr | None = None
    sign_in_message: Annotated[str, Field(max_length=1000, pattern=_LINES)] | None = None
    custom_domain: Hostname | None = Field(
        default=None,
        description="Claimed when saved (unique across the platform: 409 if taken); "
        "resolves only once verified with POST .../branding/domain/verify",
    )
    logo_url: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)
    favicon_url: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


class BrandFieldsOut(BaseModel):
    product_name: str | None
    primary_color: str | None
    accent_color: str | None
    support_email: str | None
    support_url: str | None
    email_from_name: str | None
    email_from_address: str | None
    sign_in_message: str | None
    custom_domain: str | None
    logo_url: str | None
    favicon_url: str | None


class BrandVersionOut(BrandFieldsOut):
    updated_at: datetime | None = Field(description="When saved (draft) or published")


class BrandSourcesOut(BaseModel):
    """The level each resolved field comes from."""

    product_name: Level
    primary_color: Level
    accent_color: Level
    support_email: Level
    support_url: Level
    email_from_name: Level
    email_from_address: Level
    sign_in_message: Level
    custom_domain: Level
    logo_url: Level
    favicon_url: Level


class DomainClaimOut(BaseModel):
    hostname: str
    status: Literal["pending", "verified"]
    txt_record_name: str = Field(description="Create a TXT record with this name ...")
    txt_record_value: str = Field(description="... and this value, then verify")
    claimed_at: datetime
    verified_at: datetime | None


class BrandingOut(BaseModel):
    org_id: uuid.UUID
    draft: BrandVersionOut
    published: BrandVersionOut | None = Field(description="null until first published")
    resolved: BrandFieldsOut = Field(description="What the org's users see now (published)")
    sources: BrandSourcesOut
    preview: BrandFieldsOut = Field(description="What they would see if the draft were published")
    preview_sources: BrandSourcesOut
    unpublished_changes: bool
    domains: list[DomainClaimOut] = Field(description="The org's custom domain claims")


class BrandAssetOut(BaseModel):
    id: uuid.UUID
    kind: Literal["logo", "favicon"]
    content_type: Literal["image/png", "image/svg+xml"]
    size: int
    sha256: str
    url: str
    sanitized_removed: list[str] = Field(
        description="What SVG sanitising removed (scripts, event handlers, external links...)"
    )
    created_at: datetime


class DomainVerifyBody(StrictBody):
    hostname: Hostname | None = Field(
        default=None, description="Which claim to check; default: the draft's custom_domain"
    )


class PublicBrandOut(BaseModel):
    """What a sign-in page shows: the published brand, resolved."""

    product_name: str | None
    primary_color: str | None
    accent_color: str | None
    logo_url: str | None
    favicon_url: str | None
    sign_in_message: str | None
    support_email: str | None
    support_url: str | None
    custom_domain: str | None = Field(description="The host matched, or null (platform brand)")


class SmtpRelayOut(BaseModel):
    host: str
    port: int
    starttls: bool
    username: str | None
    password_set: bool = Field(description="The password itself is never returned")
    updated_at: datetime


class SmtpRelayStatusOut(BaseModel):
    relay: SmtpRelayOut | None = Field(description="This org's own relay, if set")
    delivery_via: Level = Field(description="Whose relay this org's email goes through")
