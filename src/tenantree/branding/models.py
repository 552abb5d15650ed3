"""Brand rows: a draft and a published version per org, uploads, domain claims, relays."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class Stage(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class AssetKind(StrEnum):
    LOGO = "logo"
    FAVICON = "favicon"


class Brand(Base):
    """One version of an org's brand. Every field null means "inherit"."""

    __tablename__ = "brands"
    __table_args__ = (
        UniqueConstraint("org_id", "stage"),
        CheckConstraint("stage IN ('draft', 'published')", name="stage"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    product_name: Mapped[str | None] = mapped_column(String(100))
    primary_color: Mapped[str | None] = mapped_column(String(7))
    accent_color: Mapped[str | None] = mapped_column(String(7))
    support_email: Mapped[str | None] = mapped_column(String(320))
    support_url: Mapped[str | None] = mapped_column(String(2000))
    email_from_name: Mapped[str | None] = mapped_column(String(100))
    email_from_address: Mapped[str | None] = mapped_column(String(320))
    sign_in_message: Mapped[str | None] = mapped_column(String(1000))
    # Stored in its ASCII (IDNA) form, lower case, without a trailing dot.
    custom_domain: Mapped[str | None] = mapped_column(String(253))
    logo_asset_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("brand_assets.id", ondelete="SET NULL")
    )
    favicon_asset_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("brand_assets.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class BrandAsset(Base):
    """An uploaded image, stored as checked (PNG) or sanitised (SVG) bytes.

    Rows are never changed, so their URL can be cached for ever; they are kept
    after being replaced, since emails already sent point at them.
    """

    __tablename__ = "brand_assets"
    __table_args__ = (
        CheckConstraint("kind IN ('logo', 'favicon')", name="kind"),
        CheckConstraint("content_type IN ('image/png', 'image/svg+xml')", name="content_type"),
        Index("ix_brand_assets_org_id", "org_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class DomainClaim(Base):
    """An org's claim on a hostname, proven by a DNS TXT record.

    Several orgs may claim a hostname; a claim blocks nobody until it is
    verified, and one org at most holds it verified (the partial unique index):
    the first to prove it. A claim lives while the org's draft or published
    brand names the hostname.
    """

    __tablename__ = "domain_claims"
    __table_args__ = (
        Index("ix_domain_claims_org_id", "org_id"),
        UniqueConstraint("org_id", "hostname"),
        Index(
            "ix_domain_claims_verified_hostname",
            "hostname",
            unique=True,
            sqlite_where=text("verified_at IS NOT NULL"),
            postgresql_where=text("verified_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    hostname: Mapped[str] = mapped_column(String(253))
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmtpRelay(Base):
    """An org's own outgoing mail server. The password is stored Fernet-encrypted."""

    __tablename__ = "smtp_relays"
    __table_args__ = (CheckConstraint("port BETWEEN 1 AND 65535", name="port"),)

    org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    starttls: Mapped[bool] = mapped_column(Boolean, default=True)
    username: Mapped[str | None] = mapped_column(String(320))
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
