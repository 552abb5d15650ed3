"""A sign-in's second step: proving a second factor against the challenge the
right password earned (authn.signin.sign_in), then issuing the session.

Every attempt holds a hit under the sign-in limits (identity.throttle: a wrong
factor counts as a wrong password would), given back when the factor is right;
a failure's audit event is kept through the request's rollback.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.access.facts import load_actor
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.authn.signin import IssuedToken, issue_session, sign_in_limits, why_unusable
from tenantree.db.unit_of_work import keep
from tenantree.errors import Invalid
from tenantree.identity.context import IdentityConfig
from tenantree.identity.errors import InvalidSecondFactor, InvalidToken
from tenantree.identity.mfa_challenges import ChallengePurpose, find_open_challenge
from tenantree.identity.mfa_models import MfaChallenge
from tenantree.identity.models import Account
from tenantree.identity.passkeys import (
    RelyingParty,
    passkey_answer_valid,
    passkey_sign_in_options,
)
from tenantree.identity.recovery_codes import use_recovery_code
from tenantree.identity.throttle import Throttle, reserve
from tenantree.identity.totp import totp_code_valid

MFA_THROTTLE = Throttle(
    code="mfa_throttled",
    message="too many wrong second factors; try again later",
    refused_action=AuditAction.MFA_THROTTLED,
)


def _open(session: Session, config: IdentityConfig, challenge: str) -> MfaChallenge:
    found = find_open_challenge(session, config, challenge, ChallengePurpose.SIGN_IN)
    if found is None:
        raise InvalidToken(
            "the sign-in challenge has expired or was used; sign in again",
            code="mfa_challenge_expired",
        )
    return found


def passkey_options(
    session: Session, config: IdentityConfig, challenge: str, rp: RelyingParty
) -> dict[str, Any]:
    """The browser's options to prove a passkey for this pending sign-in."""
    return passkey_sign_in_options(session, _open(session, config, challenge), rp)


def complete_sign_in(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    *,
    challenge: str,
    client_address: str,
    code: str | None = None,
    recovery_code: str | None = None,
    passkey: dict[str, Any] | str | None = None,
    rp: RelyingParty | None = None,
) -> IssuedToken:
    """Prove exactly one factor (an app's code, a recovery code or a passkey's answer)."""
    found = _open(session, config, challenge)
    given = [
        name
        for name, value in (("code", code), ("recovery_code", recovery_code), ("passkey", passkey))
        if value
    ]
    if len(given) != 1:
        raise Invalid("give exactly one of code, recovery_code or passkey", field="code")
    method = given[0]
    account = session.get(Account, found.account_id)
    assert account is not None  # the challenge goes with its account (ON DELETE CASCADE)
    email, account_id = account.email, account.id
    reservation = reserve(
        session,
        trail,
        MFA_THROTTLE,
        sign_in_limits(config.limits, email, client_address),
        email=email,
        client_address=client_address,
    )
    if method == "code":
        ok = totp_code_valid(session, config, account_id, code or "")
    elif method == "recovery_code":
        ok = use_recovery_code(session, trail, config, account_id, recovery_code or "")
    else:
        ok = rp is not None and passkey_answer_valid(session, found, rp, passkey or "")
    if not ok:
        keep(
            session,
            lambda: trail.record(
                AuditAction.MFA_FAILED,
                org_id=None,
                target_type="account",
                target_id=account_id,
                method=method,
            ),
        )
        raise InvalidSecondFactor("the second factor is wrong or was already used")
    found.used_at = clock.utcnow()
    # Whatever changed since the password was checked (suspension, a refused org) counts.
    refusal = why_unusable(session, load_actor(session, account))
    if refusal is not None:
        raise refusal
    reservation.release(session)
    return issue_session(session, trail, config, account, second_factor=method)
