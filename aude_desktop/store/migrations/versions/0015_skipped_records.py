"""skipped_records: records of the change feed this laptop could not store, named to the user

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "skipped_records",
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("skipped_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "id", name=op.f("pk_skipped_records")),
    )


def downgrade() -> None:
    op.drop_table("skipped_records")
