from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel

from tenantree.access.models import CustomerAccess
from tenantree.access.permissions import Permission
from tenantree.identity.models import Role
from tenantree.web.schemas.access import AccessSettingsBody

__all__ = ["AccessSettingsBody"]


class AccessSettingsOut(BaseModel):
    customer_access: CustomerAccess
    partner_users: Literal["all"] | list[uuid.UUID]
    customer_may_brand: bool


class AccessPathOut(BaseModel):
    """The path that settled an access check."""

    kind: Literal["operator", "member", "partner"]
    # The org the path goes through; null when the caller may not see it.
    via_org_id: uuid.UUID | None
    role: Role | None
    primary_admin: bool
    block: Literal["org_deactivated", "customer_access_refused", "user_suspended"] | None


class AccessCheckOut(BaseModel):
    org_id: uuid.UUID
    user_id: uuid.UUID
    permission: Permission
    allowed: bool
    # False: the user has no way into the org at all (it would answer 404).
    visible: bool
    rule: Literal["operator", "role_grants", "role_lacks", "blocked", "no_path", "creator_lacks"]
    # The error code the user would get (null when allowed).
    code: str | None
    path: AccessPathOut | None
    explanation: str
