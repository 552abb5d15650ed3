"""Confirming an account's address with a link the platform mails (see
identity.email_confirmation for why an account may start unconfirmed)."""

from __future__ import annotations

from fastapi import Response

from tenantree.access.consent import require_signed_in_person
from tenantree.api.deps import (
    AnonymousTrailDep,
    CallerDep,
    IdentityDep,
    SessionDep,
    TrailDep,
    UnitOfWorkRoute,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.common import ErrorResponse
from tenantree.api.schemas.password_reset import (
    EmailConfirmationConfirm,
    EmailConfirmationRequested,
    EmailConfirmed,
)
from tenantree.identity import email_confirmation
from tenantree.identity.accounts import signed_in_account
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["auth"], responses=ERROR_RESPONSES
)


@router.post(
    "/me/email-confirmation",
    status_code=202,
    response_model=EmailConfirmationRequested,
    operation_id="request_email_confirmation",
    description=(
        "Mails the signed-in person a one-time link (24 hours) confirming their address. "
        "Always the platform's email (sender, relay, links), whatever the brand. An account "
        "created by accepting an invitation that travelled an org's own relay or custom "
        "domain starts unconfirmed and answers no invitation until confirmed; a password "
        "reset confirms it too. Only the person signed in themselves, not a token."
    ),
    responses={
        200: {
            "model": EmailConfirmationRequested,
            "description": "The address is already confirmed: nothing sent",
        },
        429: {"model": ErrorResponse, "description": "Too many confirmation emails asked for"},
    },
)
def request_email_confirmation(
    caller: CallerDep,
    session: SessionDep,
    identity: IdentityDep,
    trail: TrailDep,
    response: Response,
) -> EmailConfirmationRequested:
    account = signed_in_account(session, caller.account)
    require_signed_in_person(caller.actor, account)
    sent = email_confirmation.request_confirmation(session, trail, identity, account)
    if not sent:
        response.status_code = 200
    return EmailConfirmationRequested(status="sent" if sent else "already_confirmed")


@router.post(
    "/auth/email-confirmation/confirm",
    response_model=EmailConfirmed,
    operation_id="confirm_email",
    description="Confirms the address with the token from the confirmation email (once).",
    openapi_extra={"security": []},  # the link works from any browser
)
def confirm_email(
    body: EmailConfirmationConfirm,
    session: SessionDep,
    identity: IdentityDep,
    trail: AnonymousTrailDep,
) -> EmailConfirmed:
    account = email_confirmation.confirm_email(session, trail, identity, body.token)
    return EmailConfirmed(email=account.email, email_confirmed=True)
