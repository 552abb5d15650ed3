"""One place to read the time, so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def current_time() -> datetime:
    """Column default: looks `utcnow` up at call time, so a moved clock moves it too."""
    return utcnow()
