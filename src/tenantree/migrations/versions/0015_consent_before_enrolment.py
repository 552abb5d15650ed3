"""consent before enrolment: directory entries awaiting their account owner's
consent, and invitations that ask it (declinable, tied to such an entry)

Revision ID: 0015
Revises: 0014
Create Date: 2027-01-12 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild): memberships keeps its partial indexes.
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("awaiting_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("membership_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invitations_membership_id_memberships"),
            "memberships",
            ["membership_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_invitations_membership_id_memberships"), type_="foreignkey"
        )
        batch_op.drop_column("membership_id")
        batch_op.drop_column("declined_at")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_column("awaiting_consent")
