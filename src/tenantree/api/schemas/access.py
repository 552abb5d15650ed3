from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel

from tenantree.access.models import CustomerAccess
from tenantree.web.schemas.access import AccessSettingsBody

__all__ = ["AccessSettingsBody"]


class AccessSettingsOut(BaseModel):
    customer_access: CustomerAccess
    partner_users: Literal["all"] | list[uuid.UUID]
    customer_may_brand: bool
