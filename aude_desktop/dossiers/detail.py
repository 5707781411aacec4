"""Everything the dossier view shows, read from the local store in one go (Qt-free).

The view never touches ORM objects: it gets this plain snapshot, so it can be rebuilt after any
command or sync without stale lazy loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aude_desktop.dossiers import lps, partial_access, screening, workflow
from aude_desktop.dossiers.models import Dossier, Piece
from aude_desktop.dossiers.registration import registration_sent_line
from aude_desktop.dossiers.states import (
    CLOSED_STATES,
    MOVABLE_STATES,
    SITUATION_LABELS,
    STATE_LABELS,
    DossierState,
    Situation,
)
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.deadlines import Clock, ClockInputError, aude_clock
from aude_desktop.rules.pieces import expected_items
from aude_desktop.rules.reference import professions, regions
from aude_desktop.store.models import Annotation, OutboxEntry
from aude_desktop.sync.materialize import dump_dossier

PIECE_STATUS_LABELS = {
    "recu": "Reçue",
    "manquant": "Manquante",
    "non_conforme": "Non conforme",
    "traduction_requise": "Traduction requise",
    None: "Non reçue",
}
EVENT_LABELS = {
    "receipt": "Réception du dossier",
    "acknowledged": "Accusé de réception",
    "pieces_requested": "Demande de pièces",
    "pieces_received": "Pièces reçues",
    "complete": "Dossier complet",
    "commission": "Inscription en commission",
    "avis": "Avis",
    "proposition": "Proposition de décision",
    "decision": "Décision",
    "measure_chosen": "Choix de la mesure",
    "epreuve_passed": "Épreuve d’aptitude réussie",
    "epreuve_failed": "Épreuve d’aptitude non réussie",
    "stage_validated": "Stage d’adaptation validé",
    "stage_failed": "Stage d’adaptation non validé",
    "closed": "Clôture",
    "avis_requested": "Avis demandé (accès partiel)",
    "avis_given": "Avis rendu (accès partiel)",
}
AVIS_LABELS = {
    "favorable": "Favorable",
    "mesures_compensation": "Mesures de compensation",
    "defavorable": "Défavorable",
    "irrecevable": "Irrecevable",
    "complement": "Complément d’information demandé",
}
DECISION_LABELS = {
    "autorisation": "Autorisation d’exercice",
    "mesures_compensation": "Mesures de compensation",
    "refus": "Refus",
    "irrecevabilite": "Irrecevabilité",
    "acces_partiel": "Accès partiel",
}
APPLICANT_LABELS = (
    ("sex", "Civilité"), ("last_name", "Nom"), ("first_names", "Prénoms"), ("birth_date", "Né(e) le"), ("birth_place", "Lieu de naissance"),
    ("birth_country", "Pays de naissance"), ("nationality", "Nationalité"), ("email", "Courriel"), ("phone", "Téléphone"),
    ("address", "Adresse"), ("postal_code", "Code postal"), ("city", "Ville"), ("country", "Pays"),
)
DIPLOMA_LABELS = (
    ("title", "Titre"), ("country", "Pays"), ("obtained_on", "Obtenu le"), ("issuing_body", "Délivré par"),
    ("recognised_on", "Reconnu le"),
)


@dataclass(frozen=True)
class ChecklistLine:
    code: str
    label: str
    status: str | None  # recu, manquant, non_conforme, traduction_requise, or None (nothing recorded)
    status_label: str
    received_on: date | None
    filename: str | None
    sha256: str | None
    piece_id: str | None
    translation_required: bool


@dataclass(frozen=True)
class Milestone:
    on: date
    label: str
    note: str


@dataclass
class DossierDetail:
    id: str
    reference: str
    state: str
    state_label: str
    profession: str
    profession_label: str
    region_label: str
    situation_label: str
    assigned_to: str
    received_on: date
    payload: dict
    applicant: list[tuple[str, str]]
    diploma: list[tuple[str, str]]
    experiences: list[str]
    checklist: list[ChecklistLine]
    milestones: list[Milestone]
    clock: Clock | None
    clock_error: str
    avis: str
    decision: str
    piece_requests: list[tuple[date, str, date | None]]  # sent on, what and why, resolved on
    annotation_id: str | None
    annotation: str
    actions: list[str] = field(default_factory=list)
    unsent: int = 0
    proposal: str = ""  # « hors champ — reconnaissance automatique » proposed (or recorded) for this request
    avis_partiel: list[str] = field(default_factory=list)  # accès partiel: each body's opinion, requested/expected/given

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES


CIVILITES = {"F": "Madame", "M": "Monsieur"}


def _shown(key: str, value) -> str:
    """Civilité in words (letters need it: « non renseignée » says why one is refused), a country by its name
    from the rules' country table (an ISO code or a name)."""
    if key == "sex":
        return CIVILITES.get(value, "non renseignée (nécessaire aux courriers)")
    if key in ("country", "birth_country", "nationality") and value:
        from aude_desktop.rules.countries import find

        found = find(str(value))
        return found.name if found else str(value)
    return _text(value)


def _text(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        return format_date_fr(date.fromisoformat(value)) if isinstance(value, str) and len(value) == 10 and value[4] == "-" else str(value)
    except ValueError:
        return str(value)


def checklist(situation: str, pieces: list[Piece]) -> list[ChecklistLine]:
    by_code = {p.code: p for p in pieces}
    lines = []
    codes = []
    for item in expected_items(situation):
        codes.append(item["code"])
        lines.append(_line(item["code"], item["label"], by_code.get(item["code"]), item.get("translation", False)))
    for code, piece in sorted(by_code.items()):  # pièces filed beyond what the situation requires
        if code not in codes:
            lines.append(_line(code, piece.label, piece, False))
    return lines


def _line(code: str, label: str, piece: Piece | None, translation: bool) -> ChecklistLine:
    status = piece.status if piece else None
    return ChecklistLine(code, label, status, PIECE_STATUS_LABELS.get(status, status or "—"),
                         piece.received_on if piece else None, piece.filename if piece else None,
                         piece.sha256 if piece else None, piece.id if piece else None, translation)


def load(session: Session, dossier_id: str, login: str, today: date) -> DossierDetail | None:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        return None
    p = dump_dossier(session, dossier_id)
    profession = professions().get(dossier.profession)
    region = regions().get(dossier.region)
    declaration = lps.is_lps(p)  # a libre prestation de services declaration: its own states, clock and steps
    try:
        clock = lps.clock(p, today) if declaration else aude_clock(p.get("clock_events") or [], dossier.profession, dossier.region, today)
        clock_error = ""
    except ClockInputError as exc:
        clock, clock_error = None, str(exc)
    pieces = list(session.scalars(select(Piece).where(Piece.dossier_id == dossier_id)))
    annotation = session.scalars(
        select(Annotation).where(Annotation.dossier_id == dossier_id, Annotation.author == login)
    ).first()
    unsent = session.scalar(select(func.count()).select_from(OutboxEntry).where(
        OutboxEntry.entity_id == dossier_id, OutboxEntry.status == "pending"))
    state = DossierState(dossier.state) if dossier.state in DossierState._value2member_map_ else None
    situation = Situation(dossier.situation) if dossier.situation in Situation._value2member_map_ else None
    applicant = p.get("applicant") or {}
    diploma = p.get("diploma") or {}
    if declaration:
        state_label, situation_label = lps.state_label(dossier.state) or dossier.state, lps.SITUATION_LABEL
        lines = [_line(i["code"], i["label"], next((x for x in pieces if x.code == i["code"]), None), False) for i in lps.checklist_items()]
        actions = lps.available(p) + (["dossier.move_region"] if p.get("state") in lps.LPS_MOVABLE else [])
        decision = lps.outcome_text(p)
    else:
        state_label = STATE_LABELS.get(state, dossier.state) if state else dossier.state
        situation_label = SITUATION_LABELS.get(situation, dossier.situation) if situation else dossier.situation
        lines = checklist(dossier.situation, pieces)
        actions = (workflow.available(p) + (["dossier.move_region"] if p.get("state") in MOVABLE_STATES else [])) if state else []
        decision = _proposition_text(p.get("proposition")) + _decision_text(p.get("decision"))
    return DossierDetail(
        id=dossier.id,
        reference=dossier.reference,
        state=dossier.state,
        state_label=state_label,
        profession=dossier.profession,
        profession_label=(profession.label if profession else dossier.profession)
        + (f" — {dossier.specialty}" if dossier.specialty else "") + (" (accès partiel)" if dossier.acces_partiel else ""),
        region_label=region.label if region else dossier.region,
        situation_label=situation_label,
        assigned_to=dossier.assigned_to or "",
        received_on=dossier.received_on,
        payload=p,
        applicant=[(label, _shown(key, applicant.get(key))) for key, label in APPLICANT_LABELS],
        diploma=[(label, _shown(key, diploma.get(key))) for key, label in DIPLOMA_LABELS],
        experiences=[
            f"{e.get('nature') or '—'} — {e.get('place') or ''} ({e.get('country') or '?'}), "
            f"{_text(e.get('start'))} → {_text(e.get('end'))}"
            for e in p.get("experiences") or []
        ],
        checklist=lines,
        milestones=[
            Milestone(date.fromisoformat(e["on"]), (lps.EVENT_LABELS if declaration else EVENT_LABELS).get(e["kind"], e["kind"]),
                      _event_note(e))
            for e in p.get("clock_events") or []
        ],
        clock=clock,
        clock_error=clock_error,
        avis=_avis_text(p.get("avis")),
        decision=decision + _registration_text(p),
        piece_requests=piece_requests(p.get("clock_events") or []),
        annotation_id=annotation.id if annotation else None,
        annotation=annotation.text if annotation else "",
        actions=actions,
        unsent=unsent,
        proposal=_proposal(p),
        avis_partiel=partial_access.summary(p),
    )


def _proposal(p: dict) -> str:
    out = p.get("out_of_scope")
    if out:
        return (f"Clos hors champ le {_text(out.get('on'))} — reconnaissance automatique "
                f"({'droits acquis' if out.get('basis') == 'droits_acquis' else 'titre de l’annexe V, point 5.2.2'}) : "
                "le demandeur est orienté vers l’ordre.")
    found = screening.screen_payload(p) if screening.proposes(p) else None
    return f"Proposition : {found.message}" if found else ""


def _event_note(event: dict) -> str:
    note = event.get("note") or ""
    return AVIS_LABELS.get(note) or DECISION_LABELS.get(note) or lps.OUTCOME_LABELS.get(note) or {"epreuve": "épreuve d’aptitude", "stage": "stage d’adaptation"}.get(note, note)


def piece_requests(events: list[dict]) -> list[tuple[date, str, date | None]]:
    """Each request for pièces (it suspends the decision clock), with the day it was resolved."""
    requests: list[list] = []
    for e in sorted(events, key=lambda e: e["on"]):
        if e["kind"] == "pieces_requested":
            requests.append([date.fromisoformat(e["on"]), e.get("note") or "", None])
        elif e["kind"] == "pieces_received":
            for request in requests:
                if request[2] is None:
                    request[2] = date.fromisoformat(e["on"])
    return [tuple(r) for r in requests]


def _proposition_text(proposition: dict | None) -> str:
    if not proposition:
        return ""
    return (f"Proposition : {DECISION_LABELS.get(proposition.get('kind'), proposition.get('kind'))} — "
            f"du {_text(proposition.get('on'))}\n")


def _avis_text(avis: dict | None) -> str:
    if not avis:
        return "Aucun avis enregistré."
    text = f"{AVIS_LABELS.get(avis.get('kind'), avis.get('kind'))} — rendu le {_text(avis.get('on'))}"
    return text + (f"\nMotifs : {avis['motifs']}" if avis.get("motifs") else "")


def _registration_text(payload: dict) -> str:
    line = registration_sent_line(payload)
    return f"\n{line}" if line else ""


def _decision_text(decision: dict | None) -> str:
    if not decision:
        return "Aucune décision."
    text = f"{DECISION_LABELS.get(decision.get('kind'), decision.get('kind'))} — du {_text(decision.get('decided_on'))}"
    if decision.get("motifs"):
        text += f"\nMotifs : {decision['motifs']}"
    if decision.get("activities"):
        text += "\nActivités autorisées : " + " ; ".join(decision["activities"])
    if decision.get("title"):
        text += f"\nTitre professionnel : {decision['title']}"
    measures = decision.get("measures")
    if measures:
        kind = {"epreuve": "épreuve d’aptitude", "stage": "stage d’adaptation", "au_choix": "au choix du demandeur",
                "epreuve_et_stage": "épreuve et stage"}.get(measures.get("kind"), measures.get("kind"))
        text += f"\nMesure : {kind} ; matières : {', '.join(measures.get('subjects') or [])}"
        if measures.get("chosen"):
            text += f" ; choix du demandeur : {'stage' if measures['chosen'] == 'stage' else 'épreuve'}"
    return text
