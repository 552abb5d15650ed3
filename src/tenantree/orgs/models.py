"""Org rows. One table holds every kind; `kind` says which."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime, new_id
from tenantree.orgs.kinds import MAX_DEPTH, Edition, OrgKind, OrgStatus, PartnerType


class Org(Base):
    __tablename__ = "orgs"
    __table_args__ = (
        CheckConstraint("kind IN ('standard', 'partner', 'sub_org')", name="kind"),
        CheckConstraint("edition IN ('standard', 'pro')", name="edition"),
        CheckConstraint("status IN ('active', 'deactivated')", name="status"),
        CheckConstraint(
            "partner_type IS NULL OR partner_type IN ('msp', 'reseller', 'distributor')",
            name="partner_type",
        ),
        # Only sub-orgs have a parent; a sub-org that is a partner (tier 2) is
        # an MSP or a reseller under a distributor, never a distributor itself.
        CheckConstraint(
            "(kind = 'sub_org') = (parent_id IS NOT NULL)", name="parent_only_for_sub_orgs"
        ),
        CheckConstraint(
            "partner_type IS NULL OR partner_type <> 'distributor' OR parent_id IS NULL",
            name="distributor_at_top",
        ),
        # The depth, held by the database: a child's depth is its parent's plus
        # one (the parent's depth is copied beside its id and checked by the
        # composite key below), and no org is deeper than MAX_DEPTH.
        CheckConstraint(
            "(parent_id IS NULL AND parent_depth IS NULL AND depth = 0)"
            " OR (parent_id IS NOT NULL AND parent_depth IS NOT NULL"
            " AND depth = parent_depth + 1)",
            name="depth_follows_parent",
        ),
        CheckConstraint(f"depth >= 0 AND depth <= {MAX_DEPTH}", name="depth_bounded"),
        UniqueConstraint("id", "depth", name="uq_orgs_id_depth"),
        ForeignKeyConstraint(
            ["parent_id", "parent_depth"],
            ["orgs.id", "orgs.depth"],
            name="fk_orgs_parent_id_parent_depth_orgs",
            ondelete="RESTRICT",
        ),
        # The id too: a list below a parent reads it in (name, id) order
        # (migration 0027).
        Index("ix_orgs_parent_id_name", "parent_id", "name", "id"),
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
    depth: Mapped[int] = mapped_column(Integer, default=0)
    parent_depth: Mapped[int | None] = mapped_column(Integer)
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

    def place_under(self, parent: Org) -> None:
        """Set the parent and the depths the database checks against it."""
        self.parent_id = parent.id
        self.parent_depth = parent.depth
        self.depth = parent.depth + 1

    @hybrid_property
    def customer_sort(self) -> str:
        """The customer's name to sort by: never NULL (keyset paging compares it),
        so orgs without one sort first, as the empty name."""
        return self.customer_name or ""

    @customer_sort.inplace.expression
    @classmethod
    def _customer_sort(cls):  # type: ignore[no-untyped-def]
        return func.coalesce(cls.customer_name, "")

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    @property
    def is_sub_org(self) -> bool:
        return self.kind == OrgKind.SUB_ORG

    @property
    def is_partner(self) -> bool:
        """Does it hold customers: a top-level partner, or a distributor's
        customer activated as an MSP or reseller (tier 2, still a sub-org)."""
        return self.partner_type is not None

    @property
    def is_customer(self) -> bool:
        """A sub-org with no customers of its own: its license report is the
        child view (a tier-2 partner's is the parent view of its subtree)."""
        return self.is_sub_org and not self.is_partner

    @property
    def is_distributor(self) -> bool:
        return self.partner_type == PartnerType.DISTRIBUTOR
