"""crm reconciliations: drift between a Salesforce Accounts export and the tree

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crm_reconciliations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("account_count", sa.Integer(), nullable=False),
        sa.Column("org_count", sa.Integer(), nullable=False),
        sa.Column("drift_count", sa.Integer(), nullable=False),
        sa.Column("drifts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_reconciliations")),
    )
    op.create_index(
        "ix_crm_reconciliations_created_at", "crm_reconciliations", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_crm_reconciliations_created_at", table_name="crm_reconciliations")
    op.drop_table("crm_reconciliations")
