"""who made each usage change: actor and request on usage snapshots

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 06:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, no default: snapshots written before this revision name no actor.
    with op.batch_alter_table("usage_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("actor_org_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("usage_snapshots", schema=None) as batch_op:
        batch_op.drop_column("request_id")
        batch_op.drop_column("actor_org_id")
        batch_op.drop_column("actor_id")
