"""branding

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:44:31.038646
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_assets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "content_type IN ('image/png', 'image/svg+xml')",
            name=op.f("ck_brand_assets_content_type"),
        ),
        sa.CheckConstraint("kind IN ('logo', 'favicon')", name=op.f("ck_brand_assets_kind")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_brand_assets_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_assets")),
    )
    with op.batch_alter_table("brand_assets", schema=None) as batch_op:
        batch_op.create_index("ix_brand_assets_org_id", ["org_id"], unique=False)

    op.create_table(
        "domain_claims",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("hostname", sa.String(length=253), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_domain_claims_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_claims")),
        sa.UniqueConstraint("hostname", name=op.f("uq_domain_claims_hostname")),
    )
    with op.batch_alter_table("domain_claims", schema=None) as batch_op:
        batch_op.create_index("ix_domain_claims_org_id", ["org_id"], unique=False)

    op.create_table(
        "smtp_relays",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("starttls", sa.Boolean(), nullable=False),
        sa.Column("username", sa.String(length=320), nullable=True),
        sa.Column("password_encrypted", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name=op.f("ck_smtp_relays_port")),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_smtp_relays_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_smtp_relays")),
    )
    op.create_table(
        "brands",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("product_name", sa.String(length=100), nullable=True),
        sa.Column("primary_color", sa.String(length=7), nullable=True),
        sa.Column("accent_color", sa.String(length=7), nullable=True),
        sa.Column("support_email", sa.String(length=320), nullable=True),
        sa.Column("support_url", sa.String(length=2000), nullable=True),
        sa.Column("email_from_name", sa.String(length=100), nullable=True),
        sa.Column("email_from_address", sa.String(length=320), nullable=True),
        sa.Column("sign_in_message", sa.String(length=1000), nullable=True),
        sa.Column("custom_domain", sa.String(length=253), nullable=True),
        sa.Column("logo_asset_id", sa.Uuid(), nullable=True),
        sa.Column("favicon_asset_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("stage IN ('draft', 'published')", name=op.f("ck_brands_stage")),
        sa.ForeignKeyConstraint(
            ["favicon_asset_id"],
            ["brand_assets.id"],
            name=op.f("fk_brands_favicon_asset_id_brand_assets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["logo_asset_id"],
            ["brand_assets.id"],
            name=op.f("fk_brands_logo_asset_id_brand_assets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_brands_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("org_id", "stage", name=op.f("uq_brands_org_id_stage")),
    )


def downgrade() -> None:
    op.drop_table("brands")
    op.drop_table("smtp_relays")
    with op.batch_alter_table("domain_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_claims_org_id")

    op.drop_table("domain_claims")
    with op.batch_alter_table("brand_assets", schema=None) as batch_op:
        batch_op.drop_index("ix_brand_assets_org_id")

    op.drop_table("brand_assets")
