"""Commission sessions (CRAE): one per profession and region and date; the agenda is the dossiers
scheduled on it. Qt-free: the views and the bulk actions use these queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aude_desktop.domain.commands import CommandRejected
from aude_desktop.dossiers.models import CommissionSession, Dossier
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.reference import professions


def session_label(cs: CommissionSession) -> str:
    profession = professions().get(cs.profession)
    where = f" — {cs.place}" if cs.place else ""
    return f"{format_date_fr(cs.session_on)} · {profession.label if profession else cs.profession}{where}"


def upcoming_choices(s: Session, profession: str | None, today: date) -> list[tuple[str, str]]:
    """Sessions from today on (of one profession, or all), soonest first, as (id, label)."""
    query = select(CommissionSession).where(CommissionSession.session_on >= today)
    if profession:
        query = query.where(CommissionSession.profession == profession)
    return [(cs.id, session_label(cs)) for cs in s.scalars(query.order_by(CommissionSession.session_on))]


def session_args(s: Session, session_id: str | None) -> dict:
    """The arguments dossier.schedule_commission needs from the chosen session."""
    cs = s.get(CommissionSession, session_id) if session_id else None
    if cs is None:
        raise CommandRejected("seance_introuvable", "Choisissez une séance de la commission (créez-la d’abord si besoin).")
    return {"session_id": cs.id, "session_on": cs.session_on.isoformat()}


def check_profession(s: Session, session_id: str, dossier_id: str) -> None:
    cs, dossier = s.get(CommissionSession, session_id), s.get(Dossier, dossier_id)
    if cs is not None and dossier is not None and cs.profession != dossier.profession:
        label = professions()[cs.profession].label if cs.profession in professions() else cs.profession
        raise CommandRejected("profession_differente", f"Cette séance examine la profession « {label} », pas celle du dossier.")


def agenda(s: Session, session_id: str) -> list[str]:
    """Ids of the dossiers scheduled on a session, by reference."""
    return list(s.scalars(
        select(Dossier.id).where(func.json_extract(Dossier.extra, "$.commission.session_id") == session_id)
        .order_by(Dossier.reference)
    ))
