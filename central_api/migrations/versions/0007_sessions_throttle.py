"""Sign-in sessions (revocation checked on each request), refresh token families, atomic login
throttle per account/address, ID tokens accepted once

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("login", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["login"], ["users.login"], name=op.f("fk_sessions_login_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_login"), "sessions", ["login"])
    # Refresh tokens issued before sessions keep working once: their next refresh opens a session.
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.add_column(sa.Column("session_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("spent_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_refresh_tokens_session_id"), ["session_id"])
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_table(
        "oidc_used_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_oidc_used_tokens")),
    )
    op.create_index(op.f("ix_oidc_used_tokens_expires_at"), "oidc_used_tokens", ["expires_at"])
    # The old per-failure rows counted outside any lock (the race of issue 16): replaced.
    op.drop_index("ix_login_failures_login", table_name="login_failures")
    op.drop_table("login_failures")


def downgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("login", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index("ix_login_failures_login", "login_failures", ["login"])
    op.drop_index(op.f("ix_oidc_used_tokens_expires_at"), table_name="oidc_used_tokens")
    op.drop_table("oidc_used_tokens")
    op.drop_table("login_throttle")
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_index(batch.f("ix_refresh_tokens_session_id"))
        batch.drop_column("spent_at")
        batch.drop_column("session_id")
    op.drop_index(op.f("ix_sessions_login"), table_name="sessions")
    op.drop_table("sessions")
