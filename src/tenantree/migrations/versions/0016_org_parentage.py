"""org parentage: which partner a sub-org was under, and when (moves)

Revision ID: 0016
Revises: 0015
Create Date: 2027-01-12 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_parentage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sub_org_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "until IS NULL OR until >= since", name=op.f("ck_org_parentage_span_not_reversed")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["orgs.id"],
            name=op.f("fk_org_parentage_partner_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sub_org_id"],
            ["orgs.id"],
            name=op.f("fk_org_parentage_sub_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_parentage")),
    )
    op.create_index("ix_org_parentage_partner_id_until", "org_parentage", ["partner_id", "until"])
    op.create_index("ix_org_parentage_sub_org_id_since", "org_parentage", ["sub_org_id", "since"])


def downgrade() -> None:
    op.drop_index("ix_org_parentage_sub_org_id_since", table_name="org_parentage")
    op.drop_index("ix_org_parentage_partner_id_until", table_name="org_parentage")
    op.drop_table("org_parentage")
