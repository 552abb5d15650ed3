"""The forecast's window of daily use (alerts/forecasts.window_use) counts each
day as the console's series do (licensing.series.daily_use), reading only the
window and the level carried into it."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from factories import make_license, make_partner, make_sub_org
from tenantree import clock
from tenantree.alerts.forecasts import WINDOW_DAYS, pool_totals, window, window_use
from tenantree.audit.service import AuditTrail
from tenantree.licensing.consumption import report_usage
from tenantree.licensing.models import LicensePool
from tenantree.licensing.pool import UsageOp
from tenantree.licensing.series import daily_use

START = datetime(2025, 3, 1, 8, tzinfo=UTC)


@pytest.fixture
def history(session, monkeypatch):  # type: ignore[no-untyped-def]
    """Two customers over 50 days: changes on some days, several on one, none on others."""
    moment = [START]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])
    partner = make_partner(session)
    make_license(session, partner, quantity=1000)
    a, b = make_sub_org(session, partner), make_sub_org(session, partner)
    trail = AuditTrail(session, actor_id=None)
    for day in range(50):
        for org, every, hours in ((a, 3, (0,)), (b, 7, (0, 5, 9))):
            if day % every:
                continue
            for hour in hours:
                moment[0] = START + timedelta(days=day, hours=hour)
                units = (day * 3 + hour * 5) % 41
                report_usage(session, trail, org, sku="mon", op=UsageOp.SET, amount=units,
                             sees_pool_figures=True)  # fmt: skip
    pool = session.query(LicensePool).filter_by(holder_org_id=partner.id).one()
    return pool, a, b, moment[0].date()


def test_the_window_counts_each_day_as_the_series_do(session, history):
    pool, a, b, today = history
    first, last = window(today)
    assert window_use(session, [pool.id], today) == daily_use(session, [pool.id], first, last)


def test_one_consumers_window_is_its_own(session, history):
    pool, a, _b, today = history
    first, last = window(today)
    mine = window_use(session, [pool.id], today, org_id=a.id)
    assert list(mine) == [(pool.id, a.id)]
    assert mine[(pool.id, a.id)] == daily_use(session, [pool.id], first, last)[(pool.id, a.id)]


def test_a_pools_total_sums_its_consumers_days(session, history):
    pool, a, b, today = history
    per_consumer = window_use(session, [pool.id], today)
    total = pool_totals(session, [pool.id], today)[pool.id]
    assert len(total) == WINDOW_DAYS
    assert total == [
        x + y
        for x, y in zip(per_consumer[(pool.id, a.id)], per_consumer[(pool.id, b.id)], strict=True)
    ]


@pytest.mark.parametrize("seed", range(4))
def test_a_pools_total_sums_its_consumers_days_on_random_histories(session, monkeypatch, seed):  # type: ignore[no-untyped-def]
    # Consumers that stop before the window, start inside it, drop to 0,
    # change several times a day or not for weeks; today off midnight.
    rng = random.Random(seed)
    moment = [START]
    monkeypatch.setattr(clock, "utcnow", lambda: moment[0])
    partner = make_partner(session)
    make_license(session, partner, quantity=10_000)
    orgs = [partner] + [make_sub_org(session, partner) for _ in range(5)]
    trail = AuditTrail(session, actor_id=None)
    plans = {
        org.id: (rng.randint(0, 70), rng.randint(0, 70), rng.choice([0.1, 0.4, 1.0]))
        for org in orgs
    }
    for day in range(70):
        for org in orgs:
            start, stop, density = plans[org.id]
            if not min(start, stop) <= day <= max(start, stop) or rng.random() > density:
                continue
            # In time order, as changes are written (at the clock's now).
            for second in sorted(rng.sample(range(86_400), rng.choice([1, 1, 3]))):
                moment[0] = START + timedelta(days=day, seconds=second)
                units = 0 if day == max(start, stop) else rng.randint(0, 60)
                report_usage(session, trail, org, sku="mon", op=UsageOp.SET, amount=units,
                             sees_pool_figures=True)  # fmt: skip
    moment[0] = START + timedelta(days=70, hours=5)
    today = moment[0].date()
    pool = session.query(LicensePool).filter_by(holder_org_id=partner.id).one()
    per_consumer = window_use(session, [pool.id], today)
    expected = [sum(days) for days in zip(*per_consumer.values(), strict=True)] or [0] * WINDOW_DAYS
    assert pool_totals(session, [pool.id], today).get(pool.id, [0] * WINDOW_DAYS) == expected
