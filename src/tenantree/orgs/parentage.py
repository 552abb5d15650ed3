"""Which partner a sub-org was under, and when: written when a sub-org moves.

Reports for past periods attribute a sub-org's use to the partner it was under
then. A sub-org that never moved has no rows: it has been under its current
partner since it was created. The first move writes both spans: the old
partner's (from the sub-org's creation to the move) and the new one's (open).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.db import Base, UTCDateTime, new_id


class OrgParentage(Base):
    """One span of a sub-org under one partner; `until` None: still under it."""

    __tablename__ = "org_parentage"
    __table_args__ = (
        CheckConstraint("until IS NULL OR until >= since", name="span_not_reversed"),
        Index("ix_org_parentage_partner_id_until", "partner_id", "until"),
        Index("ix_org_parentage_sub_org_id_since", "sub_org_id", "since"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    sub_org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    partner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("orgs.id", ondelete="CASCADE"))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
