"""Org rows. One table holds every kind; `kind` says which."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id
from tenantree.orgs.kinds import Edition, OrgKind, OrgStatus


class Org(Base):
    __tablename__ = "orgs"
    __table_args__ = (
        CheckConstraint("kind IN ('standard', 'partner', 'sub_org')", name="kind"),
        CheckConstraint("edition IN ('standard', 'pro')", name="edition"),
        CheckConstraint("status IN ('active', 'deactivated')", name="status"),
        CheckConstraint(
            "partner_type IS NULL OR partner_type IN ('msp', 'reseller')", name="partner_type"
        ),
        # The tree is two levels deep: only sub-orgs have a parent.
        CheckConstraint(
            "(kind = 'sub_org') = (parent_id IS NOT NULL)", name="parent_only_for_sub_orgs"
        ),
        Index("ix_orgs_parent_id_name", "parent_id", "name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default=OrgKind.STANDARD)
    partner_type: Mapped[str | None] = mapped_column(String(16))
    edition: Mapped[str] = mapped_column(String(16), default=Edition.STANDARD)
    salesforce_id: Mapped[str] = mapped_column(String(18), unique=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="RESTRICT")
    )
    # Sub-orgs of an MSP: the partner's Salesforce account, their link to it.
    partner_salesforce_id: Mapped[str | None] = mapped_column(String(18))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=OrgStatus.ACTIVE)
    # A sub-org deactivated because its partner was, with "suspend customers":
    # reactivating the partner reactivates exactly these.
    deactivated_with_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=current_time)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    @property
    def is_sub_org(self) -> bool:
        return self.kind == OrgKind.SUB_ORG

    @property
    def is_partner(self) -> bool:
        return self.kind == OrgKind.PARTNER
