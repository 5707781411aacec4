"""Transparence Santé: the imported export's convention lines and the import runs

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ts_lines",
        sa.Column("ligne_identifiant", sa.String(80), nullable=False),
        sa.Column("entreprise_identifiant", sa.String(80), nullable=False),
        sa.Column("company_name", sa.String(300), nullable=False),
        sa.Column("siren", sa.String(9), nullable=True),
        sa.Column("beneficiary", sa.String(300), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("convention_id", sa.String(36), nullable=True),
        sa.Column("candidates", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("ligne_identifiant", name=op.f("pk_ts_lines")),
    )
    op.create_index(op.f("ix_ts_lines_siren"), "ts_lines", ["siren"])
    op.create_table(
        "ts_imports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ts_imports")),
    )


def downgrade() -> None:
    op.drop_table("ts_imports")
    op.drop_index(op.f("ix_ts_lines_siren"), table_name="ts_lines")
    op.drop_table("ts_lines")
