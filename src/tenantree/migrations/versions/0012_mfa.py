"""mfa: second factors per account, sign-in challenges, org MFA policies

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "mfa_totp_factors",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("sealed_secret", sa.String(length=255), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("mfa_totp_factors"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_mfa_totp_factors")),
    )
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk("mfa_recovery_codes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_mfa_recovery_codes_code_hash")),
    )
    op.create_index("ix_mfa_recovery_codes_account_id", "mfa_recovery_codes", ["account_id"])
    op.create_table(
        "mfa_passkeys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(length=1024), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=2048), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        _account_fk("mfa_passkeys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_passkeys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_mfa_passkeys_credential_id")),
    )
    op.create_index("ix_mfa_passkeys_account_id", "mfa_passkeys", ["account_id"])
    op.create_table(
        "mfa_challenges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("webauthn_challenge", sa.LargeBinary(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        _account_fk("mfa_challenges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_challenges")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mfa_challenges_token_hash")),
    )
    op.create_index("ix_mfa_challenges_account_id", "mfa_challenges", ["account_id"])
    op.create_table(
        "org_mfa_policies",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("required_for_sub_orgs", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["orgs.id"],
            name=op.f("fk_org_mfa_policies_org_id_orgs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_mfa_policies")),
    )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mfa_enrolment_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.alter_column("mfa_enrolment_only", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.drop_column("mfa_enrolment_only")
    op.drop_table("org_mfa_policies")
    op.drop_index("ix_mfa_challenges_account_id", table_name="mfa_challenges")
    op.drop_table("mfa_challenges")
    op.drop_index("ix_mfa_passkeys_account_id", table_name="mfa_passkeys")
    op.drop_table("mfa_passkeys")
    op.drop_index("ix_mfa_recovery_codes_account_id", table_name="mfa_recovery_codes")
    op.drop_table("mfa_recovery_codes")
    op.drop_table("mfa_totp_factors")
