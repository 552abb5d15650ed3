"""Throttling attempts by email and by client address in a sliding window.

Each throttled flow keeps its own table of attempts (`email`, `client_address`,
`at`) and its own limits (from settings); counting and the wait are this rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tenantree import clock


class Attempt(Protocol):
    """The mapped class of a flow's attempts table."""

    email: InstrumentedAttribute[str]
    client_address: InstrumentedAttribute[str]
    at: InstrumentedAttribute[datetime]

    def __init__(self, *, email: str, client_address: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class Limits:
    window: timedelta
    per_email: int
    per_address: int


def retry_after(
    session: Session, attempts: type[Attempt], limits: Limits, *, email: str, client_address: str
) -> int | None:
    """Seconds to wait if the email or the address already reached its limit, else None.

    The wait runs until the oldest counted attempt leaves the window, so attempts
    refused here (never recorded) do not extend it.
    """
    now = clock.utcnow()
    for column, value, limit in (
        (attempts.email, email, limits.per_email),
        (attempts.client_address, client_address, limits.per_address),
    ):
        count, oldest = session.execute(
            select(func.count(), func.min(attempts.at)).where(
                column == value, attempts.at > now - limits.window
            )
        ).one()
        if count >= limit:
            return max(1, math.ceil((oldest + limits.window - now).total_seconds()))
    return None


def record_attempt(
    session: Session, attempts: type[Attempt], *, email: str, client_address: str
) -> None:
    """Count one attempt; the caller commits it even when the request fails."""
    session.add(attempts(email=email, client_address=client_address, at=clock.utcnow()))
