"""the first page of the window's queue, kept for the next start's first screen

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "first_page",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_first_page_single")),
    )


def downgrade() -> None:
    op.drop_table("first_page")
