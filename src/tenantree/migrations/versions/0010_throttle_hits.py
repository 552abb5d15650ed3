"""throttle hits (one table of hits per key replaces the per-flow attempt tables);
SSO test sign-ins

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The attempt tables this replaces, both shaped alike.
_ATTEMPT_TABLES = ("sign_in_failures", "password_reset_requests")


def upgrade() -> None:
    op.create_table(
        "throttle_hits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_throttle_hits")),
    )
    with op.batch_alter_table("throttle_hits", schema=None) as batch_op:
        batch_op.create_index("ix_throttle_hits_key_at", ["key", "at"], unique=False)
    # Counts in flight are dropped with them: at worst a window starts afresh.
    for table in _ATTEMPT_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_client_address_at")
            batch_op.drop_index(f"ix_{table}_email_at")
        op.drop_table(table)
    with op.batch_alter_table("sso_logins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("test_account_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("test_session_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("test_passed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sso_logins", schema=None) as batch_op:
        batch_op.drop_column("test_passed_at")
        batch_op.drop_column("test_session_hash")
        batch_op.drop_column("test_account_id")
    for table in _ATTEMPT_TABLES:
        op.create_table(
            table,
            sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("email", sa.String(length=320), nullable=False),
            sa.Column("client_address", sa.String(length=64), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{table}_client_address_at", ["client_address", "at"], unique=False
            )
            batch_op.create_index(f"ix_{table}_email_at", ["email", "at"], unique=False)
    with op.batch_alter_table("throttle_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_throttle_hits_key_at")
    op.drop_table("throttle_hits")
