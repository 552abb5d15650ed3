"""Second factors: the sign-in's second step, and a person's own factors (/me/mfa).

Every /me/mfa endpoint accepts a session limited to enrolment (EnrollingCallerDep).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response

from tenantree.access.mfa_policy import mfa_required_for
from tenantree.api.deps import (
    AnonymousTrailDep,
    EnrollingCallerDep,
    IdentityDep,
    SessionDep,
    UnitOfWorkRoute,
    caller_trail,
    client_address,
)
from tenantree.api.errors import ERROR_RESPONSES
from tenantree.api.routes.auth import login_response
from tenantree.api.schemas.auth import LoginResponse
from tenantree.api.schemas.mfa import (
    MfaLoginRequest,
    PasskeyOptionsRequest,
    PasskeyOut,
    PasskeyRegisteredOut,
    PasskeyRegisterRequest,
    PasskeyRegistrationOptionsOut,
    RecoveryCodesOut,
    SecondFactorsOut,
    TotpConfirmRequest,
    TotpEnrolmentOut,
)
from tenantree.authn import second_step
from tenantree.identity import second_factors
from tenantree.identity.accounts import signed_in_account
from tenantree.identity.errors import SecondFactorNotFound
from tenantree.identity.mfa_models import Passkey
from tenantree.identity.passkeys import passkey_registration_options
from tenantree.identity.recovery_codes import regenerate_recovery_codes
from tenantree.identity.totp import start_totp_enrolment
from tenantree.web.caller import relying_party
from tenantree.web.routing import GatedRouter

router = GatedRouter(
    route_class=UnitOfWorkRoute, prefix="/api/v1", tags=["mfa"], responses=ERROR_RESPONSES
)


@router.post(
    "/auth/login/mfa",
    response_model=LoginResponse,
    operation_id="login_mfa",
    openapi_extra={"security": []},  # the challenge is the credential
)
def login_mfa(
    body: MfaLoginRequest,
    request: Request,
    session: SessionDep,
    identity: IdentityDep,
    trail: AnonymousTrailDep,
) -> LoginResponse:
    issued = second_step.complete_sign_in(
        session,
        trail,
        identity,
        challenge=body.challenge,
        client_address=client_address(request),
        code=body.code,
        recovery_code=body.recovery_code,
        passkey=body.passkey,
        rp=relying_party(request),
    )
    return login_response(issued)


@router.post(
    "/auth/login/mfa/passkey-options",
    operation_id="login_mfa_passkey_options",
    openapi_extra={"security": []},
)
def login_passkey_options(
    body: PasskeyOptionsRequest, request: Request, session: SessionDep, identity: IdentityDep
) -> dict[str, Any]:
    """Options for `navigator.credentials.get` to answer this sign-in's challenge."""
    return second_step.passkey_options(session, identity, body.challenge, relying_party(request))


def _passkey_out(passkey: Passkey) -> PasskeyOut:
    return PasskeyOut(
        id=passkey.id,
        name=passkey.name,
        created_at=passkey.created_at,
        last_used_at=passkey.last_used_at,
    )


@router.get("/me/mfa", response_model=SecondFactorsOut, operation_id="list_my_second_factors")
def list_factors(caller: EnrollingCallerDep, session: SessionDep) -> SecondFactorsOut:
    factors = second_factors.second_factors(session, caller.account.id)
    return SecondFactorsOut(
        totp=factors.totp,
        passkeys=[_passkey_out(p) for p in factors.passkeys],
        recovery_codes_left=factors.recovery_codes_left,
        mfa_required=mfa_required_for(session, caller.actor),
    )


@router.post("/me/mfa/totp", response_model=TotpEnrolmentOut, operation_id="start_totp_enrolment")
def start_totp(
    caller: EnrollingCallerDep, session: SessionDep, identity: IdentityDep
) -> TotpEnrolmentOut:
    """A new secret for an authenticator app; confirm it with a first code."""
    secret, uri = start_totp_enrolment(
        session, identity, signed_in_account(session, caller.account)
    )
    return TotpEnrolmentOut(secret=secret, provisioning_uri=uri)


@router.post(
    "/me/mfa/totp/confirm", response_model=RecoveryCodesOut, operation_id="confirm_totp_enrolment"
)
def confirm_totp(
    body: TotpConfirmRequest,
    request: Request,
    caller: EnrollingCallerDep,
    session: SessionDep,
    identity: IdentityDep,
) -> RecoveryCodesOut:
    codes = second_factors.enrol_totp(
        session,
        caller_trail(request, session, caller),
        identity,
        signed_in_account(session, caller.account),
        body.code,
        token=caller.token,
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.delete("/me/mfa/totp", status_code=204, operation_id="remove_totp")
def remove_totp(request: Request, caller: EnrollingCallerDep, session: SessionDep) -> Response:
    second_factors.unenrol_totp(session, caller_trail(request, session, caller), caller.account.id)
    return Response(status_code=204)


@router.post(
    "/me/mfa/recovery-codes",
    response_model=RecoveryCodesOut,
    operation_id="regenerate_recovery_codes",
)
def new_recovery_codes(
    request: Request, caller: EnrollingCallerDep, session: SessionDep, identity: IdentityDep
) -> RecoveryCodesOut:
    """A new set of ten codes; the old set stops working."""
    if not second_factors.has_second_factor(session, caller.account.id):
        raise SecondFactorNotFound("enrol a second factor before asking for recovery codes")
    trail = caller_trail(request, session, caller)
    return RecoveryCodesOut(
        recovery_codes=regenerate_recovery_codes(session, trail, identity, caller.account.id)
    )


@router.post(
    "/me/mfa/passkey-options",
    response_model=PasskeyRegistrationOptionsOut,
    operation_id="passkey_registration_options",
)
def passkey_options(
    request: Request, caller: EnrollingCallerDep, session: SessionDep, identity: IdentityDep
) -> PasskeyRegistrationOptionsOut:
    """Options for `navigator.credentials.create`; send its answer with `registration`."""
    registration, options = passkey_registration_options(
        session, identity, signed_in_account(session, caller.account), relying_party(request)
    )
    return PasskeyRegistrationOptionsOut(registration=registration, options=options)


@router.post(
    "/me/mfa/passkeys",
    response_model=PasskeyRegisteredOut,
    status_code=201,
    operation_id="register_passkey",
)
def register_passkey(
    body: PasskeyRegisterRequest,
    request: Request,
    caller: EnrollingCallerDep,
    session: SessionDep,
    identity: IdentityDep,
) -> PasskeyRegisteredOut:
    passkey, codes = second_factors.enrol_passkey(
        session,
        caller_trail(request, session, caller),
        identity,
        signed_in_account(session, caller.account),
        relying_party(request),
        registration=body.registration,
        credential=body.credential,
        name=body.name,
        token=caller.token,
    )
    return PasskeyRegisteredOut(**_passkey_out(passkey).model_dump(), recovery_codes=codes)


@router.delete("/me/mfa/passkeys/{passkey_id}", status_code=204, operation_id="remove_passkey")
def remove_passkey(
    passkey_id: uuid.UUID, request: Request, caller: EnrollingCallerDep, session: SessionDep
) -> Response:
    second_factors.unenrol_passkey(
        session, caller_trail(request, session, caller), caller.account.id, passkey_id
    )
    return Response(status_code=204)
