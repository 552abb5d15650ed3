"""A brand's logo and favicon on the local database, in the API's shapes
(PUT/DELETE /orgs/{org_id}/branding/logo|favicon): checked, sanitised and
stored by branding.assets exactly as an upload through the API."""

from __future__ import annotations

import uuid

from tenantree.branding import assets
from tenantree.branding import service as branding
from tenantree.branding.fields import asset_url
from tenantree.branding.models import AssetKind
from tenantree.cli import records
from tenantree.cli.backend import Record, Refused
from tenantree.cli.local_base import LocalBase, domain_refusals


def _kind(kind: str) -> AssetKind:
    try:
        return AssetKind(kind)
    except ValueError as exc:
        raise Refused("invalid", f"no brand image is called {kind!r}", "kind", 422) from exc


class BrandImageOperations(LocalBase):
    def upload_brand_image(
        self, org_id: uuid.UUID, kind: str, data: bytes, *, content_type: str, filename: str
    ) -> Record:
        org = self._org(org_id)
        with domain_refusals():
            asset, image = assets.upload_image(
                self.session,
                self.trail,
                self.brands,
                org,
                _kind(kind),
                data,
                content_type=content_type,
                filename=filename,
            )
        return records.jsonable(
            {
                "id": asset.id,
                "kind": asset.kind,
                "content_type": asset.content_type,
                "size": asset.size,
                "sha256": asset.sha256,
                "url": asset_url(self.brands.public_base_url, asset.id) or "",
                "sanitized_removed": list(image.removed),
                "created_at": asset.created_at,
            }
        )

    def clear_brand_image(self, org_id: uuid.UUID, kind: str) -> Record:
        org = self._org(org_id)
        field = f"{_kind(kind).value}_url"
        with domain_refusals():
            overview = branding.clear_image(self.session, self.trail, self.brands, org, field)
        return records.branding_record(org, overview)
