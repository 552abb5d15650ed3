"""`period_usage` sums the period in SQL; these tests hold it to the day-by-day
fold it replaced (kept below as the reference), on random histories written
as every change writes them, for many periods and moments, on every backend."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import make_partner, make_sub_org
from tenantree.licensing.history import DayRow, PeriodUse, period_usage
from tenantree.licensing.models import Consumption, LicensePool, UsageDaily
from tenantree.licensing.usage_writes import ChangedBy, UseChange, write_change

WINDOW_START = date(2025, 2, 20)
WINDOW_DAYS = 30


def _day_start(day: date) -> datetime:
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
            start = _day_start(day)
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


def _moment(rng: random.Random, day: date) -> datetime:
    start = _day_start(day)
    kind = rng.random()
    if kind < 0.1:
        return start  # midnight exactly
    if kind < 0.15:
        return start + timedelta(days=1, microseconds=-1)
    micro = 0 if rng.random() < 0.3 else rng.randint(0, 999_999)
    return start + timedelta(seconds=rng.randint(0, 86_399), microseconds=micro)


def _history(session: Session, seed: int) -> list[uuid.UUID]:
    """Pools with random changes per (pool, org), written as every change is:
    some consumers change daily, some rarely, some never, some drop to 0 and stop."""
    rng = random.Random(seed)
    partner = make_partner(session)
    orgs = [partner.id] + [make_sub_org(session, partner).id for _ in range(3)]
    pools = []
    for i in range(6):
        pool = LicensePool(holder_org_id=partner.id, sku=f"sku{i}", unit="seats", used=0)
        session.add(pool)
        pools.append(pool)
    session.flush()
    changes = []
    for pool in pools:
        for org_id in orgs:
            density = rng.choice([0.0, 0.05, 0.3, 0.7, 1.0])
            stops = rng.random() < 0.2  # released (as a move does) and never used again
            for offset in range(WINDOW_DAYS):
                if rng.random() >= density:
                    continue
                day = WINDOW_START + timedelta(days=offset)
                for _ in range(rng.choice([1, 1, 2, 3])):
                    changes.append((_moment(rng, day), pool.id, org_id, rng.randint(0, 40)))
            if stops and changes:
                changes.append((changes[-1][0] + timedelta(hours=1), pool.id, org_id, 0))
    for at, pool_id, org_id, units in sorted(changes, key=lambda c: c[0]):
        change_use(session, pool_id, org_id, units, at)
    session.commit()
    return [pool.id for pool in pools]


def _moments(rng: random.Random, first_day: date, last_day: date) -> list[datetime]:
    """Before, inside (at and off midnight, with and without microseconds) and after."""
    span = (last_day - first_day).days
    inside = _day_start(first_day + timedelta(days=rng.randint(0, span)))
    return [
        _day_start(first_day) - timedelta(days=1, microseconds=1),
        _day_start(first_day),
        _day_start(first_day) + timedelta(microseconds=1),
        _day_start(first_day) + timedelta(microseconds=999_999),
        inside,
        inside + timedelta(seconds=rng.randint(0, 86_399), microseconds=rng.randint(0, 999_999)),
        inside + timedelta(seconds=rng.randint(0, 86_399)),
        _day_start(last_day) + timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999),
        _day_start(last_day + timedelta(days=1)),
        _day_start(last_day) + timedelta(days=40),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_sums_equal_the_day_by_day_fold(session: Session, seed: int) -> None:
    pool_ids = _history(session, seed)
    rows = list(session.scalars(select(UsageDaily)))
    rng = random.Random(seed * 7919)
    cases = 0
    for _ in range(12):
        first_day = WINDOW_START + timedelta(days=rng.randint(-3, WINDOW_DAYS + 2))
        last_day = first_day + timedelta(days=rng.choice([0, 0, 1, 6, 13, 40]))
        for now in _moments(rng, first_day, last_day):
            expected = reference_period_usage(rows, first_day=first_day, last_day=last_day, now=now)
            got = period_usage(session, pool_ids, first_day=first_day, last_day=last_day, now=now)
            assert got == expected, (first_day, last_day, now)
            cases += 1
    assert cases == 120


def test_pools_given_as_a_select_and_edge_periods(session: Session) -> None:
    pool_ids = _history(session, 4)
    rows = list(session.scalars(select(UsageDaily)))
    first_day, last_day = WINDOW_START + timedelta(days=5), WINDOW_START + timedelta(days=11)
    now = _day_start(WINDOW_START + timedelta(days=9)) + timedelta(hours=7, microseconds=3)
    expected = reference_period_usage(rows, first_day=first_day, last_day=last_day, now=now)
    assert expected  # the history reaches into the period
    chosen = select(LicensePool.id).where(LicensePool.id.in_(pool_ids))
    assert (
        period_usage(session, chosen, first_day=first_day, last_day=last_day, now=now) == expected
    )
    # Only the pools asked for.
    some = pool_ids[:2]
    assert period_usage(session, some, first_day=first_day, last_day=last_day, now=now) == {
        key: use for key, use in expected.items() if key[0] in some
    }
    # Nothing asked, or a period that ends before it starts.
    assert period_usage(session, [], first_day=first_day, last_day=last_day, now=now) == {}
    assert period_usage(session, pool_ids, first_day=last_day, last_day=first_day, now=now) == {}
