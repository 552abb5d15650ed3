"""email domains: orgs' claims on email domains, one verified owner per domain

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERIFIED = sa.text("verified_at IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "email_domains",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_email_domains_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_domains")),
        sa.UniqueConstraint("org_id", "domain", name=op.f("uq_email_domains_org_id_domain")),
    )
    with op.batch_alter_table("email_domains", schema=None) as batch_op:
        batch_op.create_index("ix_email_domains_org_id", ["org_id"], unique=False)
        batch_op.create_index(
            "ix_email_domains_verified_domain",
            ["domain"],
            unique=True,
            sqlite_where=_VERIFIED,
            postgresql_where=_VERIFIED,
        )


def downgrade() -> None:
    with op.batch_alter_table("email_domains", schema=None) as batch_op:
        batch_op.drop_index("ix_email_domains_verified_domain")
        batch_op.drop_index("ix_email_domains_org_id")
    op.drop_table("email_domains")
