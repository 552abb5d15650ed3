"""An org's settings in one page: name and edition, MFA policy, SMTP relay, and a
sub-org's license source and quotas.

Anyone who sees the org sees the page; each section's form posts to a route
guarded by the API route's own permission, and a section a person may not
change says why (console.reasons, from the policy).
"""

from __future__ import annotations

import uuid

from fastapi import Request, Response
from pydantic import TypeAdapter, ValidationError

from tenantree.access.mfa_policy import get_mfa_policy, set_mfa_policy
from tenantree.access.permissions import Permission as P
from tenantree.branding import relay
from tenantree.console.deps import FormDep, OrgPage
from tenantree.console.forms import done, validated
from tenantree.console.reasons import partner_name, read_only_message
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import Invalid
from tenantree.licensing import sub_org_terms
from tenantree.licensing.models import LicenseSource
from tenantree.licensing.reports import child_report
from tenantree.lifecycle import service as lifecycle
from tenantree.orgs.kinds import Edition
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.licensing import Sku, Units
from tenantree.web.schemas.orgs import OrgUpdate
from tenantree.web.schemas.relay import SmtpRelayBody
from tenantree.web.services import BrandingDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

DONE = {
    "org": "Org details saved.",
    "mfa": "MFA policy saved.",
    "relay": "SMTP relay saved.",
    "relay-removed": "SMTP relay removed: email goes out as it did before it was set.",
    "source": "License source changed: use is reported against the new source from now on.",
    "quota": "Quota saved.",
}
SOURCES = {
    LicenseSource.PARENT_POOL: "the partner's pool",
    LicenseSource.OWN: "its own licenses",
}
_UNITS = TypeAdapter(Units)
_SKU = TypeAdapter(Sku)


def _path(org_id: uuid.UUID) -> str:
    return f"/orgs/{org_id}/settings"


@router.get("/orgs/{org_id}/settings")
def settings_page(request: Request, target: OrgPage(P.ORG_VIEW), done: str = "") -> Response:
    org, session = target.org, target.session
    allowed = request.state.granted
    own_relay = relay.get_relay(session, org.id) if P.ORG_BRAND_MANAGE in allowed else None
    licensing = None
    if org.is_sub_org and P.ORG_LICENSE_REPORT_READ in allowed:
        licensing = child_report(session, org, sees_pool_figures=False, period=None)
    return render(
        request,
        session,
        "settings.html",
        title=f"Settings of {org.name}",
        editions=list(Edition),
        sources=SOURCES,
        mfa=get_mfa_policy(session, org),
        relay=relay.describe(own_relay) if own_relay is not None else None,
        relay_via=relay.effective_relay(session, org)[0],
        licensing=licensing,
        partner=partner_name(target) if org.is_sub_org else None,
        why_not={
            "org": read_only_message(target, P.PLATFORM_ORGS_MANAGE),
            "mfa": read_only_message(target, P.ORG_MFA_POLICY_MANAGE),
            "relay": read_only_message(target, P.ORG_BRAND_MANAGE),
            "source": read_only_message(target, P.PLATFORM_ORGS_MANAGE),
            "quotas": read_only_message(target, P.ORG_QUOTAS_MANAGE),
        },
        notice=DONE.get(done),
    )


@router.post("/orgs/{org_id}/settings/org")
def save_org(target: OrgPage(P.PLATFORM_ORGS_MANAGE), form: FormDep) -> Response:
    body = validated(OrgUpdate, {"name": form.get("name"), "edition": form.get("edition")})
    lifecycle.update_org(
        target.session, target.trail, target.org, name=body.name, edition=body.edition
    )
    return done(_path(target.org.id), "org")


@router.post("/orgs/{org_id}/settings/mfa")
def save_mfa(target: OrgPage(P.ORG_MFA_POLICY_MANAGE), form: FormDep) -> Response:
    set_mfa_policy(
        target.session,
        target.trail,
        target.org,
        required=form.get("required") == "on",
        required_for_sub_orgs=form.get("required_for_sub_orgs") == "on",
    )
    return done(_path(target.org.id), "mfa")


@router.post("/orgs/{org_id}/settings/smtp-relay")
def save_relay(target: OrgPage(P.ORG_BRAND_MANAGE), config: BrandingDep, form: FormDep) -> Response:
    given = {
        "host": form.get("host", "").strip(),
        "port": form.get("port") or 587,
        "starttls": form.get("starttls") == "on",
        "username": form.get("username") or None,
    }
    if form.get("password"):  # empty: keep the stored one, as the API's omitted field
        given["password"] = form["password"]
    body = validated(SmtpRelayBody, given)
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
        password=body.password if "password" in body.model_fields_set else relay.KEEP_PASSWORD,
    )
    return done(_path(target.org.id), "relay")


@router.post("/orgs/{org_id}/settings/smtp-relay/remove")
def remove_relay(target: OrgPage(P.ORG_BRAND_MANAGE)) -> Response:
    relay.remove_relay(target.session, target.trail, target.org)
    return done(_path(target.org.id), "relay-removed")


@router.post("/orgs/{org_id}/settings/license-source")
def save_source(target: OrgPage(P.PLATFORM_ORGS_MANAGE), form: FormDep) -> Response:
    try:
        source = LicenseSource(form.get("source", ""))
    except ValueError as exc:
        choices = ", ".join(s.value for s in LicenseSource)
        raise Invalid(f"source must be one of {choices}", field="source") from exc
    sub_org_terms.set_license_source(target.session, target.trail, target.org, source)
    return done(_path(target.org.id), "source")


@router.post("/orgs/{org_id}/settings/quotas")
def save_quota(target: OrgPage(P.ORG_QUOTAS_MANAGE), form: FormDep) -> Response:
    try:
        sku = _SKU.validate_python(form.get("sku", ""))
    except ValidationError as exc:
        raise Invalid("sku is not a license's SKU", field="sku") from exc
    max_units = None
    if form.get("max_units", "").strip():
        try:
            max_units = _UNITS.validate_python(form["max_units"].strip())
        except ValidationError as exc:
            raise Invalid(
                "max_units must be a whole number from 0 to 1000000000, or empty for no quota",
                field="max_units",
            ) from exc
    sub_org_terms.set_quota(target.session, target.trail, target.org, sku, max_units)
    return done(_path(target.org.id), "quota")
