"""Uploading a logo or favicon into the draft, and reading assets back."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding.config import BrandingConfig
from tenantree.branding.errors import AssetNotFound, ImageTooLarge, UnsupportedImageType
from tenantree.branding.fields import asset_url
from tenantree.branding.images import CONTENT_TYPES, CheckedImage, check_image
from tenantree.branding.models import AssetKind, Brand, BrandAsset, Stage
from tenantree.branding.service import ensure_version
from tenantree.orgs.models import Org

# Bytes, as uploaded (an SVG is checked against the limit before sanitising).
SIZE_LIMITS = {AssetKind.LOGO: 512 * 1024, AssetKind.FAVICON: 128 * 1024}
COLUMNS = {AssetKind.LOGO: "logo_asset_id", AssetKind.FAVICON: "favicon_asset_id"}


def too_large(kind: AssetKind) -> ImageTooLarge:
    limit = SIZE_LIMITS[kind]
    return ImageTooLarge(
        f"a {kind.value} may be at most {limit // 1024} KiB ({limit} bytes)",
        field="body",
        extra={"limit_bytes": limit},
    )


def declared_type(content_type: str | None) -> str:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media not in CONTENT_TYPES:
        raise UnsupportedImageType(
            "send the image as the request body with Content-Type image/png or image/svg+xml"
            + (f" (got {media})" if media else ""),
            field="content-type",
        )
    return media


def upload_image(
    session: Session,
    trail: AuditTrail,
    config: BrandingConfig,
    org: Org,
    kind: AssetKind,
    data: bytes,
    *,
    content_type: str | None,
    filename: str | None = None,
) -> tuple[BrandAsset, CheckedImage]:
    """Check, sanitise and store an image, and make it the draft's logo or favicon."""
    declared = declared_type(content_type)
    if len(data) > SIZE_LIMITS[kind]:
        raise too_large(kind)
    image = check_image(data, declared=declared, filename=filename)
    asset = BrandAsset(
        org_id=org.id,
        kind=kind,
        content_type=image.content_type,
        data=image.data,
        size=len(image.data),
        sha256=hashlib.sha256(image.data).hexdigest(),
        created_at=clock.utcnow(),
        created_by=trail.actor_id,
    )
    session.add(asset)
    session.flush()
    draft = ensure_version(session, org, Stage.DRAFT)
    previous = getattr(draft, COLUMNS[kind])
    setattr(draft, COLUMNS[kind], asset.id)
    draft.updated_at = clock.utcnow()
    draft.updated_by = trail.actor_id
    session.flush()
    trail.record(
        AuditAction.BRAND_ASSET_UPLOADED,
        org_id=org.id,
        target_type="brand_asset",
        target_id=asset.id,
        kind=kind.value,
        content_type=asset.content_type,
        size=asset.size,
        sha256=asset.sha256,
        sanitized_removed=list(image.removed),
        replaces=asset_url(config.public_base_url, previous),
    )
    return asset, image


def get_asset(session: Session, asset_id: uuid.UUID) -> BrandAsset:
    asset = session.get(BrandAsset, asset_id)
    if asset is None:
        raise AssetNotFound("no such brand asset")
    return asset


def is_published(session: Session, asset: BrandAsset) -> bool:
    """Is the asset a published brand's logo or favicon? Only those are public: a
    draft's upload is seen by those who may read the org's brand, until published."""
    return (
        session.scalar(
            select(Brand.id).where(
                Brand.stage == Stage.PUBLISHED,
                or_(Brand.logo_asset_id == asset.id, Brand.favicon_asset_id == asset.id),
            )
        )
        is not None
    )
