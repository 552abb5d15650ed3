"""licensing

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:30:53.313735
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "license_pools",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("holder_org_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("used >= 0", name=op.f("ck_license_pools_used_not_negative")),
        sa.ForeignKeyConstraint(
            ["holder_org_id"],
            ["orgs.id"],
            name=op.f("fk_license_pools_holder_org_id_orgs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_pools")),
        sa.UniqueConstraint(
            "holder_org_id", "sku", name=op.f("uq_license_pools_holder_org_id_sku")
        ),
    )
    op.create_table(
        "license_source_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "source IN ('parent_pool', 'own')", name=op.f("ck_license_source_changes_source")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_license_source_changes_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_license_source_changes")),
    )
    with op.batch_alter_table("license_source_changes", schema=None) as batch_op:
        batch_op.create_index("ix_license_source_changes_org_id_at", ["org_id", "at"], unique=False)

    op.create_table(
        "licenses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("holder_org_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overage_policy", sa.String(length=16), nullable=False),
        sa.Column("salesforce_contract_id", sa.String(length=18), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "overage_policy IN ('block', 'allow_and_flag')", name=op.f("ck_licenses_overage_policy")
        ),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f("ck_licenses_status")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_licenses_term_ends_after_start")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_licenses_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["holder_org_id"],
            ["orgs.id"],
            name=op.f("fk_licenses_holder_org_id_orgs"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licenses")),
    )
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_licenses_holder_org_id_sku", ["holder_org_id", "sku"], unique=False
        )

    op.create_table(
        "quotas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sub_org_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("max_units", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("max_units >= 0", name=op.f("ck_quotas_max_units_not_negative")),
        sa.ForeignKeyConstraint(
            ["sub_org_id"], ["orgs.id"], name=op.f("fk_quotas_sub_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotas")),
        sa.UniqueConstraint("sub_org_id", "sku", name=op.f("uq_quotas_sub_org_id_sku")),
    )
    op.create_table(
        "consumptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("units >= 0", name=op.f("ck_consumptions_units_not_negative")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_consumptions_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["license_pools.id"],
            name=op.f("fk_consumptions_pool_id_license_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consumptions")),
        sa.UniqueConstraint("pool_id", "org_id", name=op.f("uq_consumptions_pool_id_org_id")),
    )
    with op.batch_alter_table("consumptions", schema=None) as batch_op:
        batch_op.create_index("ix_consumptions_org_id", ["org_id"], unique=False)

    op.create_table(
        "usage_daily",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("peak_units", sa.BigInteger(), nullable=False),
        sa.Column("unit_seconds", sa.BigInteger(), nullable=False),
        sa.Column("last_units", sa.BigInteger(), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_usage_daily_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["license_pools.id"],
            name=op.f("fk_usage_daily_pool_id_license_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_daily")),
        sa.UniqueConstraint(
            "pool_id", "org_id", "day", name=op.f("uq_usage_daily_pool_id_org_id_day")
        ),
    )
    op.create_table(
        "usage_snapshots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pool_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("pool_used", sa.BigInteger(), nullable=False),
        sa.Column("over_quantity", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_usage_snapshots_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pool_id"],
            ["license_pools.id"],
            name=op.f("fk_usage_snapshots_pool_id_license_pools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_snapshots")),
    )
    with op.batch_alter_table("usage_snapshots", schema=None) as batch_op:
        batch_op.create_index("ix_usage_snapshots_org_id_at", ["org_id", "at"], unique=False)
        batch_op.create_index("ix_usage_snapshots_pool_id_at", ["pool_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("usage_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_snapshots_pool_id_at")
        batch_op.drop_index("ix_usage_snapshots_org_id_at")

    op.drop_table("usage_snapshots")
    op.drop_table("usage_daily")
    with op.batch_alter_table("consumptions", schema=None) as batch_op:
        batch_op.drop_index("ix_consumptions_org_id")

    op.drop_table("consumptions")
    op.drop_table("quotas")
    with op.batch_alter_table("licenses", schema=None) as batch_op:
        batch_op.drop_index("ix_licenses_holder_org_id_sku")

    op.drop_table("licenses")
    with op.batch_alter_table("license_source_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_license_source_changes_org_id_at")

    op.drop_table("license_source_changes")
    op.drop_table("license_pools")
