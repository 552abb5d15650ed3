"""An org's "MFA required" setting: for its own members, and (partners) for its sub-orgs.

The effective requirement of an org is decided by `access.policy.mfa_required_in`
from this row and its ancestors' rows; a child's own row can only add to it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tenantree.clock import current_time
from tenantree.db import Base, UTCDateTime


class OrgMfaPolicy(Base):
    __tablename__ = "org_mfa_policies"

    org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    # The org's own members must use MFA.
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every member of every sub-org of this partner must use MFA.
    required_for_sub_orgs: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=current_time, onupdate=current_time
    )
