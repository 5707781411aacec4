"""merge of the two branches that both followed 0014: épreuve sessions (0018) and Transparence Santé (0022)

Revision ID: 0023
Revises: 0018, 0022
Create Date: 2026-11-26
"""

revision = "0023"
down_revision = ("0018", "0022")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
