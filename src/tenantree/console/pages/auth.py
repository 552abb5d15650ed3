"""Signing in and out, and accepting an invitation (the link in its email)."""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from tenantree.access import consent
from tenantree.audit.service import AuditTrail
from tenantree.authn import signin
from tenantree.branding.hostnames import host_of_request
from tenantree.branding.resolve import org_for_host
from tenantree.console.deps import FormDep, SignInRequired, get_enrolling_viewer, get_viewer
from tenantree.console.pages.mfa import second_step_page, signed_in
from tenantree.console.render import brand_for, render
from tenantree.console.routing import LANDING, ConsoleRoute, safe_back
from tenantree.errors import DomainError
from tenantree.identity import invitations
from tenantree.identity.accounts import find_account
from tenantree.identity.credentials import MIN_PASSWORD_LENGTH
from tenantree.identity.roles import Role
from tenantree.orgs.models import Org
from tenantree.sso.config import org_offering_sso_for, org_offers_sso
from tenantree.web.caller import anonymous_trail, client_address, request_id
from tenantree.web.cookie_session import end_session, session_token
from tenantree.web.routing import GatedRouter
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

ROLE_WORDS = {
    Role.ADMIN: "an administrator",
    Role.USER: "a user",
    Role.READ_ONLY: "a read-only user",
}
# Messages people understand, for the refusals a sign-in can meet.
SIGN_IN_MESSAGES = {
    "invalid_credentials": "The email or password is wrong.",
    "user_suspended": "Your account is suspended. Ask your administrator to reactivate it.",
    "customer_access_refused": (
        "Your partner has refused customer access to your organization. "
        "Contact your partner to have it restored."
    ),
    "org_deactivated": "Your organization is deactivated. Contact support.",
    "no_membership": "You are not a member of any organization yet.",
    "sign_in_throttled": "Too many failed sign-ins. Wait a few minutes and try again.",
    "invalid_second_factor": "That code is wrong or was already used.",
    "mfa_throttled": "Too many wrong codes. Wait a few minutes and sign in again.",
    "mfa_challenge_expired": "The sign-in took too long. Sign in again.",
}


def sign_in_message(exc: DomainError) -> str:
    partners = getattr(exc, "partners", ())
    if partners:
        who = " and ".join(partners)
        return (
            f"{who} refused customer access to your organization. "
            f"Contact {who} to have it restored."
        )
    return SIGN_IN_MESSAGES.get(exc.code, exc.message)


@router.get("/")
def home(request: Request) -> Response:
    target = "/orgs" if session_token(request) else "/sign-in"
    return RedirectResponse(target, 303)


def _host_sso_org(request: Request, session: SessionDep) -> Org | None:
    """The org whose verified custom domain this is, if it offers single sign-on."""
    hostname = host_of_request(request.headers.get("host", ""))
    org = org_for_host(session, hostname) if hostname else None
    return org if org is not None and org_offers_sso(session, org) else None


def sso_start_url(org: Org) -> str:
    return f"/sso/orgs/{org.id}/start?console=1"


def _sign_in_error(*, sso_failed: bool, sso_unavailable: bool) -> str | None:
    if sso_unavailable:
        return "The identity provider could not be reached. Try again in a few minutes."
    if sso_failed:
        return "Single sign-on did not succeed. Try again, or ask your administrator."
    return None


@router.get("/sign-in")
def sign_in_page(
    request: Request,
    session: SessionDep,
    next: str = LANDING,  # noqa: A002
    sso_failed: bool = False,
    sso_unavailable: bool = False,
) -> Response:
    host_org = _host_sso_org(request, session)
    return render(
        request,
        session,
        "sign_in.html",
        title="Sign in",
        next=safe_back(next) or LANDING,
        sso_url=sso_start_url(host_org) if host_org else None,
        error=_sign_in_error(sso_failed=sso_failed, sso_unavailable=sso_unavailable),
    )


@router.get("/sign-in/sso")
def sso_by_email(request: Request, session: SessionDep, email: str = "") -> Response:
    """Single sign-on found by the work email's domain (no account is looked up):
    only the org that verified the domain; a mere claimant is never named."""
    org = org_offering_sso_for(session, email[:320])
    if org is not None:
        return RedirectResponse(sso_start_url(org), 303)
    return render(request, session, "sign_in_sso.html", title="Single sign-on", email=email[:320])


@router.post("/sign-in")
def sign_in(
    request: Request, session: SessionDep, services: ServicesDep, form: FormDep
) -> Response:
    email = form.get("email", "").strip()
    try:
        issued = signin.sign_in(
            session,
            anonymous_trail(request, session),
            services.identity,
            email=email,
            password=form.get("password", ""),
            client_address=client_address(request),
        )
    except DomainError as exc:
        # Failures count for throttling and the audit trail: sign_in keeps them
        # through the rollback of this error page.
        message = sign_in_message(exc)
        return render(
            request,
            session,
            "sign_in.html",
            status_code=exc.status if exc.status != 401 else 400,
            title="Sign in",
            error=message,
            email=email,
            next=safe_back(form.get("next")) or LANDING,
        )
    next_page = safe_back(form.get("next")) or LANDING
    if isinstance(issued, signin.PendingMfa):
        return second_step_page(request, session, services, issued.challenge, next_page)
    return signed_in(request, issued, next_page)


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, services: ServicesDep) -> Response:
    response = RedirectResponse("/sign-in", 303)
    try:
        viewer = get_enrolling_viewer(request, session, services)
    except SignInRequired:
        end_session(request, response)
        return response
    trail = AuditTrail(
        session, viewer.account.id, None, request_id(request), client_address(request)
    )
    signin.sign_out(session, trail, services.identity, viewer.token)
    end_session(request, response)
    return response


def _accept_page(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    token: str,
    *,
    status_code: int = 200,
    error: str | None = None,
) -> Response:
    """Says which org and role the invitation is for, in that org's brand."""
    invitation = invitations.invitation_for_token(session, services.identity, token)
    org = session.get(Org, invitation.org_id) if invitation is not None else None
    if org is not None:
        request.state.brand = brand_for(request, session, org)
    return render(
        request,
        session,
        "accept.html",
        status_code=status_code,
        title="Accept invitation",
        token=token,
        error=error,
        invited_to=org,
        invitation=invitation,
        role=ROLE_WORDS.get(invitation.role, invitation.role) if invitation else None,
        has_account=invitation is not None and find_account(session, invitation.email) is not None,
        min_password_length=MIN_PASSWORD_LENGTH,
    )


@router.get("/accept-invitation")
def accept_page(
    request: Request, session: SessionDep, services: ServicesDep, token: str = ""
) -> Response:
    return _accept_page(request, session, services, token[:200])


@router.post("/accept-invitation")
def accept(request: Request, session: SessionDep, services: ServicesDep, form: FormDep) -> Response:
    try:
        # Signed in, the person may accept for their existing account by the token too.
        viewer = get_viewer(request, session, services)
    except (SignInRequired, DomainError):
        viewer = None
    try:
        acceptance = consent.accept_invitation(
            session,
            anonymous_trail(request, session),
            services.identity,
            token=form.get("token", ""),
            password=form.get("password") or None,
            display_name=form.get("display_name") or None,
            signed_in=viewer.actor if viewer is not None else None,
        )
    except DomainError as exc:
        return _accept_page(
            request,
            session,
            services,
            form.get("token", "")[:200],
            status_code=exc.status,
            error=exc.message[:1].upper() + exc.message[1:] + ".",
        )
    email = acceptance.membership.account.email
    joined = session.get(Org, acceptance.membership.org_id)
    request.state.brand = brand_for(request, session, joined)
    return render(
        request,
        session,
        "sign_in.html",
        title="Sign in",
        notice="Invitation accepted. Sign in to continue.",
        email=email,
        next=f"/orgs/{acceptance.membership.org_id}",
    )
