"""Changing users and inviting them."""

from __future__ import annotations

import uuid

from pydantic import EmailStr

from tenantree.identity.roles import MemberStatus, Role
from tenantree.web.schemas.common import StrictBody


class UserUpdate(StrictBody):
    role: Role | None = None
    status: MemberStatus | None = None


class PrimaryAdminTransfer(StrictBody):
    user_id: uuid.UUID


class InvitationCreate(StrictBody):
    email: EmailStr
    role: Role
