"""Company channel: records.company (the SIREN a convention or its letters concern), mandates of
consulting firms, the files of the CNOM feed

Revision ID: 0013
Revises: 0004
Create Date: 2026-11-26
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("company", sa.String(9), nullable=True))
    op.create_index("ix_records_company_cursor", "records", ["company", "cursor"])
    _backfill()
    op.create_table(
        "mandates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("mandataire_siren", sa.String(9), nullable=False),
        sa.Column("client_siren", sa.String(9), nullable=False),
        sa.Column("client_name", sa.String(300), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandates")),
    )
    op.create_index(op.f("ix_mandates_mandataire_siren"), "mandates", ["mandataire_siren"])
    op.create_table(
        "cnom_files",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cnom_files")),
    )


def _backfill() -> None:
    """Conventions filed before the column existed get their company; their letters follow."""
    conn = op.get_bind()
    records = sa.table("records", sa.column("kind"), sa.column("id"), sa.column("company"), sa.column("payload"),
                       sa.column("deleted"))
    sirens = {}
    for record_id, payload in conn.execute(sa.select(records.c.id, records.c.payload)
                                           .where(records.c.kind == "convention", records.c.deleted.is_(False))):
        p = json.loads(payload)
        if not p.get("read_only") and (p.get("company") or {}).get("siren"):
            sirens[record_id] = p["company"]["siren"]
    letters = {}
    for record_id, payload in conn.execute(sa.select(records.c.id, records.c.payload)
                                           .where(records.c.kind == "letter", records.c.deleted.is_(False))):
        siren = sirens.get(json.loads(payload).get("convention_id"))
        if siren:
            letters[record_id] = siren
    for kind, found in (("convention", sirens), ("letter", letters)):
        if found:
            conn.execute(sa.update(records).where(records.c.kind == kind, records.c.id == sa.bindparam("b_id"))
                         .values(company=sa.bindparam("b_company")),
                         [{"b_id": i, "b_company": siren} for i, siren in found.items()])


def downgrade() -> None:
    op.drop_table("cnom_files")
    op.drop_index(op.f("ix_mandates_mandataire_siren"), table_name="mandates")
    op.drop_table("mandates")
    op.drop_index("ix_records_company_cursor", table_name="records")
    op.drop_column("records", "company")
