"""applicant's usage name (registered from the Nouveau dossier window) and duplicates by birth date

Revision ID: 0023
Revises: 0014
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applicants") as batch:
        batch.add_column(sa.Column("usage_name", sa.String(200), nullable=True))
    # The duplicate check while typing reads the applicants born on one day.
    op.create_index("ix_applicants_birth_date", "applicants", ["birth_date"])


def downgrade() -> None:
    op.drop_index("ix_applicants_birth_date", table_name="applicants")
    with op.batch_alter_table("applicants") as batch:
        batch.drop_column("usage_name")
