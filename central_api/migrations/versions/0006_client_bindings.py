"""client_bindings: a client_id belongs to the account that first used it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "client_bindings",
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("login", sa.String(80), nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_bindings")),
    )
    # Installations that already posted keep working for the account that posted first.
    op.execute(sa.text(
        "INSERT INTO client_bindings (client_id, login) "
        "SELECT a.client_id, MIN(a.login) FROM applied_mutations a "
        "WHERE a.seq = (SELECT MIN(b.seq) FROM applied_mutations b WHERE b.client_id = a.client_id) "
        "GROUP BY a.client_id"))


def downgrade() -> None:
    op.drop_table("client_bindings")
