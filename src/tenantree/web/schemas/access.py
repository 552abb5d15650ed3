"""A sub-org's access settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from tenantree.orgs.sub_org_access import CustomerAccess
from tenantree.web.schemas.common import StrictBody


class AccessSettingsBody(StrictBody):
    customer_access: CustomerAccess
    partner_users: Literal["all"] | list[uuid.UUID]
    customer_may_brand: bool
    # When the partner-wide access ends; only with partner_users "all". A PUT
    # without it gives the partner-wide access no end.
    partner_access_expires_at: datetime | None = None


class PartnerGrantBody(StrictBody):
    # The end of the window; null: standing access until ended.
    expires_at: datetime | None
