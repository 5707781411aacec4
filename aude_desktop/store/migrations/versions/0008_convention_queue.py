"""the conventions' queue: search rowid and default-order indexes (as 0006 did for dossiers)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ORDER = "(next_due_on IS NULL), next_due_on, reference"


def upgrade() -> None:
    with op.batch_alter_table("conventions") as batch:
        batch.add_column(sa.Column("search_rowid", sa.BigInteger(), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM conventions")]
    if ids:
        connection.exec_driver_sql(
            "UPDATE conventions SET search_rowid = ? WHERE id = ?", [(_document_rowid("convention", i), i) for i in ids]
        )
    op.create_index("ix_conventions_search_rowid", "conventions", ["search_rowid"])
    op.drop_index("ix_conventions_state", "conventions")
    op.execute(f"CREATE INDEX ix_conventions_due_order ON conventions ({ORDER}, search_rowid)")
    for column in ("state", "regime"):
        op.execute(f"CREATE INDEX ix_conventions_{column}_order ON conventions ({column}, {ORDER})")
    op.execute("CREATE INDEX ix_conventions_due_order_desc ON conventions ((next_due_on IS NULL), next_due_on DESC, reference DESC)")


def _document_rowid(kind: str, entity_id: str) -> int:
    # Frozen copy of store.search.document_rowid as of this revision (migrations never import app code).
    digest = hashlib.blake2b(f"{kind}|{entity_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


def downgrade() -> None:
    op.drop_index("ix_conventions_due_order_desc", "conventions")
    for column in ("state", "regime"):
        op.drop_index(f"ix_conventions_{column}_order", "conventions")
    op.drop_index("ix_conventions_due_order", "conventions")
    op.create_index("ix_conventions_state", "conventions", ["state"])
    op.drop_index("ix_conventions_search_rowid", "conventions")
    with op.batch_alter_table("conventions") as batch:
        batch.drop_column("search_rowid")
