"""usage_pool_daily: a pool's consumers summed per day, for its forecast

A pool's run-out forecast summed every rollup row of the pool up to today,
a grouping that grew with the history (107 ms at 10,000 children on
PostgreSQL). `usage_pool_daily` keeps, per pool and day, its consumers' rows
of the day summed (`rise_units`, `moved_units`), added to by every change and
never rewritten otherwise, so concurrent changes commute; alerts.forecasts
reads the window's rows and sums the moves before it. Both forms of the usage
rule keep it current in the change's transaction: usage_writes.
_pool_day_write and `apply_usage_change`, replaced here by a version that
adds the same write (tests/licensing/test_usage_function.py holds the two to
the same rows). Existing rows are
backfilled from usage_daily.

Revision ID: 0025
Revises: 0024
Create Date: 2027-02-15 09:00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A pool's day: its consumers' rows of the day summed.
_BACKFILL = """
INSERT INTO usage_pool_daily (pool_id, day, rise_units, moved_units)
SELECT pool_id, day, SUM(peak_units - carried_units), SUM(last_units - carried_units)
  FROM usage_daily
 GROUP BY pool_id, day
"""

# 0024's function, with the pool's day written after the consumer's rollup:
# only these three edits, each found exactly once in 0024's text.
_EDITS = (
    (
        "    v_new bigint; v_delta bigint; v_after bigint; v_tries int := 0;\n",
        "    v_new bigint; v_delta bigint; v_after bigint; v_tries int := 0;\n"
        "    v_was_peak bigint; v_rise bigint; v_moved bigint;\n",
    ),
    (
        "    ELSE\n        v_peak := greatest(v_peak, v_new);\n",
        "    ELSE\n        v_was_peak := v_peak;\n        v_peak := greatest(v_peak, v_new);\n",
    ),
    (
        "    INSERT INTO usage_snapshots",
        """    -- usage_writes._pool_day_write: the row's rise and move added to its
    -- pool's day (addition only: concurrent changes commute).
    IF v_day_id IS NULL THEN
        v_rise := v_peak - v_carried;
        v_moved := v_new - v_carried;
    ELSE
        v_rise := v_peak - v_was_peak;
        v_moved := v_new - v_last_units;
    END IF;
    INSERT INTO usage_pool_daily AS pd (pool_id, day, rise_units, moved_units)
    VALUES (v_pool, v_day, v_rise, v_moved)
    ON CONFLICT (pool_id, day) DO UPDATE
       SET rise_units = pd.rise_units + EXCLUDED.rise_units,
           moved_units = pd.moved_units + EXCLUDED.moved_units;
    INSERT INTO usage_snapshots""",
    ),
)


def upgrade() -> None:
    op.create_table(
        "usage_pool_daily",
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rise_units", sa.BigInteger(), nullable=False),
        sa.Column("moved_units", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["license_pools.id"],
            name=op.f("fk_usage_pool_daily_pool_id_license_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pool_id", "day", name=op.f("pk_usage_pool_daily")),
    )
    op.execute(_BACKFILL)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_edited(_previous_function()))


def _previous_function() -> str:
    """0024's version of the function, as that migration created it."""
    path = Path(__file__).with_name("0024_usage_change_function.py")
    spec = importlib.util.spec_from_file_location("usage_change_function_0024", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._CREATE.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _edited(text: str) -> str:
    for old, new in _EDITS:
        if text.count(old) != 1:
            raise RuntimeError(f"0024's function changed: {old.strip()[:40]!r}")
        text = text.replace(old, new, 1)
    return text


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_previous_function())
    op.drop_table("usage_pool_daily")
