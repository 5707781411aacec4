"""Annotations carry the scope columns of the record they are written on (region or authority),
besides their author: a note is seen by its author only on a record the author sees.

Revision ID: 0019
Revises: 0014
Create Date: 2026-11-26
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None

# Frozen here as they were at this revision (a migration never follows later code).
PARENT_KEYS = (("dossier_id", "dossier"), ("convention_id", "convention"))
records = sa.table("records", sa.column("kind", sa.String), sa.column("id", sa.String), sa.column("payload", sa.Text),
                   sa.column("region", sa.String), sa.column("authority", sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    notes = conn.execute(sa.select(records.c.id, records.c.payload).where(records.c.kind == "annotation")).all()
    for note in notes:
        payload = json.loads(note.payload)
        parent = next(((kind, payload[key]) for key, kind in PARENT_KEYS if isinstance(payload.get(key), str)), None)
        row = parent and conn.execute(sa.select(records.c.region, records.c.authority).where(
            records.c.kind == parent[0], records.c.id == parent[1])).first()
        conn.execute(sa.update(records).where(records.c.kind == "annotation", records.c.id == note.id).values(
            region=row.region if row else None, authority=row.authority if row else None))


def downgrade() -> None:
    op.execute(sa.update(records).where(records.c.kind == "annotation").values(region=None, authority=None))
