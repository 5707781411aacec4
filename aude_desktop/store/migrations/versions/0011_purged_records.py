"""purged_records: records removed from this laptop by the retention rule (ids and versions only)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purged_records",
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("purged_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "id", name=op.f("pk_purged_records")),
    )


def downgrade() -> None:
    op.drop_table("purged_records")
