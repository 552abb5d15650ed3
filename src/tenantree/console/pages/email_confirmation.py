"""Confirming one's email address in the browser (identity.email_confirmation):
ask for the platform's link from the invitations page, then follow it."""

from __future__ import annotations

from fastapi import Request, Response

from tenantree.access.consent import require_signed_in_person
from tenantree.console.deps import FormDep, ViewerDep, trail_for
from tenantree.console.forms import done
from tenantree.console.pages.password_reset import _sentence
from tenantree.console.render import render
from tenantree.console.routing import ConsoleRoute
from tenantree.errors import DomainError
from tenantree.identity import email_confirmation
from tenantree.identity.accounts import signed_in_account
from tenantree.web.caller import anonymous_trail
from tenantree.web.routing import GatedRouter
from tenantree.web.services import ServicesDep
from tenantree.web.unit_of_work import SessionDep

router = GatedRouter(route_class=ConsoleRoute, include_in_schema=False)

TITLE = "Confirm your email address"


@router.post("/invitations/confirm-email")
def ask(
    request: Request, session: SessionDep, services: ServicesDep, viewer: ViewerDep
) -> Response:
    account = signed_in_account(session, viewer.account)
    require_signed_in_person(viewer.actor, account)
    email_confirmation.request_confirmation(
        session, trail_for(request, session, viewer), services.identity, account
    )
    return done("/invitations", "confirmation_sent")


@router.get("/confirm-email")
def confirm_page(request: Request, session: SessionDep, token: str = "") -> Response:
    # A button, not the GET itself: mail scanners follow links.
    return render(request, session, "confirm_email.html", title=TITLE, token=token)


@router.post("/confirm-email")
def confirm(
    request: Request, session: SessionDep, services: ServicesDep, form: FormDep
) -> Response:
    token = form.get("token", "")
    try:
        account = email_confirmation.confirm_email(
            session, anonymous_trail(request, session), services.identity, token
        )
    except DomainError as exc:
        return render(
            request,
            session,
            "confirm_email.html",
            status_code=exc.status,
            title=TITLE,
            token=token,
            error=_sentence(exc.message),
        )
    return render(
        request, session, "confirm_email.html", title=TITLE, confirmed_email=account.email
    )
