"""When an alert is due: plain functions over figures, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tenantree.errors import Invalid

DEFAULT_PERCENTS = (80, 100)
# Days before a license ends that its holder's admins are told.
EXPIRY_DAYS = (30, 7, 1)
MAX_THRESHOLDS = 5
MAX_PERCENT = 1000


class AlertKind(StrEnum):
    EXPIRY = "expiry"
    POOL_USE = "pool_use"  # to the pool's holder: the pool's figures
    QUOTA_USE = "quota_use"  # to the sub-org: its quota and its own use only


class AlertState(StrEnum):
    """Which of an org's alerts a listing shows."""

    OPEN = "open"  # neither cleared nor acknowledged: what the banner shows
    ACKNOWLEDGED = "acknowledged"
    ALL = "all"


def checked_percents(percents: Sequence[int]) -> tuple[int, ...]:
    """The thresholds as stored: distinct, ascending, each 1..1000 percent."""
    if not percents:
        raise Invalid("give at least one threshold", field="percents")
    if len(percents) > MAX_THRESHOLDS:
        raise Invalid(f"at most {MAX_THRESHOLDS} thresholds", field="percents")
    for percent in percents:
        if not 1 <= percent <= MAX_PERCENT:
            raise Invalid(f"each threshold is a percent from 1 to {MAX_PERCENT}", field="percents")
    return tuple(sorted(set(percents)))


def reached(used: int, limit: int, percent: int) -> bool:
    """Has use reached `percent` of `limit`? (In whole numbers: no rounding.)"""
    return limit > 0 and used * 100 >= limit * percent


def percent_of(used: int, limit: int) -> int:
    return (used * 100) // limit if limit > 0 else 0


def expiry_threshold(ends_at: datetime, now: datetime) -> int | None:
    """The tightest of EXPIRY_DAYS the license's end is within, or None (ended,
    or further off). A sweep that first sees a license 5 days from its end
    raises the 7-day alert only, not the 30-day one too."""
    left = ends_at - now
    if left <= timedelta(0):
        return None
    within = [days for days in EXPIRY_DAYS if left <= timedelta(days=days)]
    return min(within) if within else None


@dataclass(frozen=True)
class LastCrossing:
    epoch: int
    cleared: bool


class Step(StrEnum):
    RAISE = "raise"
    CLEAR = "clear"


def next_step(is_reached: bool, last: LastCrossing | None) -> tuple[Step, int] | None:
    """What to do about one threshold: raise it (in which epoch), clear the
    raised one (use fell back below: the next crossing alerts again), or nothing."""
    if is_reached:
        if last is None:
            return Step.RAISE, 0
        if last.cleared:
            return Step.RAISE, last.epoch + 1
        return None
    if last is not None and not last.cleared:
        return Step.CLEAR, last.epoch
    return None
