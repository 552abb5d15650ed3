"""consumptions keyed by (pool_id, org_id); on SQLite a WITHOUT ROWID table

A parent's report reads a pool's consumers in (pool_id, org_id) order. On
SQLite the unique index on those columns led to a lookup per consumer into
the rowid table for its units; as the table's own key, each consumer's row
is where the index walk finds it (as 0026 did for usage_daily). `id` stays
unique: the PostgreSQL usage function (0024) updates a row by it. On
PostgreSQL the key and the unique constraint swap columns (their two
indexes are rebuilt; the table is not). Nothing references consumptions.

Revision ID: 0028
Revises: 0027
Create Date: 2027-03-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPY = """
INSERT INTO consumptions_rebuilt (id, pool_id, org_id, units, updated_at)
SELECT id, pool_id, org_id, units, updated_at FROM consumptions
"""

# (name, primary?, columns) of the table's key and its other unique constraint
_Keys = tuple[tuple[str, bool, tuple[str, ...]], ...]
_KEYED_BY_CONSUMER: _Keys = (
    ("pk_consumptions", True, ("pool_id", "org_id")),
    ("uq_consumptions_id", False, ("id",)),
)
_KEYED_BY_ID: _Keys = (
    ("pk_consumptions", True, ("id",)),
    ("uq_consumptions_pool_id_org_id", False, ("pool_id", "org_id")),
)


def _rebuild_sqlite(keys: _Keys, *, with_rowid: bool) -> None:
    """SQLite cannot change a table's key or rowid: a new table, the rows
    copied, the old one dropped, its index made again."""
    op.create_table(
        "consumptions_rebuilt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *(
            sa.PrimaryKeyConstraint(*columns, name=name)
            if primary
            else sa.UniqueConstraint(*columns, name=name)
            for name, primary, columns in keys
        ),
        sa.CheckConstraint("units >= 0", name=op.f("ck_consumptions_units_not_negative")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_consumptions_org_id_orgs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["license_pools.id"],
            name="fk_consumptions_pool_id_license_pools",
            ondelete="CASCADE",
        ),
        sqlite_with_rowid=with_rowid,
    )
    op.execute(_COPY)
    op.drop_index("ix_consumptions_org_id", table_name="consumptions")
    op.drop_table("consumptions")
    op.rename_table("consumptions_rebuilt", "consumptions")
    op.create_index("ix_consumptions_org_id", "consumptions", ["org_id"])
    _gather_statistics_again()


def _gather_statistics_again() -> None:
    """The statistics ANALYZE kept for the old table went with it; a database
    that keeps any gets the new table's, or SQLite would plan its reads blind."""
    kept = op.get_bind().exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if kept.first() is not None:
        op.execute("ANALYZE consumptions")


def _swap_postgresql(keys: _Keys, was: _Keys) -> None:
    for name, primary, _ in was:
        op.drop_constraint(name, "consumptions", type_="primary" if primary else "unique")
    for name, primary, columns in keys:
        if primary:
            op.create_primary_key(name, "consumptions", list(columns))
        else:
            op.create_unique_constraint(name, "consumptions", list(columns))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(_KEYED_BY_CONSUMER, with_rowid=False)
    else:
        _swap_postgresql(_KEYED_BY_CONSUMER, _KEYED_BY_ID)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(_KEYED_BY_ID, with_rowid=True)
    else:
        _swap_postgresql(_KEYED_BY_ID, _KEYED_BY_CONSUMER)
