"""conventions.decided_on: the express decision's date as a column, for the supervision figures

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conventions") as batch:
        batch.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
    op.execute("UPDATE conventions SET decided_on = json_extract(extra, '$.decision.decided_on') WHERE extra IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("conventions") as batch:
        batch.drop_column("decided_on")
