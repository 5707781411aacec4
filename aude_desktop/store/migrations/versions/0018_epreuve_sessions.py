"""épreuve d'aptitude sessions (synced records of the agent's region, with their convocations)

Revision ID: 0018
Revises: 0014
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "epreuve_sessions",
        sa.Column("profession", sa.String(length=60), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("session_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.String(length=5), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("bring", sa.Text(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("convocations", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epreuve_sessions")),
    )
    op.create_index(op.f("ix_epreuve_sessions_region"), "epreuve_sessions", ["region"])


def downgrade() -> None:
    op.drop_index(op.f("ix_epreuve_sessions_region"), table_name="epreuve_sessions")
    op.drop_table("epreuve_sessions")
