"""An org's single sign-on settings, with the test sign-in that must pass (from this
session) before SSO is made required. Same permission and service as the API's /sso."""

from __future__ import annotations

import re
import uuid

from fastapi import Request, Response

from tenantree.access.permissions import Permission as P
from tenantree.console.deps import FormDep, OrgPage, ViewerDep
from tenantree.console.forms import done, validated
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.identity.integration_models import SsoConfig
from tenantree.identity.roles import Role
from tenantree.sso import config as sso_config
from tenantree.sso import flow
from tenantree.web.caller import client_address
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.integrations import SsoConfigIn
from tenantree.web.services import IdentityDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

DONE = {
    "saved": "Single sign-on settings saved.",
    "removed": "Single sign-on removed: members sign in with their passwords again.",
    "tested": "Test sign-in passed: these settings work, and SSO may now be made required.",
}
_SEPARATORS = re.compile(r"[\s,;]+")


def _path(org_id: uuid.UUID) -> str:
    return f"/orgs/{org_id}/sso"


def domains_of(value: str) -> list[str]:
    """Allowed domains as typed: one per line, or separated by commas or spaces."""
    return [d for d in _SEPARATORS.split(value) if d]


@router.get("/orgs/{org_id}/sso")
def sso_page(
    request: Request,
    target: OrgPage(P.ORG_USERS_MANAGE),
    identity: IdentityDep,
    viewer: ViewerDep,
    done: str = "",
) -> Response:
    config = target.session.get(SsoConfig, target.org.id)
    tested = config is not None and sso_config.passed_test(
        target.session, identity, target.org, viewer.account.id, viewer.token
    )
    return render(
        request,
        target.session,
        "sso.html",
        title=f"Single sign-on of {target.org.name}",
        config=config,
        tested=tested,
        roles=list(Role),
        redirect_uri=flow.redirect_uri(identity),
        sign_in_url=f"{identity.public_base_url}/sso/orgs/{target.org.id}/start",
        notice=DONE.get(done),
    )


@router.post("/orgs/{org_id}/sso")
def save_sso(
    target: OrgPage(P.ORG_USERS_MANAGE), identity: IdentityDep, viewer: ViewerDep, form: FormDep
) -> Response:
    body = validated(
        SsoConfigIn,
        {
            "issuer": form.get("issuer", ""),
            "client_id": form.get("client_id", ""),
            "client_secret": form.get("client_secret") or None,
            "allowed_domains": domains_of(form.get("allowed_domains", "")),
            "sso_required": form.get("sso_required") == "on",
            "jit_role": form.get("jit_role") or None,
        },
    )
    sso_config.set_sso_config(
        target.session,
        target.trail,
        identity,
        target.org,
        body.settings(),
        session_token=viewer.token,
    )
    return done(_path(target.org.id), "saved")


@router.post("/orgs/{org_id}/sso/test")
def start_test(
    request: Request,
    target: OrgPage(P.ORG_USERS_MANAGE),
    identity: IdentityDep,
    viewer: ViewerDep,
) -> Response:
    sso_config.get_sso_config(target.session, target.org)
    url = flow.start_sign_in(
        target.session,
        target.trail,
        identity,
        target.org,
        client_address=client_address(request),
        test_by=(viewer.account.id, viewer.token),
    )
    # A link, not a redirect: the console's CSP lets forms post only to this site.
    return render(
        request,
        target.session,
        "sso_test.html",
        title="Test sign-in",
        authorization_url=url,
        minutes=int(flow.LOGIN_TTL.total_seconds() // 60),
    )


@router.post("/orgs/{org_id}/sso/remove")
def remove_sso(target: OrgPage(P.ORG_USERS_MANAGE)) -> Response:
    sso_config.remove_sso_config(target.session, target.trail, target.org)
    return done(_path(target.org.id), "removed")
