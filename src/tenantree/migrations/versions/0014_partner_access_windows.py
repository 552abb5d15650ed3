"""partner access windows (expiring partner-wide access and named grants);
sub-orgs deactivated with their partner

Revision ID: 0014
Revises: 0013
Create Date: 2027-01-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _flag(name: str) -> sa.Column:
    # A server default fills the existing rows; the model supplies it afterwards.
    return sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())


def upgrade() -> None:
    with op.batch_alter_table("sub_org_access", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("partner_access_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(_flag("partner_access_lapse_recorded"))
    with op.batch_alter_table("sub_org_partner_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(_flag("lapse_recorded"))
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.add_column(_flag("deactivated_with_partner"))
    for table, column in (
        ("sub_org_access", "partner_access_lapse_recorded"),
        ("sub_org_partner_users", "lapse_recorded"),
        ("orgs", "deactivated_with_partner"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_column("deactivated_with_partner")
    with op.batch_alter_table("sub_org_partner_users", schema=None) as batch_op:
        batch_op.drop_column("lapse_recorded")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("sub_org_access", schema=None) as batch_op:
        batch_op.drop_column("partner_access_lapse_recorded")
        batch_op.drop_column("partner_access_expires_at")
