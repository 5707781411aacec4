"""accent-insensitive full-text search index (FTS5)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # remove_diacritics 2 folds every accent (also those on letters unicode61's mode 1 misses), so
    # "elodie" finds "Élodie" and "nguyen" finds "Nguyễn".
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "kind UNINDEXED, entity_id UNINDEXED, body, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
