"""contentless search index; no index of conventions by company

The search index kept its own copy of every record's kind, id and text, though a search always goes
through the record's own row (its search_rowid). Contentless (with deletes, SQLite 3.43+), it writes
a third less on a national first sync and keeps one fewer copy of personal data. Nothing reads
conventions by company: ix_conventions_company_id goes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_index_new USING fts5("
        "body, content = '', contentless_delete = 1, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute("INSERT INTO search_index_new (rowid, body) SELECT rowid, body FROM search_index")
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_new RENAME TO search_index")
    op.drop_index("ix_conventions_company_id", table_name="conventions")


def downgrade() -> None:
    raise NotImplementedError("0013 is one-way: restore the backup taken before the upgrade (store/backups.py).")
