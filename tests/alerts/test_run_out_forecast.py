"""Run-out forecasts on synthetic daily histories (alerts/forecast.py)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from tenantree.alerts.forecast import projection, run_out, theil_sen

LAST = date(2026, 11, 30)


def test_a_flat_history_has_no_run_out():
    assert run_out([40] * 30, LAST, limit=100) is None


def test_a_falling_history_has_no_run_out():
    assert run_out([90 - i for i in range(30)], LAST, limit=100) is None


def test_a_linear_history_runs_out_on_the_day_the_line_reaches_the_quantity():
    # 2 units a day, 58 on the last day: 100 is reached 21 days later.
    daily = [2 * i for i in range(30)]
    found = run_out(daily, LAST, limit=100)
    assert found is not None
    assert found.on == LAST + timedelta(days=21)
    assert found.slope_per_day == 2


def test_a_fractional_slope_rounds_the_run_out_up_to_a_whole_day():
    daily = [10 + i // 2 for i in range(30)]  # half a unit a day, 24 on the last day
    found = run_out(daily, LAST, limit=30)
    assert found is not None
    assert found.on == LAST + timedelta(days=12)


def test_a_one_off_step_that_stays_flat_is_not_a_trend():
    daily = [20] * 25 + [45] * 5
    assert run_out(daily, LAST, limit=100) is None


def test_a_step_to_the_quantity_is_a_run_out_today():
    daily = [20] * 25 + [100] * 5
    found = run_out(daily, LAST, limit=100)
    assert found is not None and found.on == LAST


def test_outliers_barely_move_the_trend():
    rng = random.Random(15)
    daily = [50 + 3 * i + rng.choice((-1, 0, 1)) for i in range(30)]
    for spike in (4, 11, 19, 23):
        daily[spike] = 400  # a few days of absurd readings
    daily[8] = 0
    found = run_out(daily, LAST, limit=300)
    assert found is not None
    # The clean line (3 a day, 137 on the last day) reaches 300 in 55 days.
    assert abs((found.on - LAST).days - 55) <= 2


def test_only_the_last_thirty_days_count():
    # Steep growth long ago, flat for the last 30 days.
    daily = [i * 10 for i in range(30)] + [290] * 30
    assert run_out(daily, LAST, limit=1000) is None


def test_too_short_a_history_has_no_run_out():
    assert run_out([1, 5], LAST, limit=10) is None


def test_theil_sen_recovers_slope_and_intercept_of_a_line():
    trend = theil_sen([7 + 1.5 * x for x in range(10)])
    assert trend.slope == 1.5
    assert trend.intercept == 7


def test_the_projection_ends_at_the_quantity_on_the_run_out_day():
    daily = [2 * i for i in range(30)]
    points = projection(daily, LAST, limit=100)
    assert points[0] == (LAST, 58.0)
    assert points[-1] == (LAST + timedelta(days=21), 100.0)


def test_no_projection_when_flat():
    assert projection([5] * 30, LAST, limit=10) == []
