"""An org's brand: draft, publishing, images, custom domain, SMTP relay."""

from dataclasses import asdict, dataclass
from email.message import Message
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response

from tenantree.access.permissions import Permission as P
from tenantree.api.deps import BrandingDep, OrgRequest, OrgWith, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.branding import (
    BrandAssetOut,
    BrandDraftBody,
    BrandFieldsOut,
    BrandingOut,
    BrandSourcesOut,
    BrandVersionOut,
    DomainClaimOut,
    DomainVerifyBody,
    SmtpRelayOut,
    SmtpRelayStatusOut,
)
from tenantree.api.schemas.common import ErrorResponse
from tenantree.branding import assets, domains, relay, service
from tenantree.branding.config import BrandingConfig
from tenantree.branding.fields import TEXT_FIELDS, BrandValues, ResolvedBrand, asset_url
from tenantree.branding.models import AssetKind, BrandAsset, DomainClaim
from tenantree.branding.service import BrandingOverview
from tenantree.orgs.models import Org
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.relay import SmtpRelayBody

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}/branding",
    tags=["branding"],
    responses=ERROR_RESPONSES,
)


def fields_out(values: BrandValues) -> BrandFieldsOut:
    return BrandFieldsOut(**values.as_dict())


def sources_out(resolved: ResolvedBrand) -> BrandSourcesOut:
    return BrandSourcesOut(**resolved.sources)


def claim_out(claim: DomainClaim) -> DomainClaimOut:
    return DomainClaimOut(
        hostname=claim.hostname,
        status="verified" if claim.verified_at is not None else "pending",
        txt_record_name=domains.record_name(claim.hostname),
        txt_record_value=domains.record_value(claim),
        claimed_at=claim.created_at,
        verified_at=claim.verified_at,
    )


def branding_out(org: Org, overview: BrandingOverview) -> BrandingOut:
    published = overview.published
    return BrandingOut(
        org_id=org.id,
        draft=BrandVersionOut(
            **overview.draft.values.as_dict(), updated_at=overview.draft.updated_at
        ),
        published=BrandVersionOut(**published.values.as_dict(), updated_at=published.updated_at)
        if published is not None
        else None,
        resolved=fields_out(overview.resolved.values),
        sources=sources_out(overview.resolved),
        preview=fields_out(overview.preview.values),
        preview_sources=sources_out(overview.preview),
        unpublished_changes=overview.unpublished_changes,
        domains=[claim_out(c) for c in overview.claims],
    )


@router.get("", response_model=BrandingOut, operation_id="get_branding")
def get_branding(target: OrgWith(P.ORG_BRAND_READ), config: BrandingDep) -> BrandingOut:
    return branding_out(target.org, service.overview(target.session, config, target.org))


@router.put("", response_model=BrandingOut, operation_id="save_branding_draft")
def save_draft(
    body: BrandDraftBody, target: OrgWith(P.ORG_BRAND_MANAGE), config: BrandingDep
) -> BrandingOut:
    given = body.model_fields_set
    overview = service.save_draft(
        target.session,
        target.trail,
        config,
        target.org,
        values={field: getattr(body, field) for field in TEXT_FIELDS},
        images={f: getattr(body, f) for f in ("logo_url", "favicon_url") if f in given},
    )
    return branding_out(target.org, overview)


@router.post("/publish", response_model=BrandingOut, operation_id="publish_branding")
def publish(target: OrgWith(P.ORG_BRAND_MANAGE), config: BrandingDep) -> BrandingOut:
    overview = service.publish(target.session, target.trail, config, target.org)
    return branding_out(target.org, overview)


# --- images -----------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str | None


def _image_body(kind: AssetKind) -> Any:
    limit = assets.SIZE_LIMITS[kind]

    async def read(request: Request) -> Upload:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise assets.too_large(kind)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise assets.too_large(kind)
            chunks.append(chunk)
        return Upload(b"".join(chunks), request.headers.get("content-type"))

    read.__name__ = f"read_{kind.value}"
    return Depends(read)


def _filename(content_disposition: str | None) -> str | None:
    if not content_disposition:
        return None
    header = Message()
    header["content-disposition"] = content_disposition
    return header.get_filename()


def _upload_doc(kind: AssetKind) -> dict[str, Any]:
    limit = assets.SIZE_LIMITS[kind] // 1024
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "summary": f"Upload the draft's {kind.value}",
        "description": (
            f"The image is the raw request body (not multipart), at most {limit} KiB, "
            "with `Content-Type: image/png` or `image/svg+xml`. Its type is read from the "
            "content: a declared type (or a `Content-Disposition` file name) that disagrees "
            "with it is refused. SVG is sanitised: scripts, event handlers, external "
            "references and the like are removed before it is stored."
        ),
        "openapi_extra": {
            "requestBody": {
                "required": True,
                "content": {"image/png": binary, "image/svg+xml": binary},
            }
        },
        "responses": {
            413: {"model": ErrorResponse, "description": f"Larger than {limit} KiB"},
            415: {
                "model": ErrorResponse,
                "description": "Not sent as image/png or image/svg+xml",
            },
        },
    }


ContentDisposition = Annotated[
    str | None,
    Header(max_length=500, description='Optional, e.g. `inline; filename="logo.svg"`'),
]


def asset_out(asset: BrandAsset, removed: tuple[str, ...], base_url: str) -> BrandAssetOut:
    return BrandAssetOut(
        id=asset.id,
        kind=asset.kind,  # type: ignore[arg-type]
        content_type=asset.content_type,  # type: ignore[arg-type]
        size=asset.size,
        sha256=asset.sha256,
        url=asset_url(base_url, asset.id) or "",
        sanitized_removed=list(removed),
        created_at=asset.created_at,
    )


def _upload(
    target: OrgRequest,
    config: BrandingConfig,
    kind: AssetKind,
    upload: Upload,
    content_disposition: str | None,
) -> BrandAssetOut:
    asset, image = assets.upload_image(
        target.session,
        target.trail,
        config,
        target.org,
        kind,
        upload.data,
        content_type=upload.content_type,
        filename=_filename(content_disposition),
    )
    return asset_out(asset, image.removed, config.public_base_url)


@router.put(
    "/logo",
    response_model=BrandAssetOut,
    operation_id="upload_brand_logo",
    **_upload_doc(AssetKind.LOGO),
)
def upload_logo(
    target: OrgWith(P.ORG_BRAND_MANAGE),
    config: BrandingDep,
    content_disposition: ContentDisposition = None,
    upload: Upload = _image_body(AssetKind.LOGO),
) -> BrandAssetOut:
    return _upload(target, config, AssetKind.LOGO, upload, content_disposition)


@router.put(
    "/favicon",
    response_model=BrandAssetOut,
    operation_id="upload_brand_favicon",
    **_upload_doc(AssetKind.FAVICON),
)
def upload_favicon(
    target: OrgWith(P.ORG_BRAND_MANAGE),
    config: BrandingDep,
    content_disposition: ContentDisposition = None,
    upload: Upload = _image_body(AssetKind.FAVICON),
) -> BrandAssetOut:
    return _upload(target, config, AssetKind.FAVICON, upload, content_disposition)


@router.delete("/logo", response_model=BrandingOut, operation_id="clear_brand_logo")
def clear_logo(target: OrgWith(P.ORG_BRAND_MANAGE), config: BrandingDep) -> BrandingOut:
    overview = service.clear_image(target.session, target.trail, config, target.org, "logo_url")
    return branding_out(target.org, overview)


@router.delete("/favicon", response_model=BrandingOut, operation_id="clear_brand_favicon")
def clear_favicon(target: OrgWith(P.ORG_BRAND_MANAGE), config: BrandingDep) -> BrandingOut:
    overview = service.clear_image(target.session, target.trail, config, target.org, "favicon_url")
    return branding_out(target.org, overview)


# --- custom domain ----------------------------------------------------------


@router.post(
    "/domain/verify",
    response_model=DomainClaimOut,
    operation_id="verify_brand_domain",
    description="Looks up the claim's TXT record (see `domains` in GET .../branding). "
    "409 `domain_not_verified` when it is not there yet; 503 when DNS cannot be asked.",
    responses={
        503: {"model": ErrorResponse, "description": "DNS could not be asked; try again later"}
    },
)
def verify_domain(
    target: OrgWith(P.ORG_BRAND_MANAGE),
    config: BrandingDep,
    body: DomainVerifyBody | None = None,
) -> DomainClaimOut:
    claim = service.verify_domain(
        target.session,
        target.trail,
        config,
        target.org,
        body.hostname if body is not None else None,
    )
    return claim_out(claim)


# --- SMTP relay -------------------------------------------------------------


def relay_status(target: OrgRequest) -> SmtpRelayStatusOut:
    own = relay.get_relay(target.session, target.org.id)
    level, _ = relay.effective_relay(target.session, target.org)
    return SmtpRelayStatusOut(
        relay=SmtpRelayOut(**asdict(relay.describe(own))) if own is not None else None,
        delivery_via=level,
    )


@router.get("/smtp-relay", response_model=SmtpRelayStatusOut, operation_id="get_smtp_relay")
def get_smtp_relay(target: OrgWith(P.ORG_BRAND_MANAGE)) -> SmtpRelayStatusOut:
    return relay_status(target)


@router.put("/smtp-relay", response_model=SmtpRelayStatusOut, operation_id="set_smtp_relay")
def set_smtp_relay(
    body: SmtpRelayBody, target: OrgWith(P.ORG_BRAND_MANAGE), config: BrandingDep
) -> SmtpRelayStatusOut:
    password = body.password if "password" in body.model_fields_set else relay.KEEP_PASSWORD
    relay.set_relay(
        target.session,
        target.trail,
        target.org,
        secret_key=config.secret_key,
        allow_private_hosts=config.allow_private_relay_hosts,
        host=body.host,
        port=body.port,
        starttls=body.starttls,
        username=body.username,
        password=password,
    )
    return relay_status(target)


@router.delete("/smtp-relay", status_code=204, operation_id="remove_smtp_relay")
def remove_smtp_relay(target: OrgWith(P.ORG_BRAND_MANAGE)) -> Response:
    relay.remove_relay(target.session, target.trail, target.org)
    return Response(status_code=204)
