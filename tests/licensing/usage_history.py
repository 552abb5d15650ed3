"""Usage histories for the period tests: changes written as every change
writes them, and the day-by-day fold `period_usage` replaced, kept as the
reference its SQL is held to (imported by the tests; tests/licensing/conftest.py
puts this directory on the import path)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenantree.licensing.history import DayRow, PeriodUse
from tenantree.licensing.models import Consumption, UsageDaily
from tenantree.licensing.usage_writes import ChangedBy, UseChange, write_change


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


def reference_period_usage(
    rows: list[UsageDaily], *, first_day: date, last_day: date, now: datetime
) -> dict[tuple[uuid.UUID, uuid.UUID], PeriodUse]:
    """The Python fold period_usage used before it summed in SQL, unchanged."""
    if last_day < first_day:
        return {}
    in_period = [row for row in rows if first_day <= row.day <= last_day]
    carried: dict[tuple[uuid.UUID, uuid.UUID], UsageDaily] = {}
    for row in rows:
        key = (row.pool_id, row.org_id)
        if row.day < first_day and (key not in carried or carried[key].day < row.day):
            carried[key] = row
    by_key: dict[tuple[uuid.UUID, uuid.UUID], dict[date, UsageDaily]] = {}
    for row in in_period:
        by_key.setdefault((row.pool_id, row.org_id), {})[row.day] = row
    for key in carried:
        by_key.setdefault(key, {})

    result: dict[tuple[uuid.UUID, uuid.UUID], PeriodUse] = {}
    for key, days in by_key.items():
        level = carried[key].last_units if key in carried else 0
        peak = 0
        unit_seconds = 0
        seconds = 0
        day = first_day
        while day <= last_day:
            start = day_start(day)
            if start >= now:
                break
            end = min(start + timedelta(days=1), now)
            row = days.get(day)
            if row is None:
                unit_seconds += level * _seconds(end, start)
                peak = max(peak, level)
            else:
                unit_seconds += row.unit_seconds + row.last_units * _seconds(end, row.last_at)
                peak = max(peak, row.peak_units)
                level = row.last_units
            seconds += _seconds(end, start)
            day += timedelta(days=1)
        result[key] = PeriodUse(peak=peak, average=unit_seconds / seconds if seconds else 0.0)
    return result


def _day_row(session: Session, pool_id: uuid.UUID, org_id: uuid.UUID, day: date) -> DayRow | None:
    found = session.execute(
        select(
            UsageDaily.id,
            UsageDaily.peak_units,
            UsageDaily.unit_seconds,
            UsageDaily.last_units,
            UsageDaily.last_at,
        ).where(UsageDaily.pool_id == pool_id, UsageDaily.org_id == org_id, UsageDaily.day == day)
    ).one_or_none()
    return DayRow(*found) if found else None


def change_use(
    session: Session, pool_id: uuid.UUID, org_id: uuid.UUID, units: int, at: datetime
) -> None:
    """Move a consumer to `units` at `at` through the writes every change makes."""
    consumption = session.execute(
        select(Consumption.id, Consumption.units).where(
            Consumption.pool_id == pool_id, Consumption.org_id == org_id
        )
    ).one_or_none()
    used = write_change(
        session,
        UseChange(
            pool_id=pool_id,
            org_id=org_id,
            consumption_id=consumption.id if consumption else None,
            units=units,
            delta=units - (consumption.units if consumption else 0),
            limit=None,
            quantity=10**6,
            today=_day_row(session, pool_id, org_id, at.date()),
            at=at,
            by=ChangedBy(None, None, None),
        ),
    )
    assert used is not None
