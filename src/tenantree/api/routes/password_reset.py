"""Resetting a forgotten password: ask for a link by email, then set a new password."""

from __future__ import annotations

from fastapi import Request, Response

from tenantree.api.deps import (
    AnonymousTrailDep,
    IdentityDep,
    SessionDep,
    UnitOfWorkRoute,
    client_address,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.common import ErrorResponse
from tenantree.api.schemas.password_reset import (
    PasswordResetConfirm,
    PasswordResetRequest,
    PasswordResetRequested,
)
from tenantree.identity import password_reset
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["auth"], responses=ERROR_RESPONSES
)


@router.post(
    "/auth/password-reset",
    status_code=202,
    response_model=PasswordResetRequested,
    operation_id="request_password_reset",
    description=(
        "Emails a one-time link to set a new password, if the address has an account. "
        "The answer is the same either way. The email is the platform's (sender, relay, "
        "links), or that of the org that manages the account by its verified email "
        "domain; the request's host never chooses."
    ),
    responses={
        429: {
            "model": ErrorResponse,
            "description": "Too many reset requests for this address or client; see Retry-After",
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "integer"},
                }
            },
        }
    },
    openapi_extra={"security": []},  # for people who cannot sign in
)
def request_password_reset(
    body: PasswordResetRequest,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    trail: AnonymousTrailDep,
) -> PasswordResetRequested:
    # A throttled attempt stays in the audit trail: the service keeps it.
    password_reset.request_password_reset(
        session,
        trail,
        identity,
        email=body.email,
        client_address=client_address(request),
    )
    return PasswordResetRequested(status=password_reset.REQUESTED_STATUS)


@router.post(
    "/auth/password-reset/confirm",
    status_code=204,
    operation_id="confirm_password_reset",
    description=(
        "Sets a new password with the token from the reset email (once, within an hour) "
        "and ends every session of the account."
    ),
    openapi_extra={"security": []},  # for people who cannot sign in
)
def confirm_password_reset(
    body: PasswordResetConfirm,
    session: SessionDep,
    identity: IdentityDep,
    trail: AnonymousTrailDep,
) -> Response:
    password_reset.complete_password_reset(
        session, trail, identity, token=body.token, password=body.password
    )
    return Response(status_code=204)
