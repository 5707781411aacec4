"""which records name each file: downloads are limited to who may see one of them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachment_refs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "kind", "record_id", name=op.f("pk_attachment_refs")),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT kind, id, payload FROM records WHERE deleted = :no AND kind IN ('piece', 'letter', 'convention')"
    ), {"no": False})
    refs = set()
    for kind, record_id, payload in rows:
        p = json.loads(payload)
        shas = [p.get("sha256")] if kind != "convention" else [a.get("sha256") for a in p.get("attachments") or []]
        refs.update((sha, kind, record_id) for sha in shas if sha)
    if refs:
        op.bulk_insert(sa.table("attachment_refs", sa.column("sha256"), sa.column("kind"), sa.column("record_id")),
                       [{"sha256": s, "kind": k, "record_id": r} for s, k, r in refs])


def downgrade() -> None:
    op.drop_table("attachment_refs")
