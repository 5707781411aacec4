"""The EPS instruction as guarded transitions (eps.md §5-6, CSP R.1453-15 and R.1453-18).

Same pattern as the AUDE workflow: pure functions on a copy of the convention payload, refusing
with a French message; the same code runs offline on the client and on the server. Every step
records a dated event, from which the shared legal clock (rules/deadlines.eps_clock) computes the
dates: late filing, 2 months (3 weeks if urgent), incomplete notice, tacit authorisation, the
modified convention after a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aude_desktop.conventions.states import STATE_LABELS, ConventionState, Regime
from aude_desktop.domain.workflows import TransitionRefused, TransitionRegistry, text_arg
from aude_desktop.domain.workflows import date_arg as _date
from aude_desktop.domain.workflows import not_before as _not_before

S = ConventionState
_registry = TransitionRegistry(lambda p: ConventionState(p["state"]), STATE_LABELS, "la convention", "une convention")
TRANSITIONS = _registry.transitions
APPLIES = _registry.applies  # beyond the state: whether a step concerns this record at all
transition = _registry.transition


def _is(regime: str) -> Callable[[dict], bool]:
    return lambda p: p.get("regime") == regime


def _event(p: dict, day: date, kind: str, note: str | None = None) -> None:
    p.setdefault("events", []).append({"on": day.isoformat(), "kind": kind, "note": note})


def _last(p: dict, kinds: set[str]) -> str | None:
    dates = [e["on"] for e in p.get("events") or [] if e["kind"] in kinds]
    return max(dates) if dates else None


def _require_regime(p: dict, regime: str, what: str) -> None:
    if p.get("regime") != regime:
        label = "une déclaration" if regime == Regime.DECLARATION else "une demande d'autorisation"
        raise TransitionRefused("regime_incompatible", f"{what} ne s'applique qu'à {label}.")


def with_receipt(p: dict) -> dict:
    """Conventions filed before events were recorded: their filing date is their receipt."""
    if any(e.get("kind") == "receipt" for e in p.get("events") or []):
        return p
    return {**p, "events": [{"on": p["filed_on"], "kind": "receipt", "note": None}, *(p.get("events") or [])]}


def clock(p: dict, today: date):
    """The legal clock of a convention (shared with the dossiers' rules/deadlines)."""
    from aude_desktop.rules.deadlines import eps_clock

    octroi = date.fromisoformat(p["octroi_on"]) if p.get("octroi_on") else None
    return eps_clock(with_receipt(p).get("events") or [], p["regime"], p["authority"], bool(p.get("urgent")), octroi, today)


def apply(name: str, payload: dict, args: dict) -> dict:
    if name in TRANSITIONS and payload.get("read_only"):
        raise TransitionRefused("lecture_seule", "Convention importée du CNOM : consultation seulement.")
    return _registry.apply(name, payload, args)


def available(payload: dict) -> list[str]:
    return [] if payload.get("read_only") else _registry.available(payload)


@transition("convention.set_regime", S.RECUE, applies=_is(Regime.INDETERMINE))
def set_regime(p: dict, args: dict) -> dict:
    """When a needed threshold is uncertain, the instructor decides the regime, with a reason."""
    regime = args.get("regime")
    if regime not in (Regime.DECLARATION, Regime.AUTORISATION):
        raise TransitionRefused("regime_invalide", "Choisissez déclaration ou demande d'autorisation.")
    reason = text_arg(args, "reason", "Motif")
    if not reason:
        raise TransitionRefused("motif_requis", "Indiquez pourquoi ce régime est retenu (seuil incertain).")
    p["regime"] = regime
    _event(p, _date(args, "on", "Date"), "regime_set", f"{regime} : {reason}")
    return p


@transition("convention.register", S.RECUE, applies=_is(Regime.DECLARATION))
def register(p: dict, args: dict) -> dict:
    _require_regime(p, Regime.DECLARATION, "L'enregistrement")
    day = _date(args, "on", "Date d'enregistrement")
    _not_before(day, p["filed_on"], "L'enregistrement", "le dépôt")
    p["state"] = S.ENREGISTREE
    _event(p, day, "registered")
    return p


@transition("convention.recommend", S.ENREGISTREE, S.RECOMMANDATIONS)
def recommend(p: dict, args: dict) -> dict:
    """Recommandations on a déclaration (not a decision: the company takes them into account later)."""
    text = text_arg(args, "text", "Recommandations")
    if not text:
        raise TransitionRefused("texte_requis", "Rédigez les recommandations (définition des avantages, montants, contenu).")
    day = _date(args, "on", "Date des recommandations")
    _not_before(day, p["filed_on"], "Les recommandations", "le dépôt")
    p.setdefault("recommandations", []).append({"on": day.isoformat(), "text": text})
    p["state"] = S.RECOMMANDATIONS
    _event(p, day, "recommandations")
    return p


@transition("convention.start_instruction", S.RECUE, applies=_is(Regime.AUTORISATION))
def start_instruction(p: dict, args: dict) -> dict:
    _require_regime(p, Regime.AUTORISATION, "L'instruction")
    day = _date(args, "on", "Date")
    _not_before(day, p["filed_on"], "L'accusé de réception", "le dépôt")
    p["state"] = S.EN_INSTRUCTION
    _event(p, day, "acknowledged")
    return p


@transition("convention.declare_incomplete", S.RECUE, S.EN_INSTRUCTION, S.URGENCE_NON_JUSTIFIEE, applies=_is(Regime.AUTORISATION))
def declare_incomplete(p: dict, args: dict) -> dict:
    """Within 1 month of receipt, an incomplete notice restarts the 2 months on receipt (R.1453-18)."""
    _require_regime(p, Regime.AUTORISATION, "L'avis d'incomplétude")
    day = _date(args, "on", "Date de l'avis d'incomplétude")
    _not_before(day, p["filed_on"], "L'avis d'incomplétude", "le dépôt")
    missing = text_arg(args, "missing", "Pièces manquantes")
    if not missing:
        raise TransitionRefused("motif_requis", "Indiquez les éléments manquants.")
    p["state"] = S.INCOMPLETE
    _event(p, day, "incomplete", missing)
    return p


@transition("convention.receive_pieces", S.INCOMPLETE)
def receive_pieces(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de réception des éléments")
    _not_before(day, _last(p, {"incomplete"}), "La réception des éléments", "l'avis d'incomplétude")
    p["state"] = S.EN_INSTRUCTION
    _event(p, day, "pieces_received")
    return p


@transition("convention.decide", S.EN_INSTRUCTION, S.MODIFIEE_RECUE, S.RECUE, S.URGENCE_NON_JUSTIFIEE, applies=_is(Regime.AUTORISATION))
def decide(p: dict, args: dict) -> dict:
    _require_regime(p, Regime.AUTORISATION, "La décision")
    kind = args.get("kind")
    if kind not in ("autorisation", "refus"):
        raise TransitionRefused("decision_invalide", "Décision : autorisation ou refus.")
    day = _date(args, "on", "Date de la décision")
    _not_before(day, _last(p, {"modified_received", "pieces_received"}) or p["filed_on"], "La décision", "la réception")
    motifs = text_arg(args, "motifs", "Motifs")
    if kind == "refus" and not motifs:
        raise TransitionRefused("motifs_requis", "Un refus doit être motivé (CRPA L.211-2) : saisissez les motifs de droit et de fait.")
    p["decision"] = {"kind": kind, "decided_on": day.isoformat(), "motifs": motifs}
    p["state"] = S.AUTORISEE if kind == "autorisation" else S.REFUSEE
    _event(p, day, "decision", kind)
    return p


@transition("convention.urgency_not_justified", S.RECUE, S.EN_INSTRUCTION, applies=lambda p: bool(p.get("urgent")))
def urgency_not_justified(p: dict, args: dict) -> dict:
    """The urgency is refused: the ordinary delays apply from receipt (R.1453-18)."""
    if not p.get("urgent"):
        raise TransitionRefused("sans_urgence", "La convention n'a pas été déposée en urgence.")
    day = _date(args, "on", "Date de la notification")
    # Why the urgency is not justified: the letter states it (CRPA L.211-5).
    motifs = text_arg(args, "motifs", "Motif de l'urgence non justifiée")
    p["urgent"] = False
    p["state"] = S.URGENCE_NON_JUSTIFIEE
    _event(p, day, "urgency_refused", motifs or None)
    return p


@transition("convention.receive_modified", S.REFUSEE)
def receive_modified(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de réception de la convention modifiée")
    _not_before(day, (p.get("decision") or {}).get("decided_on"), "La convention modifiée", "le refus")
    p["state"] = S.MODIFIEE_RECUE
    _event(p, day, "modified_received")
    return p


@transition("convention.record_tacit", S.EN_INSTRUCTION, S.MODIFIEE_RECUE, S.URGENCE_NON_JUSTIFIEE)
def record_tacit(p: dict, args: dict) -> dict:
    """Silence at the end of the period is an authorisation: recorded once the date has passed."""
    day = _date(args, "on", "Date")
    legal = clock(p, day)
    if legal.next_date is None or day <= legal.next_date:
        due = f" (le {legal.next_date:%d/%m/%Y})" if legal.next_date else ""
        raise TransitionRefused("delai_en_cours", f"Le délai de décision n'est pas expiré{due} : pas d'autorisation tacite.")
    p["state"] = S.AUTORISEE_TACITEMENT
    _event(p, legal.next_date, "tacit_authorisation")
    return p


@transition("convention.close", S.ENREGISTREE, S.RECOMMANDATIONS, S.AUTORISEE, S.AUTORISEE_TACITEMENT, S.REFUSEE)
def close(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de clôture")
    p["state"] = S.CLOSE
    _event(p, day, "closed")
    return p
