"""index of conventions by filing date: supervision's monthly inflow reads it instead of every row

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conventions_filed_on", "conventions", ["filed_on"])


def downgrade() -> None:
    op.drop_index("ix_conventions_filed_on", table_name="conventions")
