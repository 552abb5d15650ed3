"""identity integrations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:30:06.154752
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scim_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("display_name_key", sa.String(length=255), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_scim_groups_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_groups")),
    )
    with op.batch_alter_table("scim_groups", schema=None) as batch_op:
        batch_op.create_index(
            "uq_scim_groups_org_id_display_name", ["org_id", "display_name_key"], unique=True
        )

    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_scim_tokens_created_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_scim_tokens_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scim_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scim_tokens_token_hash")),
    )
    with op.batch_alter_table("scim_tokens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scim_tokens_org_id_created_at", ["org_id", "created_at"], unique=False
        )

    op.create_table(
        "sso_configs",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_encrypted", sa.String(length=1000), nullable=False),
        sa.Column("allowed_domains", sa.JSON(), nullable=False),
        sa.Column("sso_required", sa.Boolean(), nullable=False),
        sa.Column("jit_role", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_sso_configs_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_sso_configs")),
    )
    op.create_table(
        "sso_logins",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=False),
        sa.Column("code_verifier_encrypted", sa.String(length=1000), nullable=False),
        sa.Column("redirect_uri", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_sso_logins_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_logins")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_sso_logins_state_hash")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("membership_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_account_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_api_tokens_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_api_tokens_created_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_api_tokens_membership_id_memberships"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_api_tokens_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("account_id", name=op.f("uq_api_tokens_account_id")),
        sa.UniqueConstraint("membership_id", name=op.f("uq_api_tokens_membership_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_api_tokens_org_id_created_at", ["org_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "uq_api_tokens_org_id_name_live",
            ["org_id", "name"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "scim_group_members",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.Column("display", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scim_groups.id"],
            name=op.f("fk_scim_group_members_group_id_scim_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_scim_group_members_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "membership_id", name=op.f("pk_scim_group_members")),
    )
    with op.batch_alter_table("scim_group_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scim_group_members_membership_id", ["membership_id"], unique=False
        )

    op.create_table(
        "scim_profiles",
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.Column("display", sa.String(length=255), nullable=True),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_name", sa.String(length=320), nullable=False),
        sa.Column("user_name_key", sa.String(length=320), nullable=False),
        sa.Column("resource", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_scim_profiles_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_scim_profiles_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("membership_id", name=op.f("pk_scim_profiles")),
    )
    with op.batch_alter_table("scim_profiles", schema=None) as batch_op:
        batch_op.create_index(
            "uq_scim_profiles_org_id_user_name", ["org_id", "user_name_key"], unique=True
        )

    op.create_table(
        "sso_identities",
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_sso_identities_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_sso_identities_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("membership_id", name=op.f("pk_sso_identities")),
    )
    with op.batch_alter_table("sso_identities", schema=None) as batch_op:
        batch_op.create_index(
            "uq_sso_identities_org_id_issuer_subject", ["org_id", "issuer", "subject"], unique=True
        )

    op.create_table(
        "sso_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("membership_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_sso_sessions_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sso_sessions_token_hash")),
    )
    with op.batch_alter_table("sso_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sso_sessions_membership_id", ["membership_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sso_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sso_sessions_membership_id")

    op.drop_table("sso_sessions")
    with op.batch_alter_table("sso_identities", schema=None) as batch_op:
        batch_op.drop_index("uq_sso_identities_org_id_issuer_subject")

    op.drop_table("sso_identities")
    with op.batch_alter_table("scim_profiles", schema=None) as batch_op:
        batch_op.drop_index("uq_scim_profiles_org_id_user_name")

    op.drop_table("scim_profiles")
    with op.batch_alter_table("scim_group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_scim_group_members_membership_id")

    op.drop_table("scim_group_members")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_api_tokens_org_id_name_live",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index("ix_api_tokens_org_id_created_at")

    op.drop_table("api_tokens")
    op.drop_table("sso_logins")
    op.drop_table("sso_configs")
    with op.batch_alter_table("scim_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_scim_tokens_org_id_created_at")

    op.drop_table("scim_tokens")
    with op.batch_alter_table("scim_groups", schema=None) as batch_op:
        batch_op.drop_index("uq_scim_groups_org_id_display_name")

    op.drop_table("scim_groups")
