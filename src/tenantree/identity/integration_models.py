"""Machine credentials and provisioning state: API tokens, SCIM tokens, SCIM profiles.

An API token is a *service account*: its own sign-in-less Account with one
directory entry (Membership) in the org that created it, holding the token's
role. The policy therefore treats it exactly like a person with that role,
partner delegation and `partner_users` lists included, and removing the entry
from the directory kills the token.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (
        Index("ix_api_tokens_org_id_created_at", "org_id", "created_at"),
        Index(
            "uq_api_tokens_org_id_name_live",
            "org_id",
            "name",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    # The service account's directory entry; NULL once revoked or removed.
    membership_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("memberships.id", ondelete="SET NULL"), unique=True
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScimToken(Base):
    """A bearer token that pins one org's SCIM endpoint; nothing else accepts it."""

    __tablename__ = "scim_tokens"
    __table_args__ = (Index("ix_scim_tokens_org_id_created_at", "org_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScimProfile(Base):
    """What an org's identity provider says about one of its directory entries.

    Kept per entry, never on the shared Account: one org's provider can rename
    its own entry but never the person's sign-in or another org's view of them.
    """

    __tablename__ = "scim_profiles"
    __table_args__ = (
        Index("uq_scim_profiles_org_id_user_name", "org_id", "user_name_key", unique=True),
    )

    membership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    display: Mapped[str | None] = mapped_column(String(255))
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    user_name: Mapped[str] = mapped_column(String(320))
    # userName is case-insensitive (RFC 7643 4.1.1): unique on the folded form.
    user_name_key: Mapped[str] = mapped_column(String(320))
    # The SCIM User resource last written (name, emails, ...), minus what the
    # directory entry itself holds (id, meta, externalId); `active` is kept as
    # the provider said it, while the entry's status is what counts.
    resource: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)


class ScimGroup(Base):
    """A named group of one org's users, kept for its identity provider.

    Groups carry no permissions: a user's role comes from the directory entry
    (set through the User's `roles`), never from group membership.
    """

    __tablename__ = "scim_groups"
    __table_args__ = (
        Index("uq_scim_groups_org_id_display_name", "org_id", "display_name_key", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    display_name: Mapped[str] = mapped_column(String(255))
    display_name_key: Mapped[str] = mapped_column(String(255))
    external_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)


class ScimGroupMember(Base):
    __tablename__ = "scim_group_members"
    __table_args__ = (Index("ix_scim_group_members_membership_id", "membership_id"),)

    group_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("scim_groups.id", ondelete="CASCADE"), primary_key=True
    )
    membership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    display: Mapped[str | None] = mapped_column(String(255))


class SsoConfig(Base):
    """One org's OpenID Connect identity provider."""

    __tablename__ = "sso_configs"

    org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    # Fernet, keyed from the settings' secret key.
    client_secret_encrypted: Mapped[str] = mapped_column(String(1000))
    allowed_domains: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    sso_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Role for just-in-time entries; None: only existing entries may sign in.
    jit_role: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)


class SsoLogin(Base):
    """One started sign-in: state (hashed), nonce and PKCE verifier, used once."""

    __tablename__ = "sso_logins"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(255))
    code_verifier_encrypted: Mapped[str] = mapped_column(String(1000))
    redirect_uri: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A test sign-in (before making SSO required): the admin who started it,
    # the keyed hash of their session's token, and when the provider let them in.
    test_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    test_session_hash: Mapped[str | None] = mapped_column(String(64))
    test_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SsoIdentity(Base):
    """The IdP subject an org's directory entry signed in as (stored on first sign-in)."""

    __tablename__ = "sso_identities"
    __table_args__ = (
        Index(
            "uq_sso_identities_org_id_issuer_subject", "org_id", "issuer", "subject", unique=True
        ),
    )

    membership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)


class SsoSession(Base):
    """A bearer token from an SSO sign-in. It acts only in the org whose IdP issued it."""

    __tablename__ = "sso_sessions"
    __table_args__ = (Index("ix_sso_sessions_membership_id", "membership_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    membership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("memberships.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
