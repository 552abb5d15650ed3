"""Recovery codes: ten single-use codes for when the second factor is lost.

Only each code's keyed hash is stored. They are made when the first factor is
enrolled and when the person asks for a new set (the old set then stops working).
"""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.audit.actions import AuditAction
from tenantree.audit.service import AuditTrail
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import token_digest
from tenantree.identity.mfa_models import RecoveryCode

RECOVERY_CODE_COUNT = 10


def _digest(config: IdentityConfig, code: str) -> str:
    normalized = code.strip().replace("-", "").replace(" ", "").lower()
    return token_digest(config.secret_key, "recovery-code:" + normalized)


def _new_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits, single use, behind the password
    return f"{raw[:5]}-{raw[5:]}"


def replace_recovery_codes(
    session: Session, config: IdentityConfig, account_id: uuid.UUID
) -> list[str]:
    """A fresh set of codes (shown once); any earlier set stops working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account_id))
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(
        RecoveryCode(account_id=account_id, code_hash=_digest(config, code)) for code in codes
    )
    return codes


def regenerate_recovery_codes(
    session: Session, trail: AuditTrail, config: IdentityConfig, account_id: uuid.UUID
) -> list[str]:
    codes = replace_recovery_codes(session, config, account_id)
    trail.record(
        AuditAction.MFA_RECOVERY_CODES_REGENERATED,
        org_id=None,
        target_type="account",
        target_id=account_id,
    )
    return codes


def drop_recovery_codes(session: Session, account_id: uuid.UUID) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account_id))


def use_recovery_code(
    session: Session,
    trail: AuditTrail,
    config: IdentityConfig,
    account_id: uuid.UUID,
    code: str,
) -> bool:
    """Spend one unused code of the account; False if it is not one."""
    row = session.scalar(
        select(RecoveryCode)
        .where(
            RecoveryCode.account_id == account_id,
            RecoveryCode.code_hash == _digest(config, code),
            RecoveryCode.used_at.is_(None),
        )
        .with_for_update()
    )
    if row is None:
        return False
    row.used_at = clock.utcnow()
    session.flush()  # counted as used in `remaining` below
    trail.record(
        AuditAction.MFA_RECOVERY_CODE_USED,
        org_id=None,
        target_type="account",
        target_id=account_id,
        remaining=recovery_codes_left(session, account_id),
    )
    return True


def recovery_codes_left(session: Session, account_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                RecoveryCode.account_id == account_id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )
