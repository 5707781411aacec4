"""files: who holds which bytes (naming a hash requires possession), uploads under way per user

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment_holders",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("login", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "login", name=op.f("pk_attachment_holders")),
    )
    # The first uploader of each complete file holds it.
    op.execute("INSERT INTO attachment_holders (sha256, login) SELECT sha256, uploaded_by FROM attachments WHERE complete")
    op.create_table(
        "partial_uploads",
        sa.Column("login", sa.String(80), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("login", "sha256", name=op.f("pk_partial_uploads")),
    )
    op.create_index(op.f("ix_partial_uploads_started_at"), "partial_uploads", ["started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_partial_uploads_started_at"), table_name="partial_uploads")
    op.drop_table("partial_uploads")
    op.drop_table("attachment_holders")
