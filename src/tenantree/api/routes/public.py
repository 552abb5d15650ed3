"""What anyone may read without signing in: the public brand of a host, and brand images."""

import hashlib
import json
import uuid
from typing import Annotated

from fastapi import Header, Query, Request, Response
from sqlalchemy.orm import Session

from tenantree.access.permissions import Permission as P
from tenantree.access.service import authorize
from tenantree.api.deps import BrandingDep, SessionDep, UnitOfWorkRoute
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import QUERY_TEXT
from tenantree.api.schemas.branding import PublicBrandOut
from tenantree.authn.signin import authenticate
from tenantree.branding import assets
from tenantree.branding.errors import AssetNotFound
from tenantree.branding.fields import ASSET_PATH
from tenantree.branding.hostnames import host_of_request
from tenantree.branding.resolve import org_for_host, platform_resolved, published_brand
from tenantree.errors import DomainError
from tenantree.web.cookie_session import SESSION_COOKIE
from tenantree.web.routing import GatedRouter
from tenantree.web.services import Services, ServicesDep

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/public",
    tags=["public"],
    responses={404: ERROR_RESPONSES[404], 422: ERROR_RESPONSES[422]},
)

PUBLIC = {"security": []}
BRAND_MAX_AGE = 60
ASSET_CACHE = "public, max-age=31536000, immutable"
DRAFT_ASSET_CACHE = "private, no-cache"
# An SVG opened on its own may run nothing and fetch nothing (it was sanitised too).
ASSET_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"

IfNoneMatch = Annotated[str | None, Header(max_length=1000)]


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _not_modified(headers: dict[str, str]) -> Response:
    return Response(status_code=304, headers=headers)


@router.get(
    "/branding",
    response_model=PublicBrandOut,
    operation_id="get_public_branding",
    openapi_extra=PUBLIC,
    description=(
        "The published brand for a host, resolved (org, then its partner, then the "
        "platform): the org whose verified custom domain is `host` (default: this "
        "request's Host header), else the platform brand. Cacheable: send the ETag "
        "back in If-None-Match for a 304."
    ),
    responses={304: {"description": "Not modified (If-None-Match matched the ETag)"}},
)
def get_public_branding(
    request: Request,
    session: SessionDep,
    config: BrandingDep,
    host: Annotated[
        str | None,
        Query(
            max_length=300,
            pattern=QUERY_TEXT,
            description="Hostname (a port is ignored); default: Host header",
        ),
    ] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    raw = host if host is not None else request.headers.get("host", "")
    hostname = host_of_request(raw)
    org = org_for_host(session, hostname) if hostname else None
    if org is None:
        resolved = platform_resolved(config.platform)
    else:
        resolved = published_brand(
            session, org, platform=config.platform, base_url=config.public_base_url
        )
    values = resolved.values.as_dict()
    values["custom_domain"] = hostname if org is not None else None
    body = PublicBrandOut(**{k: values[k] for k in PublicBrandOut.model_fields})
    payload = json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    etag = '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={BRAND_MAX_AGE}"}
    if host is None:
        headers["Vary"] = "Host"
    if _matches(if_none_match, etag):
        return _not_modified(headers)
    return Response(payload, media_type="application/json", headers=headers)


@router.get(
    ASSET_PATH.removeprefix("/api/v1/public"),
    operation_id="get_brand_asset",
    openapi_extra=PUBLIC,
    response_class=Response,
    description="An uploaded logo or favicon. Immutable: cache it for ever.",
    responses={
        200: {
            "description": "The image",
            "content": {
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "image/svg+xml": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
    },
)
def get_brand_asset(
    asset_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    if_none_match: IfNoneMatch = None,
) -> Response:
    asset = assets.get_asset(session, asset_id)
    published = assets.is_published(session, asset)
    if not published:
        _require_brand_reader(request, session, services, asset.org_id)
    headers = {
        "ETag": f'"{asset.sha256}"',
        "Cache-Control": ASSET_CACHE if published else DRAFT_ASSET_CACHE,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": ASSET_CSP,
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if _matches(if_none_match, headers["ETag"]):
        return _not_modified(headers)
    return Response(asset.data, media_type=asset.content_type, headers=headers)


def _require_brand_reader(
    request: Request, session: Session, services: Services, org_id: uuid.UUID
) -> None:
    """A draft's image is shown to those who may read the org's brand: by bearer token,
    or by the console's session cookie (the editor's preview). To anyone else it does
    not exist."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    token = token or request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise AssetNotFound("no such brand asset")
    try:
        _, actor = authenticate(session, services.identity, token)
        authorize(session, actor, P.ORG_BRAND_READ, org_id)
    except DomainError as exc:
        raise AssetNotFound("no such brand asset") from exc
