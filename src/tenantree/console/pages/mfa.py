"""The sign-in's second step: the page the sign-in form leads to when a factor
is due, and its answer (an app's code, a recovery code, or a passkey)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from tenantree.authn import second_step
from tenantree.authn.signin import IssuedToken
from tenantree.console.deps import FormDep
from tenantree.console.render import render
from tenantree.console.routing import LANDING, SECURITY_PAGE, ConsoleRoute, safe_back
from tenantree.errors import DomainError
from tenantree.identity.mfa_challenges import ChallengePurpose, find_open_challenge
from tenantree.identity.second_factors import second_factors
from tenantree.web.caller import anonymous_trail, client_address, relying_party
from tenantree.web.cookie_session import start_session
from tenantree.web.routing import GatedRouter
from tenantree.web.services import Services, ServicesDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

MESSAGES = {
    "invalid_second_factor": "That code is wrong or was already used.",
    "mfa_throttled": "Too many wrong codes. Wait a few minutes and sign in again.",
}


def script_json(value: Any) -> str:
    """JSON safe inside a <script type="application/json"> block."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def signed_in(request: Request, issued: IssuedToken, next_page: str) -> Response:
    """Start the console session; one limited to enrolment goes to enrol first."""
    response = RedirectResponse(SECURITY_PAGE if issued.mfa_enrolment_only else next_page, 303)
    start_session(request, response, issued.token, issued.expires_at)
    return response


def second_step_page(
    request: Request,
    session: Session,
    services: Services,
    challenge: str,
    next_page: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """Ask for the app's code, a recovery code, or (if the account has one) a passkey."""
    found = find_open_challenge(session, services.identity, challenge, ChallengePurpose.SIGN_IN)
    if found is None:
        return RedirectResponse("/sign-in", 303)
    factors = second_factors(session, found.account_id)
    options = None
    if factors.passkeys:
        rp = relying_party(request)
        options = script_json(
            second_step.passkey_options(session, services.identity, challenge, rp)
        )
    return render(
        request,
        session,
        "sign_in_mfa.html",
        status_code=status_code,
        title="Confirm it's you",
        challenge=challenge,
        next=next_page,
        totp=factors.totp,
        passkey_options=options,
        error=error,
    )


@router.post("/sign-in/mfa")
def answer_second_step(
    request: Request, session: SessionDep, services: ServicesDep, form: FormDep
) -> Response:
    challenge = form.get("challenge", "")
    next_page = safe_back(form.get("next")) or LANDING
    passkey = form.get("passkey") or None
    try:
        issued = second_step.complete_sign_in(
            session,
            anonymous_trail(request, session),
            services.identity,
            challenge=challenge,
            client_address=client_address(request),
            code=form.get("code") or None,
            recovery_code=form.get("recovery_code") or None,
            passkey=json.loads(passkey) if passkey else None,
            rp=relying_party(request),
        )
    except (DomainError, ValueError) as exc:
        code = getattr(exc, "code", "invalid_second_factor")
        if code == "mfa_challenge_expired":
            return RedirectResponse("/sign-in", 303)
        # Failures are kept for throttling and audit (identity.throttle); the page
        # answers 200 so the passkey options it hands out are stored with it.
        message = MESSAGES.get(code, getattr(exc, "message", "That did not work."))
        return second_step_page(request, session, services, challenge, next_page, error=message)
    return signed_in(request, issued, next_page)
