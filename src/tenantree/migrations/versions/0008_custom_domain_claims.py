"""domain claims: pending claims of several orgs, one verified owner per hostname

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VERIFIED = sa.text("verified_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("domain_claims", schema=None) as batch_op:
        batch_op.drop_constraint("uq_domain_claims_hostname", type_="unique")
        batch_op.create_unique_constraint(
            "uq_domain_claims_org_id_hostname", ["org_id", "hostname"]
        )
        batch_op.create_index(
            "ix_domain_claims_verified_hostname",
            ["hostname"],
            unique=True,
            sqlite_where=_VERIFIED,
            postgresql_where=_VERIFIED,
        )


def downgrade() -> None:
    with op.batch_alter_table("domain_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_claims_verified_hostname")
        batch_op.drop_constraint("uq_domain_claims_org_id_hostname", type_="unique")
    # Only one claim per hostname may remain: the verified one, else the oldest.
    op.execute(
        "DELETE FROM domain_claims WHERE id NOT IN ("
        " SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY hostname"
        " ORDER BY verified_at IS NULL, created_at, id) AS n FROM domain_claims) ranked"
        " WHERE n = 1)"
    )
    with op.batch_alter_table("domain_claims", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_domain_claims_hostname", ["hostname"])
