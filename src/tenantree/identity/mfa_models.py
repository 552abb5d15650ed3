"""A person's second factors (they belong to the account, never to an org),
the short-lived challenges of a sign-in's second step, and failed MFA attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class TotpFactor(Base):
    """An authenticator app's shared secret (sealed at rest); one per account."""

    __tablename__ = "mfa_totp_factors"

    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_secret: Mapped[str] = mapped_column(String(255))
    # None until a first code proves the app holds the secret.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step accepted: a code is never accepted twice.
    last_used_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)


class RecoveryCode(Base):
    """One single-use recovery code; only its keyed hash is stored."""

    __tablename__ = "mfa_recovery_codes"
    __table_args__ = (Index("ix_mfa_recovery_codes_account_id", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)


class Passkey(Base):
    """A WebAuthn credential (security key or passkey) registered by the account."""

    __tablename__ = "mfa_passkeys"
    __table_args__ = (Index("ix_mfa_passkeys_account_id", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MfaChallenge(Base):
    """A pending second step: of a sign-in (the password was right) or of a
    passkey registration. Only the token's keyed hash is stored."""

    __tablename__ = "mfa_challenges"
    __table_args__ = (Index("ix_mfa_challenges_account_id", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The WebAuthn challenge bytes handed to the browser, once asked for.
    webauthn_challenge: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
