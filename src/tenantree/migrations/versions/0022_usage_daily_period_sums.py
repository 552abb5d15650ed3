"""usage_daily: each day's closing figure and the level carried into it, so a
period sums its rows one by one (licensing.periods.period_usage)

Revision ID: 0022
Revises: 0021
Create Date: 2027-01-31 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# carried_units: the last_units of the consumer's row before (0 for its
# first), one index lookup per row on (pool_id, org_id, day). A row reads only
# its own columns and another row's last_units, which this never changes, so
# each UPDATE may be split by any range of rows (a pool, a range of days).
_CARRIED = """
UPDATE usage_daily SET carried_units = COALESCE(
    (SELECT before.last_units FROM usage_daily AS before
     WHERE before.pool_id = usage_daily.pool_id
       AND before.org_id = usage_daily.org_id
       AND before.day < usage_daily.day
     ORDER BY before.day DESC LIMIT 1),
    0)
"""
# closing_unit_seconds: unit_seconds plus last_units held from last_at to the
# day's end, in whole seconds, never below zero (as fold_day computes it).
_CLOSING = {
    "postgresql": """
UPDATE usage_daily SET closing_unit_seconds = unit_seconds + last_units * (GREATEST(
    ((day - DATE '1970-01-01') + 1)::bigint * 86400000000
    - (EXTRACT(EPOCH FROM last_at) * 1000000)::bigint, 0) / 1000000)
""",
    # SQLite keeps UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff': seconds and
    # microseconds read apart, as strftime('%s') would round the fraction.
    "sqlite": """
UPDATE usage_daily SET closing_unit_seconds = unit_seconds + last_units * (max(
    (CAST(julianday(day) - 2440587.5 AS INTEGER) + 1) * 86400000000
    - (CAST(strftime('%s', substr(last_at, 1, 19)) AS INTEGER) * 1000000
       + CAST(substr(last_at, 21, 6) AS INTEGER)), 0) / 1000000)
""",
}


def upgrade() -> None:
    with op.batch_alter_table("usage_daily", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closing_unit_seconds", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("carried_units", sa.BigInteger(), nullable=True))
    op.execute(_CLOSING[op.get_bind().dialect.name])
    op.execute(_CARRIED)
    with op.batch_alter_table("usage_daily", schema=None) as batch_op:
        batch_op.alter_column("closing_unit_seconds", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("carried_units", existing_type=sa.BigInteger(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("usage_daily", schema=None) as batch_op:
        batch_op.drop_column("carried_units")
        batch_op.drop_column("closing_unit_seconds")
