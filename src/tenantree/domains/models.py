"""An org's claims on email domains, proven by a DNS TXT record."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id


class EmailDomain(Base):
    """An org's claim on a domain. Several orgs may claim one; a claim blocks
    nobody until verified, and one org at most holds it verified (the partial
    unique index): the first to prove it. A verified domain makes the accounts
    with an address there *managed* by its org (`domains.managed`)."""

    __tablename__ = "email_domains"
    __table_args__ = (
        Index("ix_email_domains_org_id", "org_id"),
        UniqueConstraint("org_id", "domain"),
        Index(
            "ix_email_domains_verified_domain",
            "domain",
            unique=True,
            sqlite_where=text("verified_at IS NOT NULL"),
            postgresql_where=text("verified_at IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(253))
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
