"""Rendering console pages: templates, the brand they wear, security headers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from tenantree.access.permissions import Permission
from tenantree.alerts.service import describe, open_alerts
from tenantree.branding.fields import BrandValues
from tenantree.branding.hostnames import host_of_request
from tenantree.branding.resolve import org_for_host, published_brand
from tenantree.orgs.models import Org
from tenantree.web.cookie_session import csrf_token, finish
from tenantree.web.request_state import noted

TEMPLATES = Path(__file__).parent / "templates"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: http: https:; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

# Links of an org's navigation, each shown only when the viewer holds its permission.
NAV = (
    ("Overview", "", Permission.ORG_VIEW),
    ("Users", "/users", Permission.ORG_USERS_READ),
    ("Customers", "/customers", Permission.ORG_SUB_ORGS_READ),
    ("Sub-orgs", "/sub-orgs", Permission.ORG_SUB_ORGS_READ),
    ("Access", "/access", Permission.ORG_ACCESS_READ),
    ("Licenses", "/licenses", Permission.ORG_LICENSE_REPORT_READ),
    ("Branding", "/branding", Permission.ORG_BRAND_READ),
    ("Email domains", "/domains", Permission.ORG_DOMAINS_MANAGE),
    ("Webhooks", "/webhooks", Permission.ORG_WEBHOOKS_MANAGE),
    ("Settings", "/settings", Permission.ORG_VIEW),
    ("Single sign-on", "/sso", Permission.ORG_USERS_MANAGE),
    ("SCIM tokens", "/scim-tokens", Permission.ORG_USERS_MANAGE),
    ("API tokens", "/api-tokens", Permission.ORG_USERS_MANAGE),
    ("Alerts", "/alerts", Permission.ORG_ALERTS_READ),
    ("Audit log", "/audit", Permission.ORG_AUDIT_READ),
)


def services_of(request: Request) -> Any:
    return request.app.state.services


def brand_for(request: Request, session: Session | None, org: Org | None) -> BrandValues:
    """The current org's resolved brand, else the brand of the Host's verified domain.

    Without a session (an error page after the request's unit of work ended),
    the brand already resolved for this request, else the platform's.
    """
    config = services_of(request).branding
    known = noted(request, "brand")
    if known is not None and (org is None or org is noted(request, "org")):
        return known  # type: ignore[no-any-return]
    if session is None:
        return config.platform  # type: ignore[no-any-return]
    if org is None:
        hostname = host_of_request(request.headers.get("host", ""))
        org = org_for_host(session, hostname) if hostname else None
    if org is None:
        return config.platform
    return published_brand(
        session, org, platform=config.platform, base_url=config.public_base_url
    ).values


# Past this many orgs a person belongs to, their list wears the platform's brand
# rather than resolving each org's.
SHARED_BRAND_MAX_ORGS = 20


def shared_brand(request: Request, session: Session, orgs: list[Org]) -> BrandValues | None:
    """The brand every one of these orgs wears (a partner's staff and customers),
    or None when they differ or there are none: a page about all of them then
    wears only a brand they share."""
    if not orgs or len(orgs) > SHARED_BRAND_MAX_ORGS:
        return None
    brands = [brand_for(request, session, org) for org in orgs]
    first = brands[0]
    return first if all(b == first for b in brands[1:]) else None


def _color(value: str | None, default: str) -> str:
    return value if value and _HEX.match(value) else default


def nav_for(request: Request, org: Org | None) -> list[dict[str, Any]]:
    if org is None:
        return []
    allowed = noted(request, "granted", frozenset())
    items = []
    for label, suffix, permission in NAV:
        if permission not in allowed:
            continue
        if suffix in ("/sub-orgs", "/customers") and not org.is_partner:
            continue
        if suffix == "/access" and not org.is_sub_org:
            continue
        href = f"/orgs/{org.id}{suffix}"
        items.append({"label": label, "href": href, "current": request.url.path == href})
    return items


MAX_BANNER_ALERTS = 3


def _alert_banner(session: Session | None, org: Org | None, granted: Any) -> list[tuple[str, str]]:
    """The org's open alerts (id, line), for the banner of its pages, to those
    who read them; those who may acknowledge get a button beside each."""
    if session is None or org is None or Permission.ORG_ALERTS_READ not in granted:
        return []
    return [
        (str(alert.id), describe(alert)) for alert in open_alerts(session, org)[:MAX_BANNER_ALERTS]
    ]


def render(
    request: Request,
    session: Session | None,
    template: str,
    *,
    status_code: int = 200,
    org: Org | None = None,
    title: str = "",
    **context: Any,
) -> HTMLResponse:
    services = services_of(request)
    org = org or noted(request, "org")
    brand = brand_for(request, session, org)
    viewer = noted(request, "viewer")
    granted = noted(request, "granted", frozenset())
    html = env.get_template(template).render(
        request=request,
        viewer=viewer,
        org=org,
        nav=nav_for(request, org),
        granted=granted,
        alerts=_alert_banner(session, org, granted),
        P=Permission,
        brand=brand,
        primary=_color(brand.primary_color, "#1d4ed8"),
        accent=_color(brand.accent_color, "#0f766e"),
        csrf=csrf_token(request, services.identity.secret_key),
        title=title,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return finish(request, response)  # type: ignore[return-value]
