"""Short-lived, single-use challenges: a sign-in's second step (the password
was right) and a passkey registration in progress. Only the token's keyed
hash is stored."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree import clock
from tenantree.identity.context import IdentityConfig
from tenantree.identity.credentials import new_token, token_digest
from tenantree.identity.mfa_models import MfaChallenge

CHALLENGE_TTL = timedelta(minutes=5)


class ChallengePurpose(StrEnum):
    SIGN_IN = "sign_in"
    PASSKEY_REGISTRATION = "passkey_register"


def open_challenge(
    session: Session,
    config: IdentityConfig,
    account_id: uuid.UUID,
    purpose: ChallengePurpose,
    *,
    webauthn_challenge: bytes | None = None,
) -> tuple[str, datetime]:
    token = new_token()
    expires_at = clock.utcnow() + CHALLENGE_TTL
    session.add(
        MfaChallenge(
            account_id=account_id,
            purpose=purpose,
            token_hash=token_digest(config.secret_key, token),
            webauthn_challenge=webauthn_challenge,
            expires_at=expires_at,
        )
    )
    return token, expires_at


def find_open_challenge(
    session: Session, config: IdentityConfig, token: str, purpose: ChallengePurpose
) -> MfaChallenge | None:
    """The unused, unexpired challenge this token opens, locked for this request."""
    challenge = session.scalar(
        select(MfaChallenge)
        .where(MfaChallenge.token_hash == token_digest(config.secret_key, token[:200]))
        .with_for_update()
    )
    if (
        challenge is None
        or challenge.purpose != purpose
        or challenge.used_at is not None
        or challenge.expires_at <= clock.utcnow()
    ):
        return None
    return challenge
