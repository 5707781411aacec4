"""Local tables of the EPS procedure (eps.md): convention, company, beneficiaries, avantages…"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aude_desktop.store.base import DUE_ORDER, Base, SyncedMixin, new_id, utcnow


def _fk_convention() -> Mapped[str]:
    return mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"), index=True)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(300))
    siren: Mapped[str | None] = mapped_column(String(9), index=True)
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    address: Mapped[str | None] = mapped_column(Text)


class Convention(SyncedMixin, Base):
    __tablename__ = "conventions"

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    authority: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="eps")  # eps, cnom_import
    read_only: Mapped[bool] = mapped_column(default=False)
    company_id: Mapped[str | None] = mapped_column(ForeignKey("companies.id"))
    object: Mapped[str] = mapped_column(String(60))
    regime: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(30))
    urgent: Mapped[bool] = mapped_column(default=False)
    filed_on: Mapped[date] = mapped_column(index=True)  # supervision's monthly inflow reads this index alone
    octroi_on: Mapped[date | None]
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    signing_region: Mapped[str | None] = mapped_column(String(3))
    assigned_to: Mapped[str | None] = mapped_column(String(80))
    next_due_on: Mapped[date | None]  # indexed as the first column of ix_conventions_due_order
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    extra: Mapped[dict | None] = mapped_column(JSON)  # unmapped payload keys (see Dossier.extra)
    search_rowid: Mapped[int | None] = mapped_column(BigInteger, index=True)  # see Dossier.search_rowid
    # The express decision's date (also in the payload): supervision's processing times read a column.
    decided_on: Mapped[date | None]

    company: Mapped[Company | None] = relationship()
    events: Mapped[list[ConventionEvent]] = relationship(cascade="all, delete-orphan", order_by="ConventionEvent.on")
    decisions: Mapped[list[ConventionDecision]] = relationship(cascade="all, delete-orphan")
    recommandations: Mapped[list[Recommandation]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_conventions_authority_state", "authority", "state"),
        # The queue's default order and its one-filter variants (same reasoning as the dossiers').
        Index("ix_conventions_due_order", *DUE_ORDER, "search_rowid"),
        *(Index(f"ix_conventions_{column}_order", column, *DUE_ORDER) for column in ("state", "regime")),
        # Latest dates first (nulls still last) without sorting 150,000 rows.
        Index("ix_conventions_due_order_desc", text("(next_due_on IS NULL)"), text("next_due_on DESC"), text("reference DESC")),
    )


class ConventionLists(Base):
    """A convention's beneficiaries and avantages as the payload's JSON lists (see DossierLists): the
    classification and the views read them whole; a convention is two rows, not twenty."""

    __tablename__ = "convention_lists"

    rowid: Mapped[int] = mapped_column(Integer, primary_key=True)
    convention_id: Mapped[str] = mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"), unique=True)
    beneficiaries: Mapped[list] = mapped_column(JSON)
    avantages: Mapped[list] = mapped_column(JSON)


class ConventionEvent(Base):
    __tablename__ = "convention_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    convention_id: Mapped[str] = _fk_convention()
    on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)


class ConventionDecision(Base):
    __tablename__ = "convention_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    convention_id: Mapped[str] = _fk_convention()
    kind: Mapped[str] = mapped_column(String(40))  # autorisation, refus, incomplet, urgence_non_justifiee
    decided_on: Mapped[date]
    motifs: Mapped[str | None] = mapped_column(Text)


class Recommandation(Base):
    __tablename__ = "recommandations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    convention_id: Mapped[str] = _fk_convention()
    topic: Mapped[str] = mapped_column(String(40))  # definition, montant, contenu
    text: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date | None]


class TransparenceStatus(SyncedMixin, Base):
    """A convention compared with Transparence Santé (server's import); id = the convention's id."""

    __tablename__ = "transparence_status"

    status: Mapped[str] = mapped_column(String(20))  # declaree, absente, ambigue, partielle, montant_different
    label: Mapped[str] = mapped_column(String(200))
    lines: Mapped[list[str]] = mapped_column(JSON, default=list)  # the published lines it matched


class TransparenceCompany(SyncedMixin, Base):
    """Supervision's table: one company's discrepancies between EPS and Transparence Santé."""

    __tablename__ = "transparence_companies"

    siren: Mapped[str | None] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(300))
    conventions: Mapped[int] = mapped_column(Integer, default=0)
    filed_not_published: Mapped[int] = mapped_column(Integer, default=0)
    published_never_filed: Mapped[int] = mapped_column(Integer, default=0)
    amount_differs: Mapped[int] = mapped_column(Integer, default=0)
    ambiguous: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
