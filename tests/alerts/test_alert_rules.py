"""When an alert is due (alerts/rules.py): plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenantree.alerts.rules import (
    LastCrossing,
    Step,
    checked_percents,
    expiry_threshold,
    next_step,
    reached,
)
from tenantree.errors import Invalid

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "threshold"),
    [
        (timedelta(days=31), None),
        (timedelta(days=30), 30),
        (timedelta(days=8), 30),
        (timedelta(days=7), 7),
        (timedelta(days=1, hours=1), 7),
        (timedelta(days=1), 1),
        (timedelta(minutes=5), 1),
        (timedelta(0), None),
        (-timedelta(days=2), None),
    ],
)
def test_the_tightest_expiry_threshold_the_end_is_within(left, threshold):
    assert expiry_threshold(NOW + left, NOW) == threshold


def test_use_reaches_a_threshold_at_exactly_its_percent():
    assert not reached(79, 100, 80)
    assert reached(80, 100, 80)
    assert reached(4, 5, 80)
    assert not reached(3, 4, 80)  # 75%


def test_nothing_is_reached_of_a_zero_quantity():
    assert not reached(5, 0, 80)


def test_a_first_crossing_raises_epoch_zero():
    assert next_step(True, None) == (Step.RAISE, 0)


def test_a_crossing_already_raised_raises_nothing():
    assert next_step(True, LastCrossing(epoch=0, cleared=False)) is None


def test_falling_back_below_clears_the_raised_crossing():
    assert next_step(False, LastCrossing(epoch=2, cleared=False)) == (Step.CLEAR, 2)


def test_crossing_again_after_clearing_raises_the_next_epoch():
    assert next_step(True, LastCrossing(epoch=2, cleared=True)) == (Step.RAISE, 3)


def test_below_and_never_raised_does_nothing():
    assert next_step(False, None) is None
    assert next_step(False, LastCrossing(epoch=0, cleared=True)) is None


def test_thresholds_are_kept_distinct_and_ascending():
    assert checked_percents([100, 80, 80]) == (80, 100)


@pytest.mark.parametrize("percents", [[], [0], [1001], [10, 20, 30, 40, 50, 60]])
def test_bad_thresholds_are_refused_naming_the_field(percents):
    with pytest.raises(Invalid) as refused:
        checked_percents(percents)
    assert refused.value.field == "percents"
