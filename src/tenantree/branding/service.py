"""An org's draft and published brand: reading, saving the draft, publishing.

Publishing copies the draft into the published version inside the caller's
unit of work, so what users see changes all at once or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.branding import domains, hostnames, validation
from tenantree.branding.config import BrandingConfig
from tenantree.branding.errors import InvalidBrand
from tenantree.branding.fields import TEXT_FIELDS, BrandValues, ResolvedBrand, asset_url
from tenantree.branding.models import Brand, DomainClaim, Stage
from tenantree.branding.resolve import draft_preview, published_brand, values_of, version
from tenantree.orgs.models import Org

# Image fields of a draft, and the column holding each one's asset.
IMAGE_COLUMNS = {"logo_url": "logo_asset_id", "favicon_url": "favicon_asset_id"}
COPIED_COLUMNS = (*TEXT_FIELDS, *IMAGE_COLUMNS.values())
KEEP: Any = object()


@dataclass(frozen=True)
class VersionView:
    values: BrandValues
    updated_at: datetime | None


@dataclass(frozen=True)
class BrandingOverview:
    draft: VersionView
    published: VersionView | None
    resolved: ResolvedBrand
    preview: ResolvedBrand
    claims: list[DomainClaim]
    unpublished_changes: bool


def _view(brand: Brand | None, base_url: str) -> VersionView | None:
    if brand is None:
        return None
    return VersionView(values_of(brand, base_url), brand.updated_at)


def overview(session: Session, config: BrandingConfig, org: Org) -> BrandingOverview:
    draft = version(session, org.id, Stage.DRAFT)
    published = version(session, org.id, Stage.PUBLISHED)
    base = config.public_base_url
    draft_view = _view(draft, base) or VersionView(BrandValues(), None)
    if published is None:
        unpublished = draft_view.values != BrandValues()
    else:
        unpublished = draft is not None and any(
            getattr(draft, column) != getattr(published, column) for column in COPIED_COLUMNS
        )
    return BrandingOverview(
        draft=draft_view,
        published=_view(published, base),
        resolved=published_brand(session, org, platform=config.platform, base_url=base),
        preview=draft_preview(session, org, platform=config.platform, base_url=base),
        claims=domains.claims_of(session, org.id),
        unpublished_changes=unpublished,
    )


def ensure_version(session: Session, org: Org, stage: Stage) -> Brand:
    """The org's version at this stage, locked for the rest of the unit of work."""
    brand = session.scalar(
        select(Brand).where(Brand.org_id == org.id, Brand.stage == stage).with_for_update()
    )
    if brand is None:
        brand = Brand(org_id=org.id, stage=stage, updated_at=clock.utcnow())
        session.add(brand)
        session.flush()
    return brand


def changes(before: BrandValues, after: BrandValues) -> dict[str, dict[str, Any]]:
    old, new = before.as_dict(), after.as_dict()
    return {k: {"from": old[k], "to": new[k]} for k in old if old[k] != new[k]}


def sync_domains(session: Session, trail: AuditTrail, org: Org) -> None:
    """Claim what the draft or published brand names; release what neither does."""
    named = {
        brand.custom_domain
        for brand in (
            version(session, org.id, Stage.DRAFT),
            version(session, org.id, Stage.PUBLISHED),
        )
        if brand is not None and brand.custom_domain is not None
    }
    domains.sync_claims(session, trail, org, named)


def save_draft(
    session: Session,
    trail: AuditTrail,
    config: BrandingConfig,
    org: Org,
    *,
    values: dict[str, str | None],
    images: dict[str, Any] | None = None,
) -> BrandingOverview:
    """Replace the draft's text fields. An image field is kept (KEEP or its
    current URL) or cleared (None); new images come through assets.upload_image."""
    clean = validation.draft_values(
        {field: values.get(field) for field in TEXT_FIELDS},
        platform_hosts=config.platform_hosts,
    )
    draft = ensure_version(session, org, Stage.DRAFT)
    before = values_of(draft, config.public_base_url)
    for field, value in clean.items():
        setattr(draft, field, value)
    for field, column in IMAGE_COLUMNS.items():
        given = (images or {}).get(field, KEEP)
        if given is KEEP or given == asset_url(config.public_base_url, getattr(draft, column)):
            continue
        if given is not None:
            kind = field.removesuffix("_url")
            raise InvalidBrand(
                f"{field} may only be null (to inherit it) or its current value; "
                f"upload a new image with PUT /api/v1/orgs/{{org_id}}/branding/{kind}",
                field=field,
            )
        setattr(draft, column, None)
    draft.updated_at = clock.utcnow()
    draft.updated_by = trail.actor_id
    session.flush()
    sync_domains(session, trail, org)
    changed = changes(before, values_of(draft, config.public_base_url))
    if changed:
        trail.record(
            AuditAction.BRAND_DRAFT_SAVED,
            org_id=org.id,
            target_type="brand",
            target_id=org.id,
            changes=changed,
        )
    return overview(session, config, org)


def publish(
    session: Session, trail: AuditTrail, config: BrandingConfig, org: Org
) -> BrandingOverview:
    """Copy the draft into the published version, in this unit of work."""
    draft = ensure_version(session, org, Stage.DRAFT)
    published = ensure_version(session, org, Stage.PUBLISHED)
    before = values_of(published, config.public_base_url)
    for column in COPIED_COLUMNS:
        setattr(published, column, getattr(draft, column))
    published.updated_at = clock.utcnow()
    published.updated_by = trail.actor_id
    session.flush()
    sync_domains(session, trail, org)
    trail.record(
        AuditAction.BRAND_PUBLISHED,
        org_id=org.id,
        target_type="brand",
        target_id=org.id,
        changes=changes(before, values_of(published, config.public_base_url)),
    )
    return overview(session, config, org)


def clear_image(
    session: Session, trail: AuditTrail, config: BrandingConfig, org: Org, field: str
) -> BrandingOverview:
    """Drop the draft's logo_url or favicon_url, so it inherits again."""
    draft = ensure_version(session, org, Stage.DRAFT)
    before = values_of(draft, config.public_base_url)
    setattr(draft, IMAGE_COLUMNS[field], None)
    draft.updated_at = clock.utcnow()
    draft.updated_by = trail.actor_id
    session.flush()
    changed = changes(before, values_of(draft, config.public_base_url))
    if changed:
        trail.record(
            AuditAction.BRAND_DRAFT_SAVED,
            org_id=org.id,
            target_type="brand",
            target_id=org.id,
            changes=changed,
        )
    return overview(session, config, org)


def verify_domain(
    session: Session,
    trail: AuditTrail,
    config: BrandingConfig,
    org: Org,
    hostname: str | None,
) -> DomainClaim:
    """Check the TXT record of a claim: the one named, else the draft's (or published) domain."""
    if hostname is not None:
        hostname = hostnames.to_ascii(hostname, field="hostname")
    default = None
    for stage in (Stage.DRAFT, Stage.PUBLISHED):
        brand = version(session, org.id, stage)
        if default is None and brand is not None:
            default = brand.custom_domain
    return domains.verify_domain(session, trail, config.verifier, org, hostname, default=default)
