"""When will a pool (or a quota) run out? A robust trend over daily use.

Plain functions, no database: the history comes in as one figure per day.
The trend is Theil–Sen's: the median of the slopes between every two days.
A few outlying days (a one-day spike, a migration's burst) move an ordinary
least-squares line a lot and the median hardly at all, and a sudden step
that then stays flat is not mistaken for steady growth.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

# Days of history the trend is drawn over.
WINDOW_DAYS = 30
# A slope below this (units a day) is flat: no run-out is projected.
FLAT_SLOPE = 1e-9
# Fewer days than this tell nothing about a trend.
MIN_DAYS = 3


@dataclass(frozen=True)
class Trend:
    slope: float  # units a day
    intercept: float  # the fitted level at the window's first day

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def theil_sen(values: Sequence[float]) -> Trend:
    """Theil–Sen fit of `values` (one a day, x = 0, 1, …)."""
    n = len(values)
    slopes = [(values[j] - values[i]) / (j - i) for i in range(n) for j in range(i + 1, n)]
    slope = median(slopes) if slopes else 0.0
    intercept = median(v - slope * x for x, v in enumerate(values)) if values else 0.0
    return Trend(slope, intercept)


@dataclass(frozen=True)
class RunOut:
    """A projection: the day the fitted use first reaches `limit`."""

    on: date
    slope_per_day: float


def run_out(daily: Sequence[int], last_day: date, limit: int) -> RunOut | None:
    """The projected day use reaches `limit`, from `daily` (one value per day,
    the last for `last_day`); None when flat, falling or too short a history.

    Only the last WINDOW_DAYS days count. When use already stands at or above
    the limit on the last day, the run-out is that day.
    """
    window = list(daily[-WINDOW_DAYS:])
    if len(window) < MIN_DAYS:
        return None
    trend = theil_sen(window)
    last_x = len(window) - 1
    if window[-1] >= limit:
        return RunOut(last_day, trend.slope)
    if trend.slope <= FLAT_SLOPE:
        return None
    # First whole day on which the fitted line is at the limit.
    x = (limit - trend.intercept) / trend.slope
    days_ahead = max(0, math.ceil(x - last_x - 1e-9))
    return RunOut(last_day + timedelta(days=days_ahead), trend.slope)


def projection(
    daily: Sequence[int], last_day: date, limit: int, horizon_days: int = 365
) -> list[tuple[date, float]]:
    """Points of the projected line from the last day to its run-out (for the
    console's dashed line); empty without a run-out or past the horizon."""
    found = run_out(daily, last_day, limit)
    if found is None or found.on == last_day:
        return []
    if (found.on - last_day).days > horizon_days:
        return []
    trend = theil_sen(list(daily[-WINDOW_DAYS:]))
    last_x = min(len(daily), WINDOW_DAYS) - 1
    ahead = (found.on - last_day).days
    return [
        (last_day, float(trend.at(last_x))),
        (found.on, float(min(limit, trend.at(last_x + ahead)))),
    ]
