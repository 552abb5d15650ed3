"""usage_daily keyed by (pool_id, org_id, day); on SQLite a WITHOUT ROWID table

A period reads a consumer's rows in (pool_id, org_id, day) order. On SQLite
the unique index on those columns led to a lookup per row into the rowid
table, about half of the period's grouping at 10,000 children; as the table's
own key, the rows are read where the index walk finds them. `id` stays unique
(the writes update a row by it). On PostgreSQL the key and the unique
constraint swap columns (their two indexes are rebuilt; the table is not).

Revision ID: 0026
Revises: 0025
Create Date: 2027-02-22 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPY = """
INSERT INTO usage_daily_rebuilt (id, pool_id, org_id, day, peak_units, unit_seconds,
                                 last_units, last_at, closing_unit_seconds, carried_units)
SELECT id, pool_id, org_id, day, peak_units, unit_seconds,
       last_units, last_at, closing_unit_seconds, carried_units
  FROM usage_daily
"""


# (name, kind, columns) of the table's key and its other unique constraint
_Keys = tuple[tuple[str, str, tuple[str, ...]], ...]
_KEYED_BY_DAY: _Keys = (
    ("pk_usage_daily", "primary", ("pool_id", "org_id", "day")),
    ("uq_usage_daily_id", "unique", ("id",)),
)
_KEYED_BY_ID: _Keys = (
    ("pk_usage_daily", "primary", ("id",)),
    ("uq_usage_daily_pool_id_org_id_day", "unique", ("pool_id", "org_id", "day")),
)


def _constraint(name: str, kind: str, columns: tuple[str, ...]) -> sa.Constraint:
    if kind == "primary":
        return sa.PrimaryKeyConstraint(*columns, name=name)
    return sa.UniqueConstraint(*columns, name=name)


def _rebuild_sqlite(keys: _Keys, *, with_rowid: bool) -> None:
    """SQLite cannot change a table's key or rowid: a new table, the rows
    copied, the old one dropped (nothing references usage_daily)."""
    op.create_table(
        "usage_daily_rebuilt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("peak_units", sa.BigInteger(), nullable=False),
        sa.Column("unit_seconds", sa.BigInteger(), nullable=False),
        sa.Column("last_units", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("closing_unit_seconds", sa.BigInteger(), nullable=False),
        sa.Column("carried_units", sa.BigInteger(), nullable=False),
        *(_constraint(*key) for key in keys),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["license_pools.id"],
            name="fk_usage_daily_pool_id_license_pools",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_usage_daily_org_id_orgs", ondelete="CASCADE"
        ),
        sqlite_with_rowid=with_rowid,
    )
    op.execute(_COPY)
    op.drop_table("usage_daily")
    op.rename_table("usage_daily_rebuilt", "usage_daily")


def _swap_postgresql(keys: _Keys, was: _Keys) -> None:
    for name, kind, _ in was:
        op.drop_constraint(name, "usage_daily", type_=kind)
    for name, kind, columns in keys:
        if kind == "primary":
            op.create_primary_key(name, "usage_daily", list(columns))
        else:
            op.create_unique_constraint(name, "usage_daily", list(columns))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(_KEYED_BY_DAY, with_rowid=False)
    else:
        _swap_postgresql(_KEYED_BY_DAY, _KEYED_BY_ID)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(_KEYED_BY_ID, with_rowid=True)
    else:
        _swap_postgresql(_KEYED_BY_ID, _KEYED_BY_DAY)
