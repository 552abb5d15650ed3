"""What a pool does past its quantity (a plain enum, no database)."""

from __future__ import annotations

from enum import StrEnum


class OveragePolicy(StrEnum):
    BLOCK = "block"
    ALLOW_AND_FLAG = "allow_and_flag"
