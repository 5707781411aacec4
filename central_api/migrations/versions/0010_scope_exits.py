"""records leaving a scope (dossier moved to another region): tombstones for the old scope's feed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scope_exits",
        sa.Column("cursor", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(3), nullable=True),
        sa.Column("authority", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("cursor", name=op.f("pk_scope_exits")),
    )
    op.create_index("ix_scope_exits_region_cursor", "scope_exits", ["region", "cursor"])
    op.create_index("ix_scope_exits_authority_cursor", "scope_exits", ["authority", "cursor"])


def downgrade() -> None:
    op.drop_index("ix_scope_exits_authority_cursor", table_name="scope_exits")
    op.drop_index("ix_scope_exits_region_cursor", table_name="scope_exits")
    op.drop_table("scope_exits")
