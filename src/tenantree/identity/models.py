from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id
from tenantree.identity.roles import MemberStatus


class Account(Base):
    """A person's sign-in. Operators are accounts with `is_operator`."""

    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # Stored lower-cased: sign-in is case-insensitive on the address.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    # When the person proved the address is theirs to the platform (a link the
    # platform mailed, or an invitation whose token only the platform carried).
    # None: an org's own mail channel created it (access.policy.invitation_proves_email).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=current_time)


class Membership(Base):
    """An entry in one org's user directory."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("org_id", "account_id"),
        CheckConstraint("role IN ('admin', 'user', 'read_only')", name="role"),
        CheckConstraint("status IN ('active', 'suspended')", name="status"),
        CheckConstraint("NOT is_primary_admin OR role = 'admin'", name="primary_admin_is_admin"),
        # At most one primary account administrator per org.
        Index(
            "uq_memberships_one_primary_admin",
            "org_id",
            unique=True,
            sqlite_where=text("is_primary_admin"),
            postgresql_where=text("is_primary_admin"),
        ),
        Index(
            "uq_memberships_org_id_external_id",
            "org_id",
            "external_id",
            unique=True,
            sqlite_where=text("external_id IS NOT NULL"),
            postgresql_where=text("external_id IS NOT NULL"),
        ),
        Index("ix_memberships_account_id", "account_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16))
    is_primary_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.ACTIVE)
    external_id: Mapped[str | None] = mapped_column(String(255))
    # An entry an org made for someone else's account (SCIM) waits for its
    # owner's consent: it stays suspended, and grants nothing, until they accept
    # its invitation signed in as themselves (identity.consent).
    awaiting_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )

    account: Mapped[Account] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE


class AccessToken(Base):
    """An opaque bearer token; only its keyed hash is stored."""

    __tablename__ = "access_tokens"
    __table_args__ = (Index("ix_access_tokens_account_id", "account_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A session that may only enrol a second factor (access.policy.sign_in_step):
    # its org requires MFA and the person has none yet.
    mfa_enrolment_only: Mapped[bool] = mapped_column(Boolean, default=False)


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Invitation(Base):
    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'user', 'read_only')", name="role"),
        Index("ix_invitations_org_id_created_at", "org_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    # The invitation sent when an operator creates an org: accepting it makes
    # the invitee the org's primary account administrator.
    as_primary_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The directory entry this invitation asks consent for (a SCIM-created
    # entry awaiting it); None: accepting creates the entry.
    membership_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("memberships.id", ondelete="CASCADE")
    )
    # Its token travelled a channel the org controls (its or its partner's relay,
    # links on its custom domain): the org could have read it.
    via_org_channel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def status_at(self, now: datetime) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.declined_at is not None:
            return InvitationStatus.DECLINED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
