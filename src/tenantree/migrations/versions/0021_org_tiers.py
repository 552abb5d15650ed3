"""org tiers: distributors, and each org's depth held by the database

Revision ID: 0021
Revises: 0020
Create Date: 2027-01-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEPTH_FOLLOWS_PARENT = (
    "(parent_id IS NULL AND parent_depth IS NULL AND depth = 0)"
    " OR (parent_id IS NOT NULL AND parent_depth IS NOT NULL"
    " AND depth = parent_depth + 1)"
)


def upgrade() -> None:
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("depth", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("parent_depth", sa.Integer(), nullable=True))
    # Until now the tree was two levels: every sub-org sits under a top-level partner.
    op.execute("UPDATE orgs SET depth = 1, parent_depth = 0 WHERE parent_id IS NOT NULL")
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.alter_column("depth", server_default=None)
        batch_op.drop_constraint(batch_op.f("ck_orgs_partner_type"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_orgs_partner_type"),
            "partner_type IS NULL OR partner_type IN ('msp', 'reseller', 'distributor')",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_orgs_distributor_at_top"),
            "partner_type IS NULL OR partner_type <> 'distributor' OR parent_id IS NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_orgs_depth_follows_parent"), _DEPTH_FOLLOWS_PARENT
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_orgs_depth_bounded"), "depth >= 0 AND depth <= 3"
        )
        batch_op.create_unique_constraint(batch_op.f("uq_orgs_id_depth"), ["id", "depth"])
    # A second pass: on SQLite the rebuilt table's key refers to the live
    # `orgs`, which must already have the unique (id, depth) it points at.
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_orgs_parent_id_parent_depth_orgs",
            "orgs",
            ["parent_id", "parent_depth"],
            ["id", "depth"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    # A deeper tree cannot go back to two levels: refuse rather than lose rows.
    bind = op.get_bind()
    deep = bind.execute(
        sa.text("SELECT COUNT(*) FROM orgs WHERE depth > 1 OR partner_type = 'distributor'")
    ).scalar()
    if deep:
        raise RuntimeError(
            "cannot downgrade: distributors or orgs below tier 2 exist; move or remove them first"
        )
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_constraint("fk_orgs_parent_id_parent_depth_orgs", type_="foreignkey")
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_orgs_id_depth"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_orgs_depth_bounded"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_orgs_depth_follows_parent"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_orgs_distributor_at_top"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_orgs_partner_type"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_orgs_partner_type"),
            "partner_type IS NULL OR partner_type IN ('msp', 'reseller')",
        )
        batch_op.drop_column("parent_depth")
        batch_op.drop_column("depth")
