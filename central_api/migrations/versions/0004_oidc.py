"""OpenID Connect: the minimal provider's accounts and codes, and identities mapped to AUDE users

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_accounts",
        sa.Column("provider", sa.String(30), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("provider", "subject", name=op.f("pk_oidc_accounts")),
    )
    op.create_table(
        "oidc_identities",
        sa.Column("provider", sa.String(30), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("login", sa.String(80), nullable=False),
        sa.ForeignKeyConstraint(["login"], ["users.login"], name=op.f("fk_oidc_identities_login_users")),
        sa.PrimaryKeyConstraint("provider", "subject", name=op.f("pk_oidc_identities")),
    )
    op.create_index(op.f("ix_oidc_identities_login"), "oidc_identities", ["login"])
    op.create_table(
        "oidc_codes",
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(30), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("client_id", sa.String(80), nullable=False),
        sa.Column("redirect_uri", sa.String(300), nullable=False),
        sa.Column("code_challenge", sa.String(128), nullable=False),
        sa.Column("nonce", sa.String(200), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code_hash", name=op.f("pk_oidc_codes")),
    )


def downgrade() -> None:
    op.drop_table("oidc_codes")
    op.drop_index(op.f("ix_oidc_identities_login"), table_name="oidc_identities")
    op.drop_table("oidc_identities")
    op.drop_table("oidc_accounts")
