"""A sub-org's access settings, controlled by its partner's primary admin."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime
from tenantree.orgs.kinds import CustomerAccess as CustomerAccess  # re-exported


class SubOrgAccess(Base):
    __tablename__ = "sub_org_access"
    __table_args__ = (
        CheckConstraint("customer_access IN ('permitted', 'refused')", name="customer_access"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    customer_access: Mapped[str] = mapped_column(String(16), default=CustomerAccess.PERMITTED)
    # False: every partner user reaches the sub-org. True: only those listed
    # in SubOrgPartnerUser (and the partner's primary admin, always).
    partner_users_restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_may_brand: Mapped[bool] = mapped_column(Boolean, default=False)
    # When the partner-wide access (partner_users_restricted False) ends; None:
    # never. After it only the listed partner users (and the primary admin) reach it.
    partner_access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the first request that finds the end passed, so it is audited once.
    partner_access_lapse_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )


class SubOrgPartnerUser(Base):
    """A partner user allowed into a restricted sub-org.

    Listed entries also reach a sub-org whose partner-wide access has ended.
    Keyed by the partner directory entry, so removing the person from the
    partner's directory removes this grant with it (ON DELETE CASCADE).
    """

    __tablename__ = "sub_org_partner_users"

    sub_org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    membership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # A window ("support access until Friday 18:00"); None: standing access.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the first request that finds the window over, so it is audited once.
    lapse_recorded: Mapped[bool] = mapped_column(Boolean, default=False)
