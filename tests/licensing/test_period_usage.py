"""`period_usage` sums the period in SQL; these tests hold it to the day-by-day
fold it replaced (kept as the reference in usage_history.py), on random histories written
as every change writes them, for many periods and moments, on every backend."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from usage_history import change_use, day_start, reference_period_usage

from factories import make_partner, make_sub_org
from tenantree.licensing.models import LicensePool, UsageDaily
from tenantree.licensing.periods import period_usage

WINDOW_START = date(2025, 2, 20)
WINDOW_DAYS = 30


def _moment(rng: random.Random, day: date) -> datetime:
    start = day_start(day)
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
    inside = day_start(first_day + timedelta(days=rng.randint(0, span)))
    return [
        day_start(first_day) - timedelta(days=1, microseconds=1),
        day_start(first_day),
        day_start(first_day) + timedelta(microseconds=1),
        day_start(first_day) + timedelta(microseconds=999_999),
        inside,
        inside + timedelta(seconds=rng.randint(0, 86_399), microseconds=rng.randint(0, 999_999)),
        inside + timedelta(seconds=rng.randint(0, 86_399)),
        day_start(last_day) + timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999),
        day_start(last_day + timedelta(days=1)),
        day_start(last_day) + timedelta(days=40),
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
    now = day_start(WINDOW_START + timedelta(days=9)) + timedelta(hours=7, microseconds=3)
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


# Steps between changes: none, within a second, within a day, to the next
# days, and long stretches without a change.
_STEPS = [0, 1, 59, 3_600, 40_000, 86_399, 86_400, 2 * 86_400 + 7, 9 * 86_400]
_CHANGE = st.tuples(
    st.sampled_from(["use", "use", "use", "release"]),
    st.integers(0, 1),  # pool
    st.integers(0, 2),  # consumer
    st.sampled_from(_STEPS),
    st.integers(0, 999_999),  # microseconds
    st.integers(0, 30),  # units
)
_PERIOD = st.tuples(
    st.integers(-6, 40),  # first day, from the history's start
    st.sampled_from([0, 1, 6, 13]),  # its length - 1
    st.integers(-2 * 86_400, 50 * 86_400),  # now, from the history's start
    st.integers(0, 999_999),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(_CHANGE, min_size=1, max_size=25), periods=st.lists(_PERIOD, max_size=6))
def test_sums_over_any_history_equal_the_day_by_day_fold(
    session: Session,
    changes: list[tuple[str, int, int, int, int, int]],
    periods: list[tuple[int, int, int, int]],
) -> None:
    """Histories of changes through the real writes: several a day, days and
    weeks without one, consumers released and never back (as a move away
    leaves them), periods before the first use, inside, across and after."""
    # Every example builds its own partner and pools: examples share no state.
    partner = make_partner(session)
    consumers = [partner.id] + [make_sub_org(session, partner).id for _ in range(2)]
    pools = [LicensePool(holder_org_id=partner.id, sku=f"s{i}", unit="seats") for i in range(2)]
    session.add_all(pools)
    session.flush()
    start = day_start(WINDOW_START)
    at, released = start, set()
    for kind, pool, who, step, micros, units in changes:
        at += timedelta(seconds=step, microseconds=micros)
        if (pool, who) in released:
            continue
        change_use(session, pools[pool].id, consumers[who], 0 if kind == "release" else units, at)
        if kind == "release":
            released.add((pool, who))
    rows = list(session.scalars(select(UsageDaily).where(UsageDaily.org_id.in_(consumers))))
    pool_ids = [pool.id for pool in pools]
    periods = [(0, 6, int((at - start).total_seconds()), 0), *periods]  # the last days, now
    for first, length, now_s, now_us in periods:
        first_day = WINDOW_START + timedelta(days=first)
        last_day = first_day + timedelta(days=length)
        now = start + timedelta(seconds=now_s, microseconds=now_us)
        expected = reference_period_usage(rows, first_day=first_day, last_day=last_day, now=now)
        got = period_usage(session, pool_ids, first_day=first_day, last_day=last_day, now=now)
        assert got == expected, (first_day, last_day, now)
