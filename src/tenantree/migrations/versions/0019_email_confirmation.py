"""email confirmation: accounts created through an org's own mail channel start
unconfirmed; one-time links the platform mails confirm them

Revision ID: 0019
Revises: 0018
Create Date: 2027-01-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Accounts before this change are taken as confirmed: nothing recorded how
    # they were made, and refusing them consent now would strand real people.
    op.execute("UPDATE accounts SET email_confirmed_at = created_at")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("via_org_channel", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "email_confirmations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_email_confirmations_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_confirmations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_confirmations_token_hash")),
    )
    with op.batch_alter_table("email_confirmations", schema=None) as batch_op:
        batch_op.create_index("ix_email_confirmations_account_id", ["account_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("email_confirmations", schema=None) as batch_op:
        batch_op.drop_index("ix_email_confirmations_account_id")
    op.drop_table("email_confirmations")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("via_org_channel")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("email_confirmed_at")
