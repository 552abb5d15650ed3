"""The fields of a brand, the levels a resolved field comes from, and asset URLs."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

# The text fields an org sets in its draft (../shared/API.md, "Branding").
TEXT_FIELDS = (
    "product_name",
    "primary_color",
    "accent_color",
    "support_email",
    "support_url",
    "email_from_name",
    "email_from_address",
    "sign_in_message",
    "custom_domain",
)
# Uploaded images: the draft holds an asset id, the API shows its URL.
IMAGE_FIELDS = ("logo_url", "favicon_url")
ALL_FIELDS = TEXT_FIELDS + IMAGE_FIELDS

# Served without authentication; the id is random, the bytes never change.
ASSET_PATH = "/api/v1/public/brand-assets/{asset_id}"


class Level(StrEnum):
    """Where a resolved field's value comes from."""

    ORG = "org"
    PARTNER = "partner"
    PLATFORM = "platform"


@dataclass(frozen=True)
class BrandValues:
    """One set of brand values; None means "not set here"."""

    product_name: str | None = None
    primary_color: str | None = None
    accent_color: str | None = None
    support_email: str | None = None
    support_url: str | None = None
    email_from_name: str | None = None
    email_from_address: str | None = None
    sign_in_message: str | None = None
    custom_domain: str | None = None
    logo_url: str | None = None
    favicon_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ResolvedBrand:
    """Every field's effective value and the level it came from."""

    values: BrandValues
    sources: dict[str, Level]


def asset_url(base_url: str, asset_id: uuid.UUID | None) -> str | None:
    if asset_id is None:
        return None
    return base_url.rstrip("/") + ASSET_PATH.format(asset_id=asset_id)
