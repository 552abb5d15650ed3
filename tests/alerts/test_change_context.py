"""alerts.change_context.readings_after: when the context read before a change
fits the database function's answer, and which readings it gives (no database)."""

from __future__ import annotations

import uuid

from tenantree.alerts.change_context import ChangeContext, PoolContext, readings_after
from tenantree.alerts.raising import UseReading
from tenantree.alerts.rules import AlertKind
from tenantree.licensing.pool import PoolView
from tenantree.licensing.usage_function import Applied

PARTNER, CUSTOMER, POOL, QUOTA = (uuid.uuid4() for _ in range(4))
MINE = PoolContext(PARTNER, "seat", (80, 100))


def applied(**changes: object) -> Applied:
    figures: dict[str, object] = dict(
        refusal=None, parent_id=PARTNER, holder_id=PARTNER, pool_id=POOL, current=2,
        quota=None, pool=PoolView(quantity=10, used=9, in_term=True, overage_allowed=False),
        new_units=3,
    )  # fmt: skip
    figures.update(changes)
    return Applied(**figures)  # type: ignore[arg-type]


def context(quota_id: uuid.UUID | None = None) -> ChangeContext:
    return ChangeContext({POOL: MINE}, quota_id)


def test_the_pools_figures_are_the_functions_and_the_thresholds_the_holders():
    readings, percents = readings_after(context(), applied(), CUSTOMER, "mon")  # type: ignore[misc]
    assert readings == [UseReading(AlertKind.POOL_USE, POOL, PARTNER, None, "mon", "seat", 9, 10)]
    assert percents == (80, 100)


def test_a_quota_is_read_against_the_consumers_units_after_the_change():
    fitted = readings_after(context(QUOTA), applied(quota=4), CUSTOMER, "mon")
    assert fitted is not None
    assert fitted[0][1] == UseReading(
        AlertKind.QUOTA_USE, QUOTA, PARTNER, CUSTOMER, "mon", "seat", 3, 4
    )


def test_a_pool_without_quantity_in_term_has_no_reading():
    none_in_term = PoolView(quantity=0, used=1, in_term=False, overage_allowed=True)
    assert readings_after(context(), applied(pool=none_in_term), CUSTOMER, "mon") == (
        [],
        (80, 100),
    )


def test_a_partners_own_use_has_no_quota_reading():
    own = ChangeContext({POOL: MINE}, None)
    fitted = readings_after(own, applied(quota=None), PARTNER, "mon")
    assert fitted is not None and [r.kind for r in fitted[0]] == [AlertKind.POOL_USE]


def test_another_pool_than_the_one_read_means_read_again():
    # The org moved to another partner between the read and its lock.
    assert readings_after(context(), applied(pool_id=uuid.uuid4()), CUSTOMER, "mon") is None
    assert readings_after(context(), applied(holder_id=uuid.uuid4()), CUSTOMER, "mon") is None
    assert readings_after(ChangeContext({}, None), applied(), CUSTOMER, "mon") is None


def test_a_quota_added_or_removed_meanwhile_means_read_again():
    assert readings_after(context(), applied(quota=4), CUSTOMER, "mon") is None
    assert readings_after(context(QUOTA), applied(quota=None), CUSTOMER, "mon") is None


def test_a_refusal_has_no_readings():
    assert readings_after(context(), applied(refusal="pool_exhausted"), CUSTOMER, "mon") is None
