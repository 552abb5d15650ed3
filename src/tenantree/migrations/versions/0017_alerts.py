"""license alerts (each crossing once) and the thresholds partners set

Revision ID: 0017
Revises: 0016
Create Date: 2027-01-20 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('expiry', 'pool_use', 'quota_use')", name=op.f("ck_alerts_kind")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_alerts_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "subject_id",
            "kind",
            "threshold",
            "epoch",
            name=op.f("uq_alerts_subject_id_kind_threshold_epoch"),
        ),
    )
    op.create_index("ix_alerts_org_id_raised_at", "alerts", ["org_id", "raised_at"], unique=False)
    op.create_table(
        "alert_thresholds",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("percents", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_alert_thresholds_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_alert_thresholds")),
    )


def downgrade() -> None:
    op.drop_table("alert_thresholds")
    op.drop_index("ix_alerts_org_id_raised_at", table_name="alerts")
    op.drop_table("alerts")
