"""what a don or libéralité finances (its threshold depends on it)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("avantages") as batch:
        batch.add_column(sa.Column("purpose", sa.String(30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("avantages") as batch:
        batch.drop_column("purpose")
