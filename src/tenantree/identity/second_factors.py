"""A person's second factors as a whole: what the account has, and the steps
around enrolling or removing one (recovery codes come with the first factor
and go with the last; enrolling ends an enrolment-only session's limit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from tenantree.audit.service import AuditTrail
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import token_digest
from tenantree.identity.mfa_models import Passkey, TotpFactor
from tenantree.identity.models import AccessToken, Account
from tenantree.identity.passkeys import (
    RelyingParty,
    list_passkeys,
    register_passkey,
    remove_passkey,
)
from tenantree.identity.recovery_codes import (
    drop_recovery_codes,
    recovery_codes_left,
    replace_recovery_codes,
)
from tenantree.identity.totp import confirm_totp_enrolment, remove_totp


@dataclass(frozen=True)
class SecondFactors:
    totp: bool
    passkeys: list[Passkey]
    recovery_codes_left: int

    @property
    def any(self) -> bool:
        return self.totp or bool(self.passkeys)


def _has_totp(account_id: uuid.UUID) -> Any:
    return exists().where(TotpFactor.account_id == account_id, TotpFactor.confirmed_at.isnot(None))


def has_second_factor(session: Session, account_id: uuid.UUID) -> bool:
    return bool(
        session.scalar(
            select(_has_totp(account_id) | exists().where(Passkey.account_id == account_id))
        )
    )


def second_factors(session: Session, account_id: uuid.UUID) -> SecondFactors:
    return SecondFactors(
        totp=bool(session.scalar(select(_has_totp(account_id)))),
        passkeys=list_passkeys(session, account_id),
        recovery_codes_left=recovery_codes_left(session, account_id),
    )


def _after_enrolling(
    session: Session, config: IdentityConfig, account_id: uuid.UUID, token: str | None
) -> list[str]:
    """Recovery codes with the first factor (shown once); and the session that
    enrolled is no longer limited to enrolling."""
    codes = []
    if recovery_codes_left(session, account_id) == 0:
        codes = replace_recovery_codes(session, config, account_id)
    if token is not None:
        session.execute(
            update(AccessToken)
            .where(AccessToken.token_hash == token_digest(config.secret_key, token))
            .values(mfa_enrolment_only=False)
        )
    return codes


def _after_removing(session: Session, account_id: uuid.UUID) -> None:
    if not has_second_factor(session, account_id):
        drop_recovery_codes(session, account_id)


def enrol_totp(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    account: Account,
    code: str,
    *,
    token: str | None,
) -> list[str]:
    """Confirm the authenticator app; the new recovery codes, if this is the first factor."""
    confirm_totp_enrolment(session, trail, config, account, code)
    return _after_enrolling(session, config, account.id, token)


def enrol_passkey(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    account: Account,
    rp: RelyingParty,
    *,
    registration: str,
    credential: dict[str, Any] | str,
    name: str,
    token: str | None,
) -> tuple[Passkey, list[str]]:
    passkey = register_passkey(
        session,
        trail,
        config,
        account,
        rp,
        registration=registration,
        credential=credential,
        name=name,
    )
    return passkey, _after_enrolling(session, config, account.id, token)


def unenrol_totp(session: Session, trail: AuditTrail, account_id: uuid.UUID) -> None:
    remove_totp(session, trail, account_id)
    _after_removing(session, account_id)


def unenrol_passkey(
    session: Session, trail: AuditTrail, account_id: uuid.UUID, passkey_id: uuid.UUID
) -> None:
    remove_passkey(session, trail, account_id, passkey_id)
    _after_removing(session, account_id)
