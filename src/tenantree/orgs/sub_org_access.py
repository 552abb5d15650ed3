"""A sub-org's access settings, controlled by its partner's primary admin."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime


class CustomerAccess(StrEnum):
    PERMITTED = "permitted"
    REFUSED = "refused"


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
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )


class SubOrgPartnerUser(Base):
    """A partner user allowed into a restricted sub-org.

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
