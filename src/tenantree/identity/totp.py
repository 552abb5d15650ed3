"""Time-based one-time codes (RFC 6238, an authenticator app): enrolling,
confirming, checking a code, removing. One app per account."""

from __future__ import annotations

import hmac
import uuid
from datetime import timedelta

import pyotp
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.errors import Invalid
from tenantree.identity.context import IdentityConfig
from tenantree.identity.errors import SecondFactorExists, SecondFactorNotFound
from tenantree.identity.mfa_models import TotpFactor
from tenantree.identity.models import Account
from tenantree.identity.sealed import seal, unseal

ISSUER = "tenantree"
_PURPOSE = "mfa-totp-secret"
_STEP = timedelta(seconds=30)
# A code of the previous or next 30 s step is accepted too: clocks drift.
_STEPS_ACCEPTED = (-1, 0, 1)


def enrol_known_totp_secret(
    session: Session, config: IdentityConfig, account_id: uuid.UUID, secret: str
) -> None:
    """Enrol an app with a secret chosen beforehand (the demo's published one),
    confirmed at once. Never for real people: their secret is made here."""
    session.add(
        TotpFactor(
            account_id=account_id,
            sealed_secret=seal(config.secret_key, _PURPOSE, secret),
            confirmed_at=clock.utcnow(),
        )
    )
    session.flush()  # counted by has_second_factor in the same transaction


def start_totp_enrolment(
    session: Session, config: IdentityConfig, account: Account
) -> tuple[str, str]:
    """A new secret (replacing one never confirmed): the secret and its otpauth:// URI."""
    factor = session.get(TotpFactor, account.id)
    if factor is not None and factor.confirmed_at is not None:
        raise SecondFactorExists("an authenticator app is already enrolled; remove it first")
    secret = pyotp.random_base32()
    sealed = seal(config.secret_key, _PURPOSE, secret)
    if factor is None:
        session.add(TotpFactor(account_id=account.id, sealed_secret=sealed))
    else:
        factor.sealed_secret = sealed
        factor.last_used_step = None
    session.flush()  # a second start in the same request finds this row
    uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER)
    return secret, uri


def confirm_totp_enrolment(
    session: Session, trail: AuditTrail, config: IdentityConfig, account: Account, code: str
) -> None:
    """The first code proves the app holds the secret; the app then counts as a factor."""
    factor = session.get(TotpFactor, account.id, with_for_update=True)
    if factor is None or factor.confirmed_at is not None:
        raise SecondFactorNotFound("no authenticator app is waiting to be confirmed")
    if not _accept(config, factor, code):
        raise Invalid("the code is wrong or has expired", field="code")
    factor.confirmed_at = clock.utcnow()
    trail.record(
        AuditAction.MFA_TOTP_ENROLLED, org_id=None, target_type="account", target_id=account.id
    )


def totp_code_valid(
    session: Session, config: IdentityConfig, account_id: uuid.UUID, code: str
) -> bool:
    """Is this a fresh code of the account's confirmed app? A code is used once."""
    factor = session.get(TotpFactor, account_id, with_for_update=True)
    if factor is None or factor.confirmed_at is None:
        return False
    return _accept(config, factor, code)


def remove_totp(session: Session, trail: AuditTrail, account_id: uuid.UUID) -> None:
    factor = session.get(TotpFactor, account_id)
    if factor is None or factor.confirmed_at is None:
        raise SecondFactorNotFound("no authenticator app is enrolled")
    session.delete(factor)
    session.flush()  # the account's remaining factors are counted next
    trail.record(
        AuditAction.MFA_TOTP_REMOVED, org_id=None, target_type="account", target_id=account_id
    )


def _accept(config: IdentityConfig, factor: TotpFactor, code: str) -> bool:
    code = code.replace(" ", "").strip()
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(unseal(config.secret_key, _PURPOSE, factor.sealed_secret))
    now = clock.utcnow()
    for offset in _STEPS_ACCEPTED:
        at = now + offset * _STEP
        step = totp.timecode(at)
        if factor.last_used_step is not None and step <= factor.last_used_step:
            continue  # this step's code (or an older one) was already used
        if hmac.compare_digest(totp.at(at), code):
            factor.last_used_step = step
            return True
    return False
