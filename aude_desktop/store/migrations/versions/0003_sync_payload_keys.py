"""payload keys for sync materialisation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # server_default only so that rows of an older database get a value; new rows always set it.
    with op.batch_alter_table("avantages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key", sa.String(length=36), nullable=False, server_default="")
        )

    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key", sa.String(length=36), nullable=False, server_default="")
        )

    with op.batch_alter_table("conventions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra", sa.JSON(), nullable=True))

    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extra", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_column("extra")

    with op.batch_alter_table("conventions", schema=None) as batch_op:
        batch_op.drop_column("extra")

    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.drop_column("key")

    with op.batch_alter_table("avantages", schema=None) as batch_op:
        batch_op.drop_column("key")
