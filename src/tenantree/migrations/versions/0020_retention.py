"""retention: throttle hits are found by age alone, to be pruned in batches

Revision ID: 0020
Revises: 0019
Create Date: 2027-01-27 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_throttle_hits_at", "throttle_hits", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_throttle_hits_at", table_name="throttle_hits")
