"""records.reference: the official reference of dossiers, conventions and letters, unique per kind

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import json
import logging

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REFERENCED_KINDS = ("dossier", "convention", "letter")
log = logging.getLogger("central_api")


def upgrade() -> None:
    op.add_column("records", sa.Column("reference", sa.String(200), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT kind, id, payload FROM records WHERE kind IN ('dossier', 'convention', 'letter') ORDER BY cursor"))
    taken: set[tuple[str, str]] = set()
    values, duplicates = [], 0
    for kind, record_id, payload in rows:
        reference = (json.loads(payload) or {}).get("reference") if payload else None
        if not isinstance(reference, str) or not reference or len(reference) > 200:
            continue
        if (kind, reference) in taken:
            duplicates += 1  # the oldest keeps it; a later one is left without (counted in the log)
            continue
        taken.add((kind, reference))
        values.append({"k": kind, "i": record_id, "r": reference})
    if values:
        connection.execute(sa.text("UPDATE records SET reference = :r WHERE kind = :k AND id = :i"), values)
    if duplicates:
        log.warning("migration 0005: %d records share a reference with an older record", duplicates)
    op.create_index("uq_records_kind_reference", "records", ["kind", "reference"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_records_kind_reference", table_name="records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("reference")
