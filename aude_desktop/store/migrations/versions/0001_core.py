"""core tables of both procedures

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("uploaded", sa.Boolean(), nullable=False),
        sa.Column("downloaded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachments")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("command", sa.String(length=60), nullable=False),
        sa.Column("entity_kind", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "commission_sessions",
        sa.Column("profession", sa.String(length=60), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("session_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_sessions")),
    )
    op.create_table(
        "companies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=True),
        sa.Column("siret", sa.String(length=14), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("siret", name=op.f("uq_companies_siret")),
    )
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_companies_siren"), ["siren"], unique=False)

    op.create_table(
        "dossiers",
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("profession", sa.String(length=60), nullable=False),
        sa.Column("specialty", sa.String(length=120), nullable=True),
        sa.Column("region", sa.String(length=3), nullable=False),
        sa.Column("acces_partiel", sa.Boolean(), nullable=False),
        sa.Column("situation", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("assigned_to", sa.String(length=80), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("complete_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossiers")),
        sa.UniqueConstraint("reference", name=op.f("uq_dossiers_reference")),
    )
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossiers_assigned_to"), ["assigned_to"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossiers_next_due_on"), ["next_due_on"], unique=False)
        batch_op.create_index("ix_dossiers_region_state", ["region", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_dossiers_state"), ["state"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("entity_kind", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason_code", sa.String(length=60), nullable=True),
        sa.Column("reason_message", sa.Text(), nullable=True),
        sa.Column("server_record", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending','applied','rejected','conflict','discarded')",
            name=op.f("ck_outbox_status"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "users",
        sa.Column("login", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=True),
        sa.Column("authority", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "role IN ('agent_dreets','ordre','ars','dgos')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_users")),
    )
    op.create_table(
        "applicants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("first_names", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("birth_place", sa.String(length=200), nullable=True),
        sa.Column("birth_country", sa.String(length=100), nullable=True),
        sa.Column("nationality", sa.String(length=100), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_applicants_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicants")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_applicants_dossier_id")),
    )
    op.create_table(
        "clock_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_clock_events_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clock_events")),
    )
    with op.batch_alter_table("clock_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clock_events_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "commission_avis",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("motifs", sa.Text(), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_commission_avis_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["commission_sessions.id"],
            name=op.f("fk_commission_avis_session_id_commission_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_avis")),
    )
    with op.batch_alter_table("commission_avis", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_avis_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "conventions",
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("authority", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("company_id", sa.String(length=36), nullable=True),
        sa.Column("object", sa.String(length=60), nullable=False),
        sa.Column("regime", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("octroi_on", sa.Date(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("signing_region", sa.String(length=3), nullable=True),
        sa.Column("assigned_to", sa.String(length=80), nullable=True),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_conventions_company_id_companies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conventions")),
        sa.UniqueConstraint("reference", name=op.f("uq_conventions_reference")),
    )
    with op.batch_alter_table("conventions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conventions_authority_state", ["authority", "state"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conventions_company_id"), ["company_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_conventions_next_due_on"), ["next_due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conventions_state"), ["state"], unique=False)

    op.create_table(
        "decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("motifs", sa.Text(), nullable=True),
        sa.Column("required_level", sa.Integer(), nullable=True),
        sa.Column("held_level", sa.Integer(), nullable=True),
        sa.Column("substantial_differences", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_decisions_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "diplomas",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("is_main", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("country", sa.String(length=100), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=True),
        sa.Column("issuing_body", sa.String(length=300), nullable=True),
        sa.Column("recognised_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_diplomas_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diplomas")),
    )
    with op.batch_alter_table("diplomas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diplomas_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "experiences",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("nature", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_experiences_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiences")),
    )
    with op.batch_alter_table("experiences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiences_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "piece_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_piece_requests_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_piece_requests")),
    )
    with op.batch_alter_table("piece_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_piece_requests_dossier_id"), ["dossier_id"], unique=False
        )

    op.create_table(
        "pieces",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_pieces_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pieces")),
    )
    with op.batch_alter_table("pieces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pieces_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "annotations",
        sa.Column("dossier_id", sa.String(length=36), nullable=True),
        sa.Column("convention_id", sa.String(length=36), nullable=True),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_annotations_convention_id_conventions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_annotations_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_annotations_convention_id"), ["convention_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_annotations_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "beneficiaries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("convention_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("quality", sa.String(length=200), nullable=True),
        sa.Column("profession", sa.String(length=60), nullable=True),
        sa.Column("rpps", sa.String(length=12), nullable=True),
        sa.Column("order_number", sa.String(length=30), nullable=True),
        sa.Column("ine", sa.String(length=11), nullable=True),
        sa.Column("school", sa.String(length=300), nullable=True),
        sa.Column("object", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_beneficiaries_convention_id_conventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_beneficiaries")),
    )
    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_beneficiaries_convention_id"), ["convention_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_beneficiaries_rpps"), ["rpps"], unique=False)

    op.create_table(
        "compensation_measures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.Column("duration_months", sa.Integer(), nullable=True),
        sa.Column("chosen_by", sa.String(length=20), nullable=True),
        sa.Column("chosen_on", sa.Date(), nullable=True),
        sa.Column("mark", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("validated", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_compensation_measures_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compensation_measures")),
    )
    with op.batch_alter_table("compensation_measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_compensation_measures_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "convention_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("convention_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("motifs", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_convention_decisions_convention_id_conventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convention_decisions")),
    )
    with op.batch_alter_table("convention_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_convention_decisions_convention_id"), ["convention_id"], unique=False
        )

    op.create_table(
        "convention_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("convention_id", sa.String(length=36), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_convention_events_convention_id_conventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convention_events")),
    )
    with op.batch_alter_table("convention_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_convention_events_convention_id"), ["convention_id"], unique=False
        )

    op.create_table(
        "letters",
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=True),
        sa.Column("convention_id", sa.String(length=36), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=80), nullable=True),
        sa.Column("replaces_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_letters_convention_id_conventions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_letters_dossier_id_dossiers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["letters.id"], name=op.f("fk_letters_replaces_id_letters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letters")),
        sa.UniqueConstraint("reference", name=op.f("uq_letters_reference")),
    )
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letters_convention_id"), ["convention_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_letters_dossier_id"), ["dossier_id"], unique=False)

    op.create_table(
        "recommandations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("convention_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_recommandations_convention_id_conventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommandations")),
    )
    with op.batch_alter_table("recommandations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommandations_convention_id"), ["convention_id"], unique=False
        )

    op.create_table(
        "avantages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("convention_id", sa.String(length=36), nullable=False),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=True),
        sa.Column("nature", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("half_days", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("nights", sa.Integer(), nullable=True),
        sa.Column("meals", sa.Integer(), nullable=True),
        sa.Column("collations", sa.Integer(), nullable=True),
        sa.Column("on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_avantages_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_avantages_convention_id_conventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_avantages")),
    )
    with op.batch_alter_table("avantages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_avantages_convention_id"), ["convention_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("avantages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_avantages_convention_id"))

    op.drop_table("avantages")
    with op.batch_alter_table("recommandations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommandations_convention_id"))

    op.drop_table("recommandations")
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letters_dossier_id"))
        batch_op.drop_index(batch_op.f("ix_letters_convention_id"))

    op.drop_table("letters")
    with op.batch_alter_table("convention_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_convention_events_convention_id"))

    op.drop_table("convention_events")
    with op.batch_alter_table("convention_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_convention_decisions_convention_id"))

    op.drop_table("convention_decisions")
    with op.batch_alter_table("compensation_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_compensation_measures_decision_id"))

    op.drop_table("compensation_measures")
    with op.batch_alter_table("beneficiaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_beneficiaries_rpps"))
        batch_op.drop_index(batch_op.f("ix_beneficiaries_convention_id"))

    op.drop_table("beneficiaries")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotations_dossier_id"))
        batch_op.drop_index(batch_op.f("ix_annotations_convention_id"))

    op.drop_table("annotations")
    with op.batch_alter_table("pieces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pieces_dossier_id"))

    op.drop_table("pieces")
    with op.batch_alter_table("piece_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_piece_requests_dossier_id"))

    op.drop_table("piece_requests")
    with op.batch_alter_table("experiences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiences_dossier_id"))

    op.drop_table("experiences")
    with op.batch_alter_table("diplomas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diplomas_dossier_id"))

    op.drop_table("diplomas")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_dossier_id"))

    op.drop_table("decisions")
    with op.batch_alter_table("conventions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conventions_state"))
        batch_op.drop_index(batch_op.f("ix_conventions_next_due_on"))
        batch_op.drop_index(batch_op.f("ix_conventions_company_id"))
        batch_op.drop_index("ix_conventions_authority_state")

    op.drop_table("conventions")
    with op.batch_alter_table("commission_avis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_avis_dossier_id"))

    op.drop_table("commission_avis")
    with op.batch_alter_table("clock_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clock_events_dossier_id"))

    op.drop_table("clock_events")
    op.drop_table("applicants")
    op.drop_table("users")
    op.drop_table("sync_state")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_entity_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("dossiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossiers_state"))
        batch_op.drop_index("ix_dossiers_region_state")
        batch_op.drop_index(batch_op.f("ix_dossiers_next_due_on"))
        batch_op.drop_index(batch_op.f("ix_dossiers_assigned_to"))

    op.drop_table("dossiers")
    with op.batch_alter_table("companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_companies_siren"))

    op.drop_table("companies")
    op.drop_table("commission_sessions")
    op.drop_table("audit_log")
    op.drop_table("attachments")
