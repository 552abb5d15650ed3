"""WebAuthn credentials (passkeys, security keys): registering, proving one
at sign-in, listing and removing. The relying party is the host the browser
talks to, so a credential works on the host where it was registered."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.identity.context import IdentityConfig
from tenantree.identity.errors import SecondFactorNotFound
from tenantree.identity.mfa_challenges import (
    ChallengePurpose,
    find_open_challenge,
    open_challenge,
)
from tenantree.identity.mfa_models import MfaChallenge, Passkey
from tenantree.identity.models import Account

# What a malformed or forged browser answer raises inside the library.
_BAD_ANSWER = (
    InvalidAuthenticationResponse,
    InvalidRegistrationResponse,
    InvalidJSONStructure,
    KeyError,
    TypeError,
    ValueError,
)


@dataclass(frozen=True)
class RelyingParty:
    id: str  # the host name, e.g. console.example.com
    name: str
    origin: str  # scheme://host[:port], as the browser reports it


def _descriptors(session: Session, account_id: uuid.UUID) -> list[PublicKeyCredentialDescriptor]:
    ids = session.scalars(select(Passkey.credential_id).where(Passkey.account_id == account_id))
    return [PublicKeyCredentialDescriptor(id=credential_id) for credential_id in ids]


def passkey_registration_options(
    session: Session, config: IdentityConfig, account: Account, rp: RelyingParty
) -> tuple[str, dict[str, Any]]:
    """A registration id (send it back with the answer) and the browser's options."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=account.id.bytes,
        user_name=account.email,
        user_display_name=account.display_name or account.email,
        exclude_credentials=_descriptors(session, account.id),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    registration, _ = open_challenge(
        session,
        config,
        account.id,
        ChallengePurpose.PASSKEY_REGISTRATION,
        webauthn_challenge=options.challenge,
    )
    return registration, json.loads(options_to_json(options))


def register_passkey(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    account: Account,
    rp: RelyingParty,
    *,
    registration: str,
    credential: dict[str, Any] | str,
    name: str,
) -> Passkey:
    challenge = find_open_challenge(
        session, config, registration, ChallengePurpose.PASSKEY_REGISTRATION
    )
    if challenge is None or challenge.account_id != account.id:
        raise SecondFactorNotFound("no such registration in progress (it expires); start again")
    assert challenge.webauthn_challenge is not None
    challenge.used_at = clock.utcnow()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge.webauthn_challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except _BAD_ANSWER as exc:
        raise Invalid(f"the passkey could not be verified: {exc}", field="credential") from exc
    passkey = Passkey(
        account_id=account.id,
        name=name.strip()[:100] or "Passkey",
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    session.add(passkey)
    session.flush()  # the id goes into the audit event
    trail.record(
        AuditAction.MFA_PASSKEY_REGISTERED,
        org_id=None,
        target_type="account",
        target_id=account.id,
        passkey_id=passkey.id,
        name=passkey.name,
    )
    return passkey


def passkey_sign_in_options(
    session: Session, challenge: MfaChallenge, rp: RelyingParty
) -> dict[str, Any]:
    """The browser's options to prove one of the account's passkeys for this sign-in."""
    options = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=_descriptors(session, challenge.account_id),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    challenge.webauthn_challenge = options.challenge
    return json.loads(options_to_json(options))  # type: ignore[no-any-return]


def passkey_answer_valid(
    session: Session, challenge: MfaChallenge, rp: RelyingParty, answer: dict[str, Any] | str
) -> bool:
    """Does the browser's answer prove a passkey of the challenge's account?"""
    if challenge.webauthn_challenge is None:
        return False
    try:
        parsed = parse_authentication_credential_json(answer)
    except _BAD_ANSWER:
        return False
    passkey = session.scalar(
        select(Passkey).where(
            Passkey.account_id == challenge.account_id, Passkey.credential_id == parsed.raw_id
        )
    )
    if passkey is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge.webauthn_challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except _BAD_ANSWER:
        return False
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = clock.utcnow()
    return True


def list_passkeys(session: Session, account_id: uuid.UUID) -> list[Passkey]:
    return list(
        session.scalars(
            select(Passkey).where(Passkey.account_id == account_id).order_by(Passkey.created_at)
        )
    )


def remove_passkey(
    session: Session, trail: AuditTrail, account_id: uuid.UUID, passkey_id: uuid.UUID
) -> None:
    passkey = session.get(Passkey, passkey_id)
    if passkey is None or passkey.account_id != account_id:
        raise SecondFactorNotFound("no such passkey")
    session.delete(passkey)
    session.flush()  # the account's remaining factors are counted next
    trail.record(
        AuditAction.MFA_PASSKEY_REMOVED,
        org_id=None,
        target_type="account",
        target_id=account_id,
        passkey_id=passkey_id,
        name=passkey.name,
    )
