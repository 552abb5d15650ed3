"""A directory entry's role and status (plain enums, no database)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"
    READ_ONLY = "read_only"


class MemberStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
