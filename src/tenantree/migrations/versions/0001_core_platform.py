"""core platform

Revision ID: 0001
Revises:
Create Date: 2026-11-25 18:22:02.361994
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_operator", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_org_id", sa.Uuid(), nullable=True),
        sa.Column("org_id", sa.Uuid(), nullable=True),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_events_org_id_at", ["org_id", "at"], unique=False)

    op.create_table(
        "orgs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("partner_type", sa.String(length=16), nullable=True),
        sa.Column("edition", sa.String(length=16), nullable=False),
        sa.Column("salesforce_id", sa.String(length=18), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("partner_salesforce_id", sa.String(length=18), nullable=True),
        sa.Column("customer_name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'sub_org') = (parent_id IS NOT NULL)",
            name=op.f("ck_orgs_parent_only_for_sub_orgs"),
        ),
        sa.CheckConstraint("edition IN ('standard', 'pro')", name=op.f("ck_orgs_edition")),
        sa.CheckConstraint("kind IN ('standard', 'partner', 'sub_org')", name=op.f("ck_orgs_kind")),
        sa.CheckConstraint(
            "partner_type IS NULL OR partner_type IN ('msp', 'reseller')",
            name=op.f("ck_orgs_partner_type"),
        ),
        sa.CheckConstraint("status IN ('active', 'deactivated')", name=op.f("ck_orgs_status")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["orgs.id"], name=op.f("fk_orgs_parent_id_orgs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orgs")),
        sa.UniqueConstraint("salesforce_id", name=op.f("uq_orgs_salesforce_id")),
    )
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.create_index("ix_orgs_parent_id_name", ["parent_id", "name"], unique=False)

    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sign_in_failures_client_address_at", ["client_address", "at"], unique=False
        )
        batch_op.create_index("ix_sign_in_failures_email_at", ["email", "at"], unique=False)

    op.create_table(
        "access_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_access_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_tokens_token_hash")),
    )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_access_tokens_account_id", ["account_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("as_primary_admin", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_account_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'user', 'read_only')", name=op.f("ck_invitations_role")
        ),
        sa.ForeignKeyConstraint(
            ["accepted_account_id"],
            ["accounts.id"],
            name=op.f("fk_invitations_accepted_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_invitations_invited_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_invitations_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invitations_org_id_created_at", ["org_id", "created_at"], unique=False
        )

    op.create_table(
        "memberships",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_primary_admin", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "NOT is_primary_admin OR role = 'admin'",
            name=op.f("ck_memberships_primary_admin_is_admin"),
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'user', 'read_only')", name=op.f("ck_memberships_role")
        ),
        sa.CheckConstraint("status IN ('active', 'suspended')", name=op.f("ck_memberships_status")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_memberships_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_memberships_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("org_id", "account_id", name=op.f("uq_memberships_org_id_account_id")),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index("ix_memberships_account_id", ["account_id"], unique=False)
        batch_op.create_index(
            "uq_memberships_one_primary_admin",
            ["org_id"],
            unique=True,
            sqlite_where=sa.text("is_primary_admin"),
            postgresql_where=sa.text("is_primary_admin"),
        )
        batch_op.create_index(
            "uq_memberships_org_id_external_id",
            ["org_id", "external_id"],
            unique=True,
            sqlite_where=sa.text("external_id IS NOT NULL"),
            postgresql_where=sa.text("external_id IS NOT NULL"),
        )

    op.create_table(
        "sub_org_access",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("customer_access", sa.String(length=16), nullable=False),
        sa.Column("partner_users_restricted", sa.Boolean(), nullable=False),
        sa.Column("customer_may_brand", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "customer_access IN ('permitted', 'refused')",
            name=op.f("ck_sub_org_access_customer_access"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_sub_org_access_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_sub_org_access")),
    )
    op.create_table(
        "sub_org_partner_users",
        sa.Column("sub_org_id", sa.Uuid(), nullable=False),
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_sub_org_partner_users_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sub_org_id"],
            ["orgs.id"],
            name=op.f("fk_sub_org_partner_users_sub_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "sub_org_id", "membership_id", name=op.f("pk_sub_org_partner_users")
        ),
    )
    with op.batch_alter_table("sub_org_partner_users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sub_org_partner_users_membership_id"), ["membership_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sub_org_partner_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sub_org_partner_users_membership_id"))

    op.drop_table("sub_org_partner_users")
    op.drop_table("sub_org_access")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_memberships_org_id_external_id",
            sqlite_where=sa.text("external_id IS NOT NULL"),
            postgresql_where=sa.text("external_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_memberships_one_primary_admin",
            sqlite_where=sa.text("is_primary_admin"),
            postgresql_where=sa.text("is_primary_admin"),
        )
        batch_op.drop_index("ix_memberships_account_id")

    op.drop_table("memberships")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_org_id_created_at")

    op.drop_table("invitations")
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_access_tokens_account_id")

    op.drop_table("access_tokens")
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_email_at")
        batch_op.drop_index("ix_sign_in_failures_client_address_at")

    op.drop_table("sign_in_failures")
    with op.batch_alter_table("orgs", schema=None) as batch_op:
        batch_op.drop_index("ix_orgs_parent_id_name")

    op.drop_table("orgs")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_org_id_at")
        batch_op.drop_index("ix_audit_events_at")

    op.drop_table("audit_events")
    op.drop_table("accounts")
