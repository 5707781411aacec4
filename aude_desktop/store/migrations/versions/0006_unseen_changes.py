"""« nouveau » markers, and the dossiers' search rowid for a fast accent-insensitive queue search

unseen_changes: records changed by others since the user last opened them.
dossiers.search_rowid: the rowid of the dossier's document in search_index, so a search joins on
an integer the FTS index returns without reading its content columns; it ends the default-order
index, so a common word is paged by walking that index alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unseen_changes",
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("entity_kind", sa.String(30), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_unseen_changes")),
    )
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("search_rowid", sa.BigInteger(), nullable=True))
    connection = op.get_bind()
    ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM dossiers")]
    if ids:
        connection.exec_driver_sql(
            "UPDATE dossiers SET search_rowid = ? WHERE id = ?", [(_document_rowid("dossier", i), i) for i in ids]
        )
    op.create_index("ix_dossiers_search_rowid", "dossiers", ["search_rowid"])
    op.execute("DROP INDEX ix_dossiers_due_order")
    op.execute(
        "CREATE INDEX ix_dossiers_due_order ON dossiers ((next_due_on IS NULL), next_due_on, reference, search_rowid)"
    )
    for column in ("state", "assigned_to"):
        op.drop_index(f"ix_dossiers_{column}", "dossiers")
    for column in ("state", "profession", "assigned_to"):
        op.execute(
            f"CREATE INDEX ix_dossiers_{column}_order ON dossiers ({column}, (next_due_on IS NULL), next_due_on, reference)"
        )


def _document_rowid(kind: str, entity_id: str) -> int:
    # Frozen copy of store.search.document_rowid as of this revision (migrations never import app code).
    digest = hashlib.blake2b(f"{kind}|{entity_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


def downgrade() -> None:
    for column in ("state", "profession", "assigned_to"):
        op.drop_index(f"ix_dossiers_{column}_order", "dossiers")
    for column in ("state", "assigned_to"):
        op.create_index(f"ix_dossiers_{column}", "dossiers", [column])
    op.execute("DROP INDEX ix_dossiers_due_order")
    op.execute("CREATE INDEX ix_dossiers_due_order ON dossiers ((next_due_on IS NULL), next_due_on, reference)")
    op.drop_index("ix_dossiers_search_rowid", "dossiers")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("search_rowid")
    op.drop_table("unseen_changes")
