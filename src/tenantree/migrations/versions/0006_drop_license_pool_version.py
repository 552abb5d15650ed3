"""drop license_pools.version

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 06:40:00

The column was incremented on every change of use and never read: the pool's
conditional UPDATE on `used` is what serialises consumers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("license_pools", schema=None) as batch_op:
        batch_op.drop_column("version")


def downgrade() -> None:
    with op.batch_alter_table("license_pools", schema=None) as batch_op:
        # Existing pools get 0, as a new pool did; the default is not kept.
        batch_op.add_column(
            sa.Column("version", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("license_pools", schema=None) as batch_op:
        batch_op.alter_column("version", server_default=None)
