"""Inheritance: each field from the org, else its partners' published brands up the
chain (a tier-2 partner's, then its distributor's), else the platform.

A custom domain counts at a level only once its claim is verified.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.branding.domains import verified_hostnames, verified_owner
from tenantree.branding.fields import (
    ALL_FIELDS,
    TEXT_FIELDS,
    BrandValues,
    Level,
    ResolvedBrand,
    asset_url,
)
from tenantree.branding.models import Brand, Stage
from tenantree.orgs.models import Org


def values_of(brand: Brand | None, base_url: str) -> BrandValues:
    """The values one version sets itself (nothing inherited)."""
    if brand is None:
        return BrandValues()
    return BrandValues(
        **{field: getattr(brand, field) for field in TEXT_FIELDS},
        logo_url=asset_url(base_url, brand.logo_asset_id),
        favicon_url=asset_url(base_url, brand.favicon_asset_id),
    )


def resolve(layers: Sequence[tuple[Level, BrandValues]]) -> ResolvedBrand:
    """Every field from the first layer that sets it (the last layer is the platform)."""
    values: dict[str, object] = {}
    sources: dict[str, Level] = {}
    for field in ALL_FIELDS:
        values[field], sources[field] = None, Level.PLATFORM
        for level, layer in layers:
            value = getattr(layer, field)
            if value is not None:
                values[field], sources[field] = value, level
                break
    return ResolvedBrand(BrandValues(**values), sources)  # type: ignore[arg-type]


def version(session: Session, org_id: uuid.UUID, stage: Stage) -> Brand | None:
    return session.scalar(select(Brand).where(Brand.org_id == org_id, Brand.stage == stage))


def _verified_only(values: BrandValues, org_id: uuid.UUID, verified: set[tuple]) -> BrandValues:
    if values.custom_domain is None or (org_id, values.custom_domain) in verified:
        return values
    return BrandValues(**{**values.as_dict(), "custom_domain": None})


def _ancestor_ids(session: Session, org: Org) -> list[uuid.UUID]:
    """The org's partner, that partner's own partner (a tier-2 partner's
    distributor), and so on: nearest first, one short query per level above
    the first (the tree is at most a few levels deep)."""
    ids: list[uuid.UUID] = []
    parent_id = org.parent_id
    while parent_id is not None:
        ids.append(parent_id)
        if len(ids) >= org.depth:
            break
        parent_id = session.scalar(select(Org.parent_id).where(Org.id == parent_id))
    return ids


def layers_for(
    session: Session,
    org: Org,
    *,
    own: Brand | None,
    platform: BrandValues,
    base_url: str,
) -> list[tuple[Level, BrandValues]]:
    """The org's own version given, then each partner's published brand up the
    chain (nearest first), then the platform."""
    ancestors = _ancestor_ids(session, org)
    verified = verified_hostnames(session, [org.id, *ancestors])
    layers = [(Level.ORG, _verified_only(values_of(own, base_url), org.id, verified))]
    for ancestor_id in ancestors:
        brand = version(session, ancestor_id, Stage.PUBLISHED)
        layers.append(
            (Level.PARTNER, _verified_only(values_of(brand, base_url), ancestor_id, verified))
        )
    layers.append((Level.PLATFORM, platform))
    return layers


def published_brand(
    session: Session, org: Org, *, platform: BrandValues, base_url: str
) -> ResolvedBrand:
    """What the org's users see now."""
    own = version(session, org.id, Stage.PUBLISHED)
    return resolve(layers_for(session, org, own=own, platform=platform, base_url=base_url))


def draft_preview(
    session: Session, org: Org, *, platform: BrandValues, base_url: str
) -> ResolvedBrand:
    """What the org's users would see if the draft were published now."""
    own = version(session, org.id, Stage.DRAFT)
    return resolve(layers_for(session, org, own=own, platform=platform, base_url=base_url))


def org_for_host(session: Session, hostname: str) -> Org | None:
    """The active org whose published brand names this verified hostname itself."""
    org_id = verified_owner(session, hostname)
    if org_id is None:
        return None
    published = version(session, org_id, Stage.PUBLISHED)
    if published is None or published.custom_domain != hostname:
        return None
    org = session.get(Org, org_id)
    if org is None or not org.is_active:
        return None
    return org


def platform_resolved(platform: BrandValues) -> ResolvedBrand:
    return resolve([(Level.PLATFORM, platform)])
