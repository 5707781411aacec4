"""Audit log keyed and headed: outcome and chain columns, record_id wide enough for a file's
SHA-256, and the signed head. Existing entries stay `chain` 1 (plain SHA-256) until the server
seals them with the key (audit.py `open_log`), which needs the key, unknown to a migration.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("outcome", sa.String(60), nullable=False, server_default=""))
        batch.add_column(sa.Column("chain", sa.Integer(), nullable=False, server_default="1"))
        batch.alter_column("record_id", existing_type=sa.String(36), type_=sa.String(64), existing_nullable=False)
    op.create_table(
        "audit_head",
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("mac", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_audit_head")),
    )
    connection = op.get_bind()
    last = connection.execute(sa.text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")).scalar()
    count = connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar()
    connection.execute(sa.text("INSERT INTO audit_head (name, n, hash, mac) VALUES ('audit', :n, :hash, NULL)"),
                       {"n": count, "hash": last or GENESIS})


def downgrade() -> None:
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_log") as batch:
        batch.alter_column("record_id", existing_type=sa.String(64), type_=sa.String(36), existing_nullable=False)
        batch.drop_column("chain")
        batch.drop_column("outcome")
