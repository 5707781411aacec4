"""Épreuve d'aptitude sessions (aude.md §6): the DREETS sets a date, an hour, a place and a capacity,
then convenes the applicants who chose (or were imposed) the épreuve. A synced record of the
agent's region (DGOS reads it); its convocations live in it, so the capacity is checked by the same
command on the client and on the server. Qt-free: the window and the CLI call these functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from aude_desktop.domain.commands import Actor, CommandRejected, command
from aude_desktop.domain.fields import date_field, text_field
from aude_desktop.dossiers.models import Dossier, EpreuveSession
from aude_desktop.rules import calendar as cal_mod
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.deadlines import compute, default_rules
from aude_desktop.rules.reference import professions, regions

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_CAPACITY = 500
EDITABLE = ("session_on", "starts_at", "address", "capacity", "bring")


def _region(actor: Actor, region: str) -> None:
    if actor.role != "agent_dreets" or actor.region != region:
        raise CommandRejected("hors_perimetre", "Une session d'épreuve se crée et se modifie dans votre région seulement.")


def _time(value) -> str:
    if not isinstance(value, str) or not TIME.match(value):
        raise CommandRejected("heure_invalide", "Heure de convocation invalide : format HH:MM attendu (ex. 09:30).")
    return value


def _capacity(value, convened: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CAPACITY:
        raise CommandRejected("capacite_invalide", f"Capacité invalide : un nombre de places entre 1 et {MAX_CAPACITY}.")
    if value < convened:
        raise CommandRejected("capacite_insuffisante", f"{convened} candidat(s) déjà convoqué(s) : la capacité ne peut pas descendre à {value}.")
    return value


def _session_day(value, today: date) -> str:
    day = date_field(value, "Date de l'épreuve", required=True)
    if date.fromisoformat(day) < today:
        raise CommandRejected("date_passee", f"La date de l'épreuve ({format_date_fr(date.fromisoformat(day))}) est passée.")
    return day


def _fields(p: dict, current: dict, today: date) -> dict:
    out = dict(current)
    if "session_on" in p:
        out["session_on"] = _session_day(p.get("session_on"), today)
    if "starts_at" in p:
        out["starts_at"] = _time(p.get("starts_at"))
    if "address" in p:
        out["address"] = text_field(p.get("address"), "Adresse de l'épreuve", required=True, limit=500)
    if "capacity" in p:
        out["capacity"] = _capacity(p.get("capacity"), len(current.get("convocations") or []))
    if "bring" in p:
        out["bring"] = text_field(p.get("bring"), "Pièces et matériel à apporter", limit=1000)
    return out


@command("epreuve.create", "epreuve_session", mode="create")
def create_session(_current, args: dict, actor: Actor) -> dict:
    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "La session à créer est absente (« payload »).")
    profession = text_field(p.get("profession"), "Profession", required=True, limit=60)
    if profession not in professions():
        raise CommandRejected("profession_inconnue", f"Profession non couverte par la procédure : « {profession} ».")
    region = text_field(p.get("region"), "Région", required=True, limit=3)
    if region not in regions():
        raise CommandRejected("region_inconnue", f"Région inconnue : « {region} ».")
    _region(actor, region)
    missing = [label for key, label in (("session_on", "date"), ("starts_at", "heure"), ("address", "adresse"),
                                        ("capacity", "capacité")) if key not in p]
    if missing:
        raise CommandRejected("champ_requis", f"Session d'épreuve : {', '.join(missing)} obligatoire(s).")
    base = {"profession": profession, "region": region, "bring": None, "cancelled": False, "convocations": []}
    return _fields({k: p[k] for k in EDITABLE if k in p}, base, date.today())


@command("epreuve.update", "epreuve_session")
def update_session(current: dict, args: dict, actor: Actor) -> dict:
    _region(actor, current["region"])
    if current.get("cancelled"):
        raise CommandRejected("session_annulee", "Cette session est annulée : elle ne se modifie plus.")
    fields = args.get("fields")
    if not isinstance(fields, dict) or not fields or set(fields) - set(EDITABLE):
        raise CommandRejected("arguments_invalides", f"Champs modifiables : {', '.join(EDITABLE)}.")
    return _fields(fields, current, date.today())


@command("epreuve.cancel", "epreuve_session")
def cancel_session(current: dict, args: dict, actor: Actor) -> dict:
    _region(actor, current["region"])
    if current.get("cancelled"):
        raise CommandRejected("session_annulee", "Cette session est déjà annulée.")
    return {**current, "cancelled": True,
            "cancel_reason": text_field(args.get("reason"), "Motif de l'annulation", limit=500)}


def measure_of(dossier: dict) -> str | None:
    """« epreuve », « stage », « au_choix » (not chosen yet) or None: what the applicant will do."""
    measures = (dossier.get("decision") or {}).get("measures") or {}
    kind = measures.get("kind")
    if kind == "au_choix":
        return measures.get("chosen") or "au_choix"
    if kind == "epreuve_et_stage":
        return "epreuve"
    return kind


def convocation_refusal(session: dict, dossier: dict | None, dossier_id: str, today: date) -> str | None:
    """Why this applicant cannot be convened to this session (French), or None."""
    if session.get("cancelled"):
        return "Cette session est annulée."
    if dossier is None:
        return "Dossier introuvable : il n'est pas sur ce poste ou relève d'une autre région."
    if dossier.get("region") != session.get("region"):
        return "Ce dossier relève d'une autre région que la session."
    if dossier.get("profession") != session.get("profession"):
        label = professions().get(session.get("profession"))
        return f"Cette session examine la profession « {label.label if label else session.get('profession')} », pas celle du dossier."
    if dossier.get("state") != "mesures_compensation":
        return "Seul un dossier soumis à des mesures de compensation est convoqué à l'épreuve."
    measure = measure_of(dossier)
    if measure == "stage":
        return "Le demandeur accomplit un stage d'adaptation : il n'est pas convoqué à l'épreuve d'aptitude."
    if measure == "au_choix":
        return "Le demandeur n'a pas encore choisi entre l'épreuve et le stage : attendez son choix."
    if measure != "epreuve":
        return "La décision ne prévoit pas d'épreuve d'aptitude pour ce dossier."
    if any(c.get("dossier_id") == dossier_id for c in session.get("convocations") or []):
        return "Ce demandeur est déjà convoqué à cette session."
    if len(session.get("convocations") or []) >= session.get("capacity", 0):
        return f"Session complète : {session.get('capacity')} place(s), toutes attribuées."
    notice = compute(default_rules(), "aude.convocation_notice", today, cal_mod.calendar_for_region(session["region"])).due
    day = date.fromisoformat(session["session_on"])
    if day < notice:
        return (f"La convocation doit partir au moins un mois avant l'épreuve (au plus tard le {format_date_fr(notice)} "
                f"pour une épreuve le {format_date_fr(day)}) : choisissez une session plus lointaine.")
    return None


def _dossier_of(args: dict) -> tuple[str, str] | None:
    dossier_id = args.get("dossier_id")
    return ("dossier", dossier_id) if isinstance(dossier_id, str) else None


@command("epreuve.convoke", "epreuve_session", related=_dossier_of)
def convoke(current: dict, args: dict, actor: Actor, dossier: dict | None) -> dict:
    from aude_desktop.letters.notification import uuid_arg

    _region(actor, current["region"])
    dossier_id = uuid_arg(args.get("dossier_id"), "Dossier")
    today = date.today()
    why = convocation_refusal(current, dossier, dossier_id, today)
    if why:
        raise CommandRejected("convocation_refusee", why)
    return {**current, "convocations": [*(current.get("convocations") or []),
                                        {"dossier_id": dossier_id, "convened_on": today.isoformat()}]}


# -- queries (window, CLI, letters) ----------------------------------------------------------


@dataclass(frozen=True)
class SessionLine:
    id: str
    label: str
    session_on: date
    starts_at: str
    address: str
    capacity: int
    convened: int
    cancelled: bool


def session_label(row: EpreuveSession) -> str:
    profession = professions().get(row.profession)
    state = " — annulée" if row.cancelled else ""
    from aude_desktop.letters.compose import hour_fr

    return (f"{format_date_fr(row.session_on)} à {hour_fr(row.starts_at)} · "
            f"{profession.label if profession else row.profession}{state}")


def sessions(s: Session, region: str | None = None) -> list[SessionLine]:
    query = select(EpreuveSession).order_by(EpreuveSession.session_on, EpreuveSession.starts_at)
    if region:
        query = query.where(EpreuveSession.region == region)
    return [SessionLine(r.id, session_label(r), r.session_on, r.starts_at, r.address, r.capacity, len(r.convocations or []),
                        r.cancelled) for r in s.scalars(query)]


def candidates(s: Session, session_id: str) -> list[tuple[str, str]]:
    """(dossier id, « AUDE-… — NOM Prénom ») of the dossiers this session could convene: same
    profession and region, compensation measures, épreuve chosen or imposed, not yet convened."""
    from aude_desktop.sync.materialize import dump_dossier, dump_epreuve_session

    session = dump_epreuve_session(s, session_id)
    if session is None:
        return []
    convened = {c["dossier_id"] for c in session["convocations"]}
    out = []
    ids = s.scalars(select(Dossier.id).where(Dossier.region == session["region"], Dossier.profession == session["profession"],
                                             Dossier.state == "mesures_compensation").order_by(Dossier.reference))
    for dossier_id in ids:
        payload = dump_dossier(s, dossier_id)
        if dossier_id in convened or measure_of(payload) != "epreuve":
            continue
        applicant = payload.get("applicant") or {}
        out.append((dossier_id, f"{payload['reference']} — {(applicant.get('last_name') or '').upper()} {applicant.get('first_names') or ''}".strip()))
    return out


def session_of_dossier(s: Session, dossier_id: str) -> dict | None:
    """The live session this dossier is convened to (the latest one), as its payload with its id."""
    from aude_desktop.sync.materialize import dump_epreuve_session

    found = None
    for row in s.scalars(select(EpreuveSession).where(EpreuveSession.cancelled.is_(False)).order_by(EpreuveSession.session_on)):
        if any(c.get("dossier_id") == dossier_id for c in row.convocations or []):
            found = {**dump_epreuve_session(s, row.id), "id": row.id}
    return found
