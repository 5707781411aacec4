"""index for the queue's default order (dated files first, soonest first)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_dossiers_due_order ON dossiers ((next_due_on IS NULL), next_due_on, reference)"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_dossiers_due_order")
