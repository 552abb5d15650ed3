"""Plain enums of licensing (no database): overage policy, license status, license source."""

from __future__ import annotations

from enum import StrEnum


class OveragePolicy(StrEnum):
    BLOCK = "block"
    ALLOW_AND_FLAG = "allow_and_flag"


class LicenseStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class LicenseSource(StrEnum):
    """Which pool a sub-org draws on: its partner's or its own."""

    PARENT_POOL = "parent_pool"
    OWN = "own"
