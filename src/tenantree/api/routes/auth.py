from __future__ import annotations

from fastapi import Request, Response

from tenantree.api.deps import (
    AnonymousTrailDep,
    CallerDep,
    EnrollingCallerDep,
    IdentityDep,
    SessionDep,
    UnitOfWorkRoute,
    caller_trail,
    client_address,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.schemas.auth import LoginRequest, LoginResponse, MembershipOut, MeResponse
from tenantree.api.schemas.common import ErrorResponse
from tenantree.api.schemas.mfa import MfaRequiredResponse
from tenantree.authn import signin
from tenantree.identity.profile import memberships_of
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["auth"], responses=ERROR_RESPONSES
)


@router.post(
    "/auth/login",
    response_model=LoginResponse | MfaRequiredResponse,
    operation_id="login",
    responses={
        429: {
            "model": ErrorResponse,
            "description": "Too many failed sign-ins; see Retry-After",
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "integer"},
                }
            },
        }
    },
    openapi_extra={"security": []},  # anyone may sign in
)
def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    trail: AnonymousTrailDep,
) -> LoginResponse | MfaRequiredResponse:
    # A refused sign-in is still recorded (throttling, audit): sign_in keeps it.
    issued = signin.sign_in(
        session,
        trail,
        identity,
        email=body.email,
        password=body.password,
        client_address=client_address(request),
    )
    if isinstance(issued, signin.PendingMfa):
        return MfaRequiredResponse(challenge=issued.challenge, expires_at=issued.expires_at)
    return login_response(issued)


def login_response(issued: signin.IssuedToken) -> LoginResponse:
    return LoginResponse(
        status="mfa_enrolment_required" if issued.mfa_enrolment_only else "signed_in",
        access_token=issued.token,
        expires_at=issued.expires_at,
    )


@router.post("/auth/logout", status_code=204, operation_id="logout")
def logout(
    request: Request, caller: EnrollingCallerDep, session: SessionDep, identity: IdentityDep
) -> Response:
    signin.sign_out(session, caller_trail(request, session, caller), identity, caller.token)
    return Response(status_code=204)


@router.get("/me", response_model=MeResponse, operation_id="get_me")
def me(caller: CallerDep, session: SessionDep) -> MeResponse:
    return MeResponse(
        id=caller.account.id,
        email=caller.account.email,
        display_name=caller.account.display_name,
        is_operator=caller.account.is_operator,
        email_confirmed=caller.account.email_confirmed_at is not None,
        memberships=[
            MembershipOut(
                org_id=m.org_id,
                org_name=org.name,
                org_kind=org.kind,
                role=m.role,
                is_primary_admin=m.is_primary_admin,
                status=m.status,
            )
            for m, org in memberships_of(session, caller.account.id)
        ],
    )
