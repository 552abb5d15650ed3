from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from tenantree.access.permissions import Permission
from tenantree.identity.roles import Role
from tenantree.orgs.sub_org_access import CustomerAccess
from tenantree.web.schemas.access import AccessSettingsBody, PartnerGrantBody

__all__ = ["AccessSettingsBody", "PartnerGrantBody"]


class PartnerGrantOut(BaseModel):
    """A partner user's grant into the sub-org."""

    user_id: uuid.UUID
    # Null: standing access. A past time: the window is over (no access).
    expires_at: datetime | None


class AccessSettingsOut(BaseModel):
    customer_access: CustomerAccess
    partner_users: Literal["all"] | list[uuid.UUID]
    customer_may_brand: bool
    # When the partner-wide access ends (null: never, or partner_users is a list).
    partner_access_expires_at: datetime | None
    # Every named grant, with its window; they also apply once the
    # partner-wide access has ended.
    partner_user_grants: list[PartnerGrantOut]


class PartnerStaffOut(BaseModel):
    """A partner user who reaches this org now: what its customer may know."""

    display_name: str
    email: str
    # The role they act with in this org.
    role: Role
    # When their access ends; null: it has no end.
    until: datetime | None


class AccessPathOut(BaseModel):
    """The path that settled an access check."""

    kind: Literal["operator", "member", "partner"]
    # The org the path goes through; null when the caller may not see it.
    via_org_id: uuid.UUID | None
    role: Role | None
    primary_admin: bool
    block: Literal["org_deactivated", "customer_access_refused", "user_suspended"] | None
    # When this path's access ends (a partner access window); null: no end.
    until: datetime | None = None


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
    # When the user's partner access window here closed, if it has (and
    # they have no other way in).
    access_ended_at: datetime | None = None
    explanation: str
