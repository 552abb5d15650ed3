"""A sub-org's access settings."""

from __future__ import annotations

import uuid
from typing import Literal

from tenantree.orgs.sub_org_access import CustomerAccess
from tenantree.web.schemas.common import StrictBody


class AccessSettingsBody(StrictBody):
    customer_access: CustomerAccess
    partner_users: Literal["all"] | list[uuid.UUID]
    customer_may_brand: bool
