"""The AUDE dossier lifecycle as a state machine with guarded transitions (aude.md §5-6).

Each transition is a pure function `(payload, args) -> new payload` raising `TransitionRefused`
with a French message that says what is wrong and how to fix it. The same functions run on the
client (offline, immediately) and on the server (authoritative re-check), through the command
registry. Nothing is saved half-way: a refused transition returns nothing and changes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from aude_desktop.domain.workflows import (
    TransitionRefused,
    TransitionRegistry,
    number_arg,
    text_arg,
    texts_arg,
)
from aude_desktop.domain.workflows import date_arg as _date
from aude_desktop.domain.workflows import not_before as _not_before
from aude_desktop.dossiers import partial_access, screening
from aude_desktop.dossiers.states import STATE_LABELS, DossierState
from aude_desktop.paths import resources_dir
from aude_desktop.rules.reference import professions

S = DossierState


def _state(payload: dict) -> DossierState:
    return DossierState(payload["state"])


def _is_ass(payload: dict) -> bool:
    return not professions()[payload["profession"]].has_commission


def _event(payload: dict, day: date, kind: str, note: str | None = None) -> None:
    payload.setdefault("clock_events", []).append({"on": day.isoformat(), "kind": kind, "note": note})


def _last_event(payload: dict, kinds: set[str]) -> str | None:
    dates = [e["on"] for e in payload.get("clock_events", []) if e["kind"] in kinds]
    return max(dates) if dates else None


_registry = TransitionRegistry(_state, STATE_LABELS, "le dossier", "un dossier")
TRANSITIONS = _registry.transitions
APPLIES = _registry.applies  # beyond the state: whether a step concerns this record at all
transition = _registry.transition


def apply(name: str, payload: dict, args: dict) -> dict:
    return _registry.apply(name, payload, args)


def available(payload: dict) -> list[str]:
    """Transitions whose guards allow them now (the UI shows only these)."""
    return _registry.available(payload)


@transition("dossier.acknowledge", S.RECU)
def acknowledge(p: dict, args: dict) -> dict:
    """Accusé de réception (CRPA L.112-3): complete, or listing the missing pièces."""
    day = _date(args, "on", "Date de l'accusé de réception")
    _not_before(day, p["received_on"], "L'accusé de réception", "la réception du dossier")
    missing = texts_arg(args, "missing", "Pièces manquantes")
    p["acknowledged_on"] = day.isoformat()
    _event(p, day, "acknowledged")
    if missing:
        p["state"] = S.INCOMPLET
        _event(p, day, "pieces_requested", ", ".join(missing))
    else:
        p["state"] = S.COMPLET
        p["complete_on"] = day.isoformat()
        _event(p, day, "complete")
    return p


@transition("dossier.request_pieces", S.COMPLET, S.AVIS_RENDU)
def request_pieces(p: dict, args: dict) -> dict:
    """A request for missing pièces suspends the decision clock (dates.md, clock stops)."""
    day = _date(args, "on", "Date de la demande de pièces")
    _not_before(day, p.get("complete_on") or p["received_on"], "La demande de pièces", "la date du dossier complet")
    reason = text_arg(args, "reason", "Motif")
    if not reason:
        raise TransitionRefused("motif_requis", "Indiquez les pièces demandées et pourquoi.")
    p["state"] = S.INCOMPLET
    _event(p, day, "pieces_requested", reason)
    return p


@transition("dossier.receive_pieces", S.INCOMPLET)
def receive_pieces(p: dict, args: dict) -> dict:
    """Receipt of the last missing pièce: the dossier is complete that day; the 4 months restart."""
    day = _date(args, "on", "Date de réception des pièces")
    _not_before(day, _last_event(p, {"pieces_requested"}), "La réception des pièces", "leur demande")
    p["state"] = S.COMPLET
    p["complete_on"] = day.isoformat()
    _event(p, day, "pieces_received")
    _event(p, day, "complete")
    return p


@transition("dossier.schedule_commission", S.COMPLET, applies=lambda p: not _is_ass(p))
def schedule_commission(p: dict, args: dict) -> dict:
    if _is_ass(p):
        raise TransitionRefused(
            "sans_commission",
            "Les dossiers d'assistant de service social ne passent pas en commission : enregistrez "
            "l'avis technique de l'établissement de formation.",
        )
    day = _date(args, "session_on", "Date de la séance")
    _not_before(day, p.get("complete_on"), "La séance de la commission", "la date du dossier complet")
    p["state"] = S.EN_COMMISSION
    p["commission"] = {"session_id": text_arg(args, "session_id", "Séance", limit=36) or None, "session_on": day.isoformat()}
    _event(p, day, "commission")
    return p


AVIS_KINDS = {"favorable", "mesures_compensation", "defavorable", "irrecevable", "complement"}


@transition("dossier.record_avis", S.EN_COMMISSION, S.COMPLET, applies=lambda p: not p.get("acces_partiel"))
def record_avis(p: dict, args: dict) -> dict:
    """Commission avis (or, for ASS, the DEASS establishment's technical opinion)."""
    kind = args.get("kind")
    if kind not in AVIS_KINDS:
        raise TransitionRefused("avis_invalide", "Avis inconnu : choisissez favorable, mesures de compensation, "
                                "défavorable, irrecevable ou complément d'information.")
    if p.get("acces_partiel"):
        raise TransitionRefused("avis_acces_partiel", "Demande d'accès partiel : enregistrez l'avis de chaque organe "
                                "consulté (commission, ordre) par « Enregistrer un avis (accès partiel) ».")
    if _state(p) is S.COMPLET and not _is_ass(p):
        raise TransitionRefused("commission_requise", "Inscrivez d'abord le dossier à une séance de la commission.")
    day = _date(args, "on", "Date de l'avis")
    _not_before(day, (p.get("commission") or {}).get("session_on") or p.get("complete_on"), "L'avis", "la séance")
    p["avis"] = {"kind": kind, "on": day.isoformat(), "motifs": text_arg(args, "motifs", "Motifs de l'avis")}
    _event(p, day, "avis", kind)
    if kind == "complement":
        p["state"] = S.INCOMPLET
        _event(p, day, "pieces_requested", p["avis"]["motifs"] or "complément d'information")
    else:
        p["state"] = S.AVIS_RENDU
    return p


@transition("dossier.propose_decision", S.AVIS_RENDU, applies=_is_ass)
def propose_decision(p: dict, args: dict) -> dict:
    """ASS only (aude.md §5): after the DEASS establishment's technical opinion, the regional
    director's proposition de décision; the decision itself follows (dossier.decide)."""
    if not _is_ass(p):
        raise TransitionRefused("reserve_ass", "La proposition de décision est propre aux assistants de service social : "
                                "pour cette profession, la décision suit l'avis de la commission.")
    kind = args.get("kind")
    if kind not in DECISIONS:
        raise TransitionRefused("decision_invalide", "Proposition inconnue : autorisation, mesures de compensation, refus ou irrecevabilité.")
    day = _date(args, "on", "Date de la proposition")
    _not_before(day, (p.get("avis") or {}).get("on"), "La proposition", "l'avis technique")
    p["proposition"] = {"kind": kind, "on": day.isoformat(), "motifs": text_arg(args, "motifs", "Motifs")}
    _event(p, day, "proposition", kind)
    return p


DECISIONS = {
    "autorisation": S.AUTORISE,
    "mesures_compensation": S.MESURES_COMPENSATION,
    "refus": S.REFUSE,
    "irrecevabilite": S.IRRECEVABLE,
    "acces_partiel": S.AUTORISE,  # partial_access.decision_terms: only on a partial-access request, after every avis
}


@transition("dossier.decide", S.AVIS_RENDU, S.RECU, S.COMPLET)
def decide(p: dict, args: dict) -> dict:
    kind = args.get("kind")
    if kind not in DECISIONS:
        raise TransitionRefused("decision_invalide", "Décision inconnue : autorisation, mesures de compensation, refus ou irrecevabilité.")
    terms = partial_access.decision_terms(p, kind, args) if p.get("acces_partiel") or kind == "acces_partiel" else {}
    if _state(p) is not S.AVIS_RENDU and kind != "irrecevabilite":
        raise TransitionRefused("avis_requis", "Seule l'irrecevabilité peut être décidée avant l'avis ; recueillez d'abord l'avis.")
    day = _date(args, "on", "Date de la décision")
    _not_before(day, (p.get("avis") or {}).get("on") or p["received_on"], "La décision", "l'avis")
    motifs = text_arg(args, "motifs", "Motifs de droit et de fait")
    if kind in ("refus", "mesures_compensation", "irrecevabilite") and not motifs:
        # CRPA L.211-2 and L.211-5: a refusal states its legal and factual grounds.
        raise TransitionRefused("motifs_requis", "Une décision défavorable doit être motivée (CRPA L.211-2) : saisissez les motifs de droit et de fait.")
    decision = {"kind": kind, "decided_on": day.isoformat(), "motifs": motifs}
    if kind == "mesures_compensation":
        decision["measures"] = _measures(args)
    decision.update(terms)
    p["decision"] = decision
    p["state"] = DECISIONS[kind]
    _event(p, day, "decision", kind)
    return p


def _measures(args: dict) -> dict:
    kind = args.get("measure_kind")
    if kind not in ("epreuve", "stage", "au_choix", "epreuve_et_stage"):
        raise TransitionRefused("mesure_invalide", "Précisez la mesure : épreuve d'aptitude, stage d'adaptation, au choix du demandeur, ou les deux.")
    subjects = texts_arg(args, "subjects", "Matières")
    if not subjects:
        raise TransitionRefused("matieres_requises", "Indiquez les matières concernées par les différences substantielles.")
    return {
        "kind": kind,
        "subjects": subjects,
        "required_level": number_arg(args, "required_level", "Niveau requis", 1, 5),
        "held_level": number_arg(args, "held_level", "Niveau détenu", 1, 5),
        "stage_months": number_arg(args, "stage_months", "Durée du stage (mois)", 1, 36),
        "differences": text_arg(args, "differences", "Différences substantielles"),
    }


@transition("dossier.choose_measure", S.MESURES_COMPENSATION)
def choose_measure(p: dict, args: dict) -> dict:
    measures = p["decision"]["measures"]
    if measures["kind"] != "au_choix":
        raise TransitionRefused("choix_impossible", "La décision impose la mesure : le demandeur n'a pas de choix à exprimer.")
    choice = args.get("choice")
    if choice not in ("epreuve", "stage"):
        raise TransitionRefused("choix_invalide", "Le choix doit être l'épreuve d'aptitude ou le stage d'adaptation.")
    day = _date(args, "on", "Date du choix")
    _not_before(day, p["decision"]["decided_on"], "Le choix de la mesure", "la décision")
    measures["chosen"] = choice
    measures["chosen_on"] = day.isoformat()
    _event(p, day, "measure_chosen", choice)
    return p


def _mark(value) -> Decimal:
    try:
        mark = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise TransitionRefused("note_invalide", f"Note invalide : « {value} ». Saisissez un nombre entre 0 et 20.") from None
    top = epreuve_pass_rule()["scale_max"]
    if not mark.is_finite() or not Decimal(0) <= mark <= top:
        raise TransitionRefused("note_invalide", f"La note {value} est hors de l'échelle : elle doit être comprise entre 0 et {top}.")
    return mark


def _list(value, label: str) -> list:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 50:
        raise TransitionRefused("type_invalide", f"{label} : liste attendue.")
    return value


@cache
def epreuve_pass_rule() -> dict[str, Decimal]:
    """The pass rule is known for a neighbouring procedure only (aude.md §6, uncertain): rules data."""
    raw = json.loads((resources_dir() / "rules" / "epreuve.json").read_text(encoding="utf-8"))
    return {k: Decimal(raw[k]) for k in ("scale_max", "average_at_least", "no_mark_below")}


@transition("dossier.record_epreuve", S.MESURES_COMPENSATION)
def record_epreuve(p: dict, args: dict) -> dict:
    marks = [_mark(m) for m in _list(args.get("marks"), "Notes")]
    if not marks:
        raise TransitionRefused("notes_requises", "Saisissez au moins une note de l'épreuve.")
    day = _date(args, "on", "Date de l'épreuve")
    _not_before(day, p["decision"]["decided_on"], "L'épreuve", "la décision de mesures")
    rule = epreuve_pass_rule()
    average = sum(marks) / len(marks)
    passed = average >= rule["average_at_least"] and min(marks) >= rule["no_mark_below"]
    p["epreuve"] = {"on": day.isoformat(), "marks": [str(m) for m in marks], "average": f"{average:.2f}", "passed": passed}
    _event(p, day, "epreuve_passed" if passed else "epreuve_failed")
    p["state"] = S.AUTORISE if passed else S.REFUSE
    return p


@transition("dossier.record_stage", S.MESURES_COMPENSATION)
def record_stage(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de fin du stage")
    _not_before(day, p["decision"]["decided_on"], "La fin du stage", "la décision de mesures")
    validated = bool(args.get("validated"))
    p["stage"] = {"ended_on": day.isoformat(), "validated": validated}
    _event(p, day, "stage_validated" if validated else "stage_failed")
    p["state"] = S.AUTORISE if validated else S.REFUSE
    return p


@transition("dossier.close", S.AUTORISE, S.REFUSE, S.IRRECEVABLE)
def close(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de clôture")
    _not_before(day, (p.get("decision") or {}).get("decided_on"), "La clôture", "la décision")
    p["state"] = S.CLOS
    p["closed_on"] = day.isoformat()
    _event(p, day, "closed")
    return p


# The other routes of a request (issue 20): their rules live in their own modules, the registry here.
transition("dossier.close_out_of_scope", S.RECU, S.INCOMPLET, S.COMPLET, applies=screening.proposes)(screening.close_out_of_scope)
transition("dossier.request_avis_partiel", S.COMPLET, S.EN_COMMISSION, applies=partial_access.concerns)(partial_access.request_avis)
transition("dossier.record_avis_partiel", S.COMPLET, S.EN_COMMISSION, applies=partial_access.concerns)(partial_access.record_avis)
