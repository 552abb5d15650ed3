"""The branding editor: the draft, a live preview of it, publishing, custom domains."""

from __future__ import annotations

import json

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from tenantree.access.permissions import Permission as P
from tenantree.branding import assets, domains, service
from tenantree.branding.fields import TEXT_FIELDS
from tenantree.branding.models import AssetKind
from tenantree.branding.resolve import layers_for, resolve
from tenantree.console.deps import FormDep, OrgPage
from tenantree.console.forms import done
from tenantree.console.reasons import read_only_message
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import DomainError
from tenantree.web.routing import GatedRouter
from tenantree.web.services import BrandingDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

LABELS = {
    "product_name": "Product name",
    "primary_color": "Primary colour (#rrggbb)",
    "accent_color": "Accent colour (#rrggbb)",
    "support_email": "Support email",
    "support_url": "Support URL",
    "email_from_name": "Email sender name",
    "email_from_address": "Email sender address",
    "sign_in_message": "Sign-in page message",
    "custom_domain": "Custom domain (sign-in host)",
}
DONE = {
    "saved": "Draft saved. Publish it to show it to your users.",
    "uploaded": "Image added to the draft. Publish it to show it to your users.",
    "cleared": "Image removed from the draft: it inherits again.",
    "published": "Brand published.",
    "verified": "Domain verified.",
}


@router.get("/orgs/{org_id}/branding")
def branding_page(
    request: Request, target: OrgPage(P.ORG_BRAND_READ), config: BrandingDep, done: str = ""
) -> Response:
    return _editor(request, target, config, notice=DONE.get(done))


def _editor(
    request: Request,
    target: OrgPage,  # type: ignore[valid-type]
    config: BrandingDep,
    *,
    notice: str | None = None,
    refused: DomainError | None = None,
    entered: dict[str, str | None] | None = None,
) -> Response:
    """The editor; a refused draft is shown back as typed, its error beside the field."""
    overview = service.overview(target.session, config, target.org)
    inherited = resolve(
        layers_for(
            target.session,
            target.org,
            own=None,
            platform=config.platform,
            base_url=config.public_base_url,
        )
    ).values
    return render(
        request,
        target.session,
        "branding.html",
        title=f"Branding of {target.org.name}",
        overview=overview,
        fields=[(f, LABELS[f]) for f in TEXT_FIELDS],
        inherited=inherited,
        inherited_json=json.dumps(
            {
                k: inherited.as_dict()[k]
                for k in ("product_name", "primary_color", "accent_color", "sign_in_message")
            }
        ),
        claims=[
            (c, domains.record_name(c.hostname), domains.record_value(c)) for c in overview.claims
        ],
        notice=notice,
        read_only=read_only_message(target, P.ORG_BRAND_MANAGE),
        refused=refused,
        entered=entered,
        status_code=refused.status if refused is not None else 200,
    )


@router.post("/orgs/{org_id}/branding")
def save_draft(
    request: Request, target: OrgPage(P.ORG_BRAND_MANAGE), config: BrandingDep, form: FormDep
) -> Response:
    values = {field: (form.get(field) or "").strip() or None for field in TEXT_FIELDS}
    try:
        service.save_draft(target.session, target.trail, config, target.org, values=values)
    except DomainError as exc:
        if exc.field not in TEXT_FIELDS:
            raise
        return _editor(request, target, config, refused=exc, entered=values)
    return done(f"/orgs/{target.org.id}/branding", "saved")


@router.post("/orgs/{org_id}/branding/publish")
def publish(target: OrgPage(P.ORG_BRAND_MANAGE), config: BrandingDep) -> Response:
    service.publish(target.session, target.trail, config, target.org)
    return done(f"/orgs/{target.org.id}/branding", "published")


@router.post("/orgs/{org_id}/branding/verify-domain")
def verify_domain(
    target: OrgPage(P.ORG_BRAND_MANAGE), config: BrandingDep, form: FormDep
) -> Response:
    service.verify_domain(
        target.session, target.trail, config, target.org, form.get("hostname") or None
    )
    return done(f"/orgs/{target.org.id}/branding", "verified")


IMAGE_FIELDS = {AssetKind.LOGO: "logo_url", AssetKind.FAVICON: "favicon_url"}


@router.post("/orgs/{org_id}/branding/{kind}")
async def upload_image(
    request: Request, kind: AssetKind, target: OrgPage(P.ORG_BRAND_MANAGE), config: BrandingDep
) -> Response:
    """The editor's script posts the file itself (PNG or SVG, checked by content)."""
    data = await request.body()

    def store() -> None:
        assets.upload_image(
            target.session,
            target.trail,
            config,
            target.org,
            kind,
            data,
            content_type=request.headers.get("content-type"),
        )

    await run_in_threadpool(store)
    return done(f"/orgs/{target.org.id}/branding", "uploaded")


@router.post("/orgs/{org_id}/branding/{kind}/clear")
def clear_image(
    kind: AssetKind, target: OrgPage(P.ORG_BRAND_MANAGE), config: BrandingDep
) -> Response:
    service.clear_image(target.session, target.trail, config, target.org, IMAGE_FIELDS[kind])
    return done(f"/orgs/{target.org.id}/branding", "cleared")
