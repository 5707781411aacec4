"""Local tables of the AUDE procedure (aude.md): dossier, applicant, diplomas, pièces, clock…"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aude_desktop.store.base import DUE_ORDER, Base, SyncedMixin, new_id, utcnow


def _fk_dossier() -> Mapped[str]:
    return mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)


class Dossier(SyncedMixin, Base):
    __tablename__ = "dossiers"

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    profession: Mapped[str] = mapped_column(String(60))
    specialty: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(3))
    acces_partiel: Mapped[bool] = mapped_column(default=False)
    situation: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(30))
    assigned_to: Mapped[str | None] = mapped_column(String(80))
    received_on: Mapped[date]
    acknowledged_on: Mapped[date | None]
    complete_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    # Next legal date, denormalised by the legal clock so the queue can sort on it in SQL.
    # (no index of its own: ix_dossiers_due_order starts with it)
    next_due_on: Mapped[date | None]
    # The rowid of this dossier's document in search_index (store.search.document_rowid).
    search_rowid: Mapped[int | None] = mapped_column(BigInteger, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Payload keys this version does not map to columns, kept so a newer server's data survives a
    # round trip through an older client.
    extra: Mapped[dict | None] = mapped_column(JSON)

    applicant: Mapped[Applicant] = relationship(back_populates="dossier", uselist=False, cascade="all, delete-orphan")
    diplomas: Mapped[list[Diploma]] = relationship(cascade="all, delete-orphan")
    pieces: Mapped[list[Piece]] = relationship(cascade="all, delete-orphan")
    piece_requests: Mapped[list[PieceRequest]] = relationship(cascade="all, delete-orphan")
    avis: Mapped[list[CommissionAvis]] = relationship(cascade="all, delete-orphan")
    decisions: Mapped[list[Decision]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_dossiers_region_state", "region", "state"),
        # The queue's default order (dated files first, soonest first): lets SQLite read the first
        # page from the index instead of sorting every dossier.
        # search_rowid last: a search for a common word walks this index alone to fill a page.
        Index("ix_dossiers_due_order", *DUE_ORDER, "search_rowid"),
        # One filter (a state, a profession, « Mes dossiers ») then the default order: a page is read
        # straight from the index, even for the 17,000 closed files at the end of the order.
        *(Index(f"ix_dossiers_{column}_order", column, *DUE_ORDER) for column in ("state", "profession", "assigned_to")),
    )


class DossierLists(Base):
    """A dossier's lists nothing queries item by item, as the payload's JSON: one row per dossier
    instead of one per item (a national first sync wrote 400,000 such rows, migration 0012), and
    beside the dossier row rather than in it, so the scans of supervision stay narrow."""

    __tablename__ = "dossier_lists"

    # An increasing rowid: a first sync appends these rows instead of splitting pages all over.
    rowid: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    experiences: Mapped[list] = mapped_column(JSON)
    clock_events: Mapped[list] = mapped_column(JSON)


class Applicant(Base):
    __tablename__ = "applicants"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    last_name: Mapped[str] = mapped_column(String(200))
    first_names: Mapped[str] = mapped_column(String(200))
    usage_name: Mapped[str | None] = mapped_column(String(200))  # nom d'usage, beside the birth name
    birth_date: Mapped[date | None] = mapped_column(index=True)  # duplicates are looked up by birth date
    birth_place: Mapped[str | None] = mapped_column(String(200))
    birth_country: Mapped[str | None] = mapped_column(String(100))
    nationality: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str | None] = mapped_column(String(1))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))

    dossier: Mapped[Dossier] = relationship(back_populates="applicant")


class Diploma(Base):
    __tablename__ = "diplomas"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = _fk_dossier()
    is_main: Mapped[bool] = mapped_column(default=True)
    title: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(100))
    obtained_on: Mapped[date | None]
    issuing_body: Mapped[str | None] = mapped_column(String(300))
    recognised_on: Mapped[date | None]


class Piece(SyncedMixin, Base):
    """One item a–i of the checklist (arrêté of 20 January 2010), with its status and scan."""

    __tablename__ = "pieces"

    dossier_id: Mapped[str] = _fk_dossier()
    code: Mapped[str] = mapped_column(String(2))
    label: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30))  # recu, manquant, non_conforme, traduction_requise
    received_on: Mapped[date | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)


class PieceRequest(Base):
    """A request for missing pièces: first-class because it stops the decision clock."""

    __tablename__ = "piece_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = _fk_dossier()
    reason: Mapped[str] = mapped_column(Text)
    sent_on: Mapped[date]
    resolved_on: Mapped[date | None]


class CommissionSession(SyncedMixin, Base):
    __tablename__ = "commission_sessions"

    profession: Mapped[str] = mapped_column(String(60))
    region: Mapped[str] = mapped_column(String(3))
    session_on: Mapped[date]
    place: Mapped[str | None] = mapped_column(String(300))


class EpreuveSession(SyncedMixin, Base):
    """A session of the épreuve d'aptitude a DREETS organises (aude.md §6); the applicants convened
    to it are listed in the record itself, so its capacity is checked in one place."""

    __tablename__ = "epreuve_sessions"

    profession: Mapped[str] = mapped_column(String(60))
    region: Mapped[str] = mapped_column(String(3), index=True)
    session_on: Mapped[date]
    starts_at: Mapped[str] = mapped_column(String(5))  # « 09:30 »
    address: Mapped[str] = mapped_column(Text)
    capacity: Mapped[int] = mapped_column(Integer)
    bring: Mapped[str | None] = mapped_column(Text)  # what the applicant brings (printed on the convocation)
    cancelled: Mapped[bool] = mapped_column(default=False)
    convocations: Mapped[list] = mapped_column(JSON, default=list)  # [{dossier_id, convened_on}]


class CommissionAvis(Base):
    __tablename__ = "commission_avis"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = _fk_dossier()
    session_id: Mapped[str | None] = mapped_column(ForeignKey("commission_sessions.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))  # favorable, complement, irrecevable, mesures
    motifs: Mapped[str | None] = mapped_column(Text)
    given_on: Mapped[date]


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    dossier_id: Mapped[str] = _fk_dossier()
    kind: Mapped[str] = mapped_column(String(40))  # autorisation, mesures_compensation, refus, irrecevabilite
    decided_on: Mapped[date]
    motifs: Mapped[str | None] = mapped_column(Text)
    required_level: Mapped[int | None]
    held_level: Mapped[int | None]
    substantial_differences: Mapped[str | None] = mapped_column(Text)

    measures: Mapped[list[CompensationMeasure]] = relationship(cascade="all, delete-orphan")


class CompensationMeasure(Base):
    __tablename__ = "compensation_measures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # epreuve, stage
    subjects: Mapped[str] = mapped_column(Text)
    duration_months: Mapped[int | None]
    chosen_by: Mapped[str | None] = mapped_column(String(20))  # applicant, authority
    chosen_on: Mapped[date | None]
    mark: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    validated: Mapped[bool | None]
