"""Transparence Santé: each convention's status and supervision's per-company table (synced from the server)

Revision ID: 0022
Revises: 0014
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transparence_status",
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transparence_status")),
    )
    op.create_table(
        "transparence_companies",
        sa.Column("siren", sa.String(9), nullable=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("conventions", sa.Integer(), nullable=False),
        sa.Column("filed_not_published", sa.Integer(), nullable=False),
        sa.Column("published_never_filed", sa.Integer(), nullable=False),
        sa.Column("amount_differs", sa.Integer(), nullable=False),
        sa.Column("ambiguous", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transparence_companies")),
    )


def downgrade() -> None:
    op.drop_table("transparence_companies")
    op.drop_table("transparence_status")
