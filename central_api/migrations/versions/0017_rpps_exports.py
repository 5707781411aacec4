"""RPPS hand-off: the export runs and the decisions already sent to the orders and ARS

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rpps_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("format", sa.String(4), nullable=False),
        sa.Column("decisions", sa.Integer(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rpps_runs")),
    )
    op.create_table(
        "rpps_exports",
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("decision_kind", sa.String(40), nullable=False),
        sa.Column("decision_on", sa.Date(), nullable=False),
        sa.Column("body", sa.String(20), nullable=False),
        sa.Column("run_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["rpps_runs.id"], name=op.f("fk_rpps_exports_run_id_rpps_runs")),
        sa.PrimaryKeyConstraint("record_id", "decision_kind", "decision_on", name=op.f("pk_rpps_exports")),
    )
    op.create_index(op.f("ix_rpps_exports_run_id"), "rpps_exports", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_rpps_exports_run_id"), table_name="rpps_exports")
    op.drop_table("rpps_exports")
    op.drop_table("rpps_runs")
