"""Single sign-on: an org's provider settings (API) and the browser flow (/sso)."""

import hashlib
import hmac
import uuid
from urllib.parse import parse_qs, urlsplit

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from tenantree import clock
from tenantree.access.permissions import Permission as P
from tenantree.api.deps import (
    CallerDep,
    IdentityDep,
    OrgWith,
    SessionDep,
    UnitOfWorkRoute,
    client_address,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.params import QUERY_TEXT
from tenantree.api.schemas.auth import LoginResponse
from tenantree.api.schemas.integrations import SsoConfigOut, SsoTestStarted
from tenantree.identity.context import IdentityConfig
from tenantree.identity.integration_models import SsoConfig
from tenantree.identity.roles import Role
from tenantree.orgs.models import Org
from tenantree.sso import config as sso_config
from tenantree.sso import flow
from tenantree.sso.flow import SsoFailed
from tenantree.sso.issuer import SsoProviderUnavailable
from tenantree.web.caller import anonymous_trail
from tenantree.web.cookie_session import is_https, start_session
from tenantree.web.routing import GatedRouter
from tenantree.web.schemas.integrations import SsoConfigIn
from tenantree.web.unit_of_work import refuse_work

router = GatedRouter(
    route_class=UnitOfWorkRoute,
    prefix="/api/v1/orgs/{org_id}",
    tags=["sso"],
    responses=ERROR_RESPONSES,
)
browser = GatedRouter(route_class=UnitOfWorkRoute, prefix="/sso", include_in_schema=False)


def sso_out(config: SsoConfig, identity: IdentityConfig) -> SsoConfigOut:
    return SsoConfigOut(
        org_id=config.org_id,
        issuer=config.issuer,
        client_id=config.client_id,
        has_client_secret=bool(config.client_secret_encrypted),
        allowed_domains=list(config.allowed_domains),
        sso_required=config.sso_required,
        jit_role=Role(config.jit_role) if config.jit_role else None,
        redirect_uri=flow.redirect_uri(identity),
        sign_in_url=f"{identity.public_base_url}/sso/orgs/{config.org_id}/start",
        updated_at=config.updated_at,
    )


@router.get("/sso", response_model=SsoConfigOut, operation_id="get_sso_config")
def get_sso(target: OrgWith(P.ORG_USERS_MANAGE), identity: IdentityDep) -> SsoConfigOut:
    return sso_out(sso_config.get_sso_config(target.session, target.org), identity)


@router.put("/sso", response_model=SsoConfigOut, operation_id="set_sso_config")
def put_sso(
    body: SsoConfigIn,
    target: OrgWith(P.ORG_USERS_MANAGE),
    identity: IdentityDep,
    caller: CallerDep,
) -> SsoConfigOut:
    config = sso_config.set_sso_config(
        target.session,
        target.trail,
        identity,
        target.org,
        body.settings(),
        session_token=caller.token,
    )
    return sso_out(config, identity)


@router.post(
    "/sso/test",
    response_model=SsoTestStarted,
    operation_id="start_sso_test",
    status_code=201,
)
def start_sso_test(
    request: Request,
    target: OrgWith(P.ORG_USERS_MANAGE),
    identity: IdentityDep,
    caller: CallerDep,
) -> SsoTestStarted:
    """Start a test sign-in through the org's stored provider, bound to this session:
    open `authorization_url` in the browser and sign in there as yourself. Passing
    it (within 10 minutes, from this session) is what lets this session make SSO
    required (`PUT .../sso` with `sso_required: true`, else 409 `sso_test_required`)."""
    sso_config.get_sso_config(target.session, target.org)
    url = flow.start_sign_in(
        target.session,
        target.trail,
        identity,
        target.org,
        client_address=client_address(request),
        test_by=(caller.account.id, caller.token),
    )
    return SsoTestStarted(authorization_url=url, expires_in=int(flow.LOGIN_TTL.total_seconds()))


@router.delete("/sso", status_code=204, operation_id="remove_sso_config")
def delete_sso(target: OrgWith(P.ORG_USERS_MANAGE)) -> Response:
    sso_config.remove_sso_config(target.session, target.trail, target.org)
    return Response(status_code=204)


CONSOLE_COOKIE = "tenantree_sso_console"


def _console_binding(identity: IdentityConfig, state: str) -> str:
    # Ties a console sign-in to the browser that started it (no login CSRF).
    return hmac.new(
        identity.secret_key.encode(), b"sso-console|" + state.encode(), hashlib.sha256
    ).hexdigest()


@browser.get("/orgs/{org_id}/start")
def start(
    org_id: str,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    console: bool = Query(False, description="Finish in the web console (a session cookie)"),
) -> Response:
    try:
        org = session.get(Org, uuid.UUID(org_id))
    except ValueError:
        org = None
    trail = anonymous_trail(request, session)
    try:
        url = flow.start_sign_in(
            session, trail, identity, org, client_address=client_address(request)
        )
    except SsoProviderUnavailable:
        if not console:
            raise  # the API's JSON error: 503 sso_provider_unavailable
        # The console's sign-in page says so (the console renders its own pages).
        refuse_work(request)
        return RedirectResponse("/sign-in?sso_unavailable=1", status_code=303)
    response = RedirectResponse(url, status_code=302)
    if console:
        state = parse_qs(urlsplit(url).query).get("state", [""])[0]
        response.set_cookie(
            CONSOLE_COOKIE,
            _console_binding(identity, state),
            max_age=600,
            httponly=True,
            samesite="lax",  # sent on the provider's top-level redirect back
            secure=is_https(request),
            path="/sso/callback",
        )
    return response


@browser.get("/callback", response_model=LoginResponse)
def callback(
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    state: str = Query("", max_length=200, pattern=QUERY_TEXT),
    code: str | None = Query(None, max_length=2000, pattern=QUERY_TEXT),
    error: str | None = Query(None, max_length=200, pattern=QUERY_TEXT),
) -> Response | LoginResponse:
    trail = anonymous_trail(request, session)
    binding = request.cookies.get(CONSOLE_COOKIE)
    for_console = bool(binding) and hmac.compare_digest(
        binding or "", _console_binding(identity, state)
    )
    try:
        finished = flow.finish_sign_in(
            session, trail, identity, state=state, code=code, error=error
        )
    except SsoFailed:
        # finish_sign_in keeps the failure's audit event (and the used state)
        # through the rollback this error response causes.
        if for_console:
            refuse_work(request)
            failed = RedirectResponse("/sign-in?sso_failed=1", status_code=303)
            failed.delete_cookie(CONSOLE_COOKIE, path="/sso/callback")
            return failed
        raise
    if isinstance(finished, flow.SsoTestPassed):  # no session is issued
        if "text/html" in request.headers.get("accept", ""):
            # A browser (the console's provider tab): back to the settings it proved.
            return RedirectResponse(f"/orgs/{finished.org_id}/sso?done=tested", status_code=303)
        return JSONResponse({"status": "sso_test_passed"})
    secret, _ = finished
    expires_at = clock.utcnow() + identity.token_ttl
    if for_console:
        response = RedirectResponse("/orgs", status_code=303)
        start_session(request, response, secret, expires_at)
        response.delete_cookie(CONSOLE_COOKIE, path="/sso/callback")
        return response
    return LoginResponse(access_token=secret, expires_at=expires_at)
