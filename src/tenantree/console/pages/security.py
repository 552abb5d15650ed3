"""The account's security page: second factors (authenticator app, passkeys,
recovery codes). A session limited to enrolment may use these pages only."""

from __future__ import annotations

import json
import uuid

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from tenantree.access.mfa_policy import mfa_required_for
from tenantree.console.deps import EnrollingViewerDep, FormDep, trail_for
from tenantree.console.pages.mfa import script_json
from tenantree.console.render import render
from tenantree.console.routing import SECURITY_PAGE, ConsoleRoute
from tenantree.errors import DomainError
from tenantree.identity import second_factors
from tenantree.identity.accounts import signed_in_account
from tenantree.identity.passkeys import passkey_registration_options
from tenantree.identity.recovery_codes import regenerate_recovery_codes
from tenantree.identity.totp import start_totp_enrolment
from tenantree.web.caller import relying_party
from tenantree.web.routing import GatedRouter
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)


def _page(
    request: Request,
    session: SessionDep,
    viewer: EnrollingViewerDep,
    *,
    error: str | None = None,
    notice: str | None = None,
) -> Response:
    return render(
        request,
        session,
        "security.html",
        title="Security",
        factors=second_factors.second_factors(session, viewer.account.id),
        mfa_required=mfa_required_for(session, viewer.actor),
        error=error,
        notice=notice,
    )


def _codes(request: Request, session: SessionDep, codes: list[str], what: str) -> Response:
    if not codes:
        return RedirectResponse(SECURITY_PAGE, 303)
    return render(
        request, session, "recovery_codes.html", title="Recovery codes", codes=codes, what=what
    )


@router.get(SECURITY_PAGE)
def security(request: Request, session: SessionDep, viewer: EnrollingViewerDep) -> Response:
    return _page(request, session, viewer)


@router.post(SECURITY_PAGE + "/totp")
def start_totp(
    request: Request, session: SessionDep, services: ServicesDep, viewer: EnrollingViewerDep
) -> Response:
    secret, uri = start_totp_enrolment(
        session, services.identity, signed_in_account(session, viewer.account)
    )
    return render(
        request, session, "security_totp.html", title="Authenticator app", secret=secret, uri=uri
    )


@router.post(SECURITY_PAGE + "/totp/confirm")
def confirm_totp(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    viewer: EnrollingViewerDep,
    form: FormDep,
) -> Response:
    try:
        codes = second_factors.enrol_totp(
            session,
            trail_for(request, session, viewer),
            services.identity,
            signed_in_account(session, viewer.account),
            form.get("code", ""),
            token=viewer.token,
        )
    except DomainError as exc:
        message = f"The app was not added: {exc.message}. Set it up again."
        return _page(request, session, viewer, error=message)
    return _codes(request, session, codes, "Your authenticator app is set up.")


@router.post(SECURITY_PAGE + "/totp/remove")
def remove_totp(request: Request, session: SessionDep, viewer: EnrollingViewerDep) -> Response:
    second_factors.unenrol_totp(session, trail_for(request, session, viewer), viewer.account.id)
    return RedirectResponse(SECURITY_PAGE, 303)


@router.post(SECURITY_PAGE + "/recovery-codes")
def new_codes(
    request: Request, session: SessionDep, services: ServicesDep, viewer: EnrollingViewerDep
) -> Response:
    if not second_factors.has_second_factor(session, viewer.account.id):
        return _page(request, session, viewer, error="Add an app or a passkey first.")
    trail = trail_for(request, session, viewer)
    codes = regenerate_recovery_codes(session, trail, services.identity, viewer.account.id)
    return _codes(request, session, codes, "Your old recovery codes no longer work.")


@router.post(SECURITY_PAGE + "/passkeys/new")
def passkey_options(
    request: Request, session: SessionDep, services: ServicesDep, viewer: EnrollingViewerDep
) -> Response:
    registration, options = passkey_registration_options(
        session,
        services.identity,
        signed_in_account(session, viewer.account),
        relying_party(request),
    )
    return render(
        request,
        session,
        "security_passkey.html",
        title="Add a passkey",
        registration=registration,
        options=script_json(options),
    )


@router.post(SECURITY_PAGE + "/passkeys")
def register_passkey(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    viewer: EnrollingViewerDep,
    form: FormDep,
) -> Response:
    try:
        _, codes = second_factors.enrol_passkey(
            session,
            trail_for(request, session, viewer),
            services.identity,
            signed_in_account(session, viewer.account),
            relying_party(request),
            registration=form.get("registration", ""),
            credential=json.loads(form.get("credential") or "{}"),
            name=form.get("name", "Passkey"),
            token=viewer.token,
        )
    except (DomainError, ValueError) as exc:
        message = getattr(exc, "message", "the browser's answer was not readable")
        return _page(request, session, viewer, error=f"The passkey was not added: {message}.")
    return _codes(request, session, codes, "Your passkey is added.")


@router.post(SECURITY_PAGE + "/passkeys/{passkey_id}/remove")
def remove_passkey(
    passkey_id: uuid.UUID, request: Request, session: SessionDep, viewer: EnrollingViewerDep
) -> Response:
    trail = trail_for(request, session, viewer)
    second_factors.unenrol_passkey(session, trail, viewer.account.id, passkey_id)
    return RedirectResponse(SECURITY_PAGE, 303)
