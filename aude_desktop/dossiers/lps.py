"""The libre prestation de services (LPS) route: a prior declaration by a professional legally
established in another EU/EEA State who will practise in France temporarily (routes.md).

A declaration is a dossier record with `"route": "lps"` (no route: the autorisation d'exercice). It
shares the dossier's region scoping, pièces, letters and references, but has its own states and
guarded transitions, registered here as `lps.*` commands: the client and the server run the same code.
"""

from __future__ import annotations

import copy
from datetime import date

from aude_desktop.domain.commands import Actor, CommandRejected, command
from aude_desktop.domain.fields import object_fields, text_field
from aude_desktop.domain.workflows import TransitionRefused, TransitionRegistry, text_arg, texts_arg
from aude_desktop.domain.workflows import date_arg as _date
from aude_desktop.domain.workflows import not_before as _not_before
from aude_desktop.dossiers.states import LPS_MOVABLE, LpsState  # noqa: F401 (LPS_MOVABLE: read from here too)
from aude_desktop.dossiers.workflow import _event
from aude_desktop.dossiers.workflow import _last_event as _last
from aude_desktop.rules import lps as lps_rules
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.deadlines import ClockInputError

ROUTE = "lps"
AUTORISATION = "autorisation"
ROUTE_LABELS = {AUTORISATION: "Demande d'autorisation d'exercice", ROUTE: "Déclaration préalable (LPS)"}
SITUATION = "lps_etabli_ue"  # the provider is legally established in another Member State
SITUATION_LABEL = "Prestataire légalement établi dans un autre État membre (libre prestation de services)"


S = LpsState
LPS_STATE_LABELS: dict[LpsState, str] = {
    S.RECUE: "Déclaration LPS reçue",
    S.INCOMPLETE: "LPS — en attente de pièces",
    S.VERIFICATION: "LPS — vérification des qualifications",
    S.EPREUVE: "LPS — épreuve d’aptitude imposée",
    S.PRESTATION_POSSIBLE: "LPS — prestation possible",
    S.REFUSEE: "LPS — prestation refusée",
    S.CLOSE: "LPS — close",
}
LPS_STATES = tuple(s.value for s in LpsState)
# Where the authority owes an answer: past its date, silence means the service may be provided.
LPS_OPEN = (S.RECUE.value, S.INCOMPLETE.value, S.VERIFICATION.value, S.EPREUVE.value)
LPS_SILENCE_RUNS = (S.RECUE.value, S.VERIFICATION.value, S.EPREUVE.value)
OUTCOME_LABELS = {
    "sans_verification": "Pas de vérification préalable des qualifications",
    "qualifications_conformes": "Qualifications vérifiées : pas de différence substantielle",
    "epreuve_reussie": "Épreuve d’aptitude réussie",
    "silence": "Silence de l’administration dans le délai",
}
EVENT_LABELS = {
    "receipt": "Réception de la déclaration", "pieces_requested": "Demande de pièces", "pieces_received": "Pièces reçues",
    "delay_notified": "Difficulté notifiée (second mois)", "verification": "Vérification des qualifications",
    "informed": "Information du prestataire", "epreuve_imposed": "Épreuve d’aptitude imposée",
    "epreuve_passed": "Épreuve d’aptitude réussie", "epreuve_failed": "Épreuve d’aptitude non réussie",
    "silence": "Prestation possible (silence)", "renewed": "Renouvellement de la déclaration", "closed": "Clôture",
}


def is_lps(payload: dict | None) -> bool:
    return bool(payload) and payload.get("route") == ROUTE


def state_label(state: str) -> str | None:
    return LPS_STATE_LABELS.get(LpsState(state)) if state in LPS_STATES else None


def _state(payload: dict) -> LpsState:
    return LpsState(payload["state"])


def _pending(p: dict):
    try:
        step, _history, _suspended = lps_rules.pending_step(p.get("clock_events") or [], p["profession"], p["region"])
    except ClockInputError as exc:
        raise TransitionRefused("horloge_illisible", str(exc)) from None
    return step


def _prior_check(p: dict) -> bool:
    return lps_rules.for_profession(p["profession"]).prior_check


_registry = TransitionRegistry(_state, LPS_STATE_LABELS, "la déclaration", "une déclaration")
TRANSITIONS = _registry.transitions
transition = _registry.transition


apply = _registry.apply
available = _registry.available  # the steps whose guards allow them now (the view shows only these)


@transition("lps.request_pieces", S.RECUE)
def request_pieces(p: dict, args: dict) -> dict:
    """Missing pièces: the month runs from the declaration *and* its documents (art. 7 §4)."""
    day = _date(args, "on", "Date de la demande de pièces")
    _not_before(day, p["received_on"], "La demande de pièces", "la réception de la déclaration")
    missing = texts_arg(args, "missing", "Pièces demandées")
    if not missing:
        raise TransitionRefused("pieces_requises", "Indiquez les pièces demandées (une par ligne).")
    p["state"] = S.INCOMPLETE
    _event(p, day, "pieces_requested", "\n".join(missing))
    return p


@transition("lps.receive_pieces", S.INCOMPLETE)
def receive_pieces(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de réception des pièces")
    _not_before(day, _last(p, {"pieces_requested"}), "La réception des pièces", "leur demande")
    p["state"] = S.RECUE
    _event(p, day, "pieces_received")
    return p


@transition("lps.notify_delay", S.RECUE, S.VERIFICATION, applies=lambda p: not _last(p, {"delay_notified"}))
def notify_delay(p: dict, args: dict) -> dict:
    """A difficulty notified within the first month opens a second one (art. 7 §4, second subparagraph)."""
    if _last(p, {"delay_notified"}):
        raise TransitionRefused("deja_prolonge", "Une difficulté a déjà été notifiée : le délai ne s'allonge qu'une fois.")
    day = _date(args, "on", "Date de la notification")
    _not_before(day, p["received_on"], "La notification de la difficulté", "la réception de la déclaration")
    step = _pending(p)
    if step is not None and day > step.due:
        raise TransitionRefused("hors_delai", f"La difficulté doit être notifiée dans le premier mois, au plus tard le "
                                              f"{format_date_fr(step.due)} : passé ce jour, la prestation peut être effectuée.")
    reason = text_arg(args, "reason", "Motif du retard")
    if not reason:
        raise TransitionRefused("motif_requis", "Indiquez la difficulté qui retarde la réponse au prestataire.")
    _event(p, day, "delay_notified", reason)
    return p


@transition("lps.start_verification", S.RECUE, applies=_prior_check)
def start_verification(p: dict, args: dict) -> dict:
    if not _prior_check(p):
        raise TransitionRefused("sans_verification", "Cette profession relève de la reconnaissance automatique : ses "
                                                     "qualifications ne sont pas vérifiées avant la première prestation.")
    day = _date(args, "on", "Date du début de la vérification")
    _not_before(day, _last(p, {"receipt", "pieces_received"}), "La vérification", "la réception du dossier complet")
    p["state"] = S.VERIFICATION
    _event(p, day, "verification")
    return p


INFORM_FROM = {"sans_verification": S.RECUE, "qualifications_conformes": S.VERIFICATION}


@transition("lps.inform", S.RECUE, S.VERIFICATION)
def inform(p: dict, args: dict) -> dict:
    """The provider is told that the service may be provided: no check, or a check without substantial difference."""
    kind = args.get("kind")
    if not isinstance(kind, str) or kind not in INFORM_FROM:
        raise TransitionRefused("information_invalide", "Information inconnue : « sans vérification » ou « qualifications conformes ».")
    if _state(p) is not INFORM_FROM[kind]:
        raise TransitionRefused("information_incoherente",
                                "« Qualifications conformes » suit une vérification ; « sans vérification » la remplace.")
    day = _date(args, "on", "Date de l'information")
    _not_before(day, _last(p, {"receipt", "pieces_received", "verification"}), "L'information", "la dernière étape")
    p["state"] = S.PRESTATION_POSSIBLE
    p.setdefault("lps", {})["outcome"] = {"kind": kind, "on": day.isoformat()}
    _event(p, day, "informed", kind)
    return p


@transition("lps.impose_epreuve", S.VERIFICATION)
def impose_epreuve(p: dict, args: dict) -> dict:
    """A substantial difference that may harm public health: an aptitude test (art. 7 §4, third subparagraph)."""
    day = _date(args, "on", "Date de la décision")
    _not_before(day, _last(p, {"verification"}), "La décision", "le début de la vérification")
    step = _pending(p)
    if step is not None and day > step.due:
        raise TransitionRefused("hors_delai", f"Le délai pour répondre au prestataire a expiré le {format_date_fr(step.due)} : "
                                              "faute de réaction dans ce délai, la prestation peut être effectuée.")
    motifs = text_arg(args, "motifs", "Motifs de droit et de fait")
    if not motifs:
        raise TransitionRefused("motifs_requis", "Une décision imposant une épreuve doit être motivée (CRPA L.211-2) : "
                                                 "saisissez la différence substantielle et son effet sur la santé publique.")
    subjects = texts_arg(args, "subjects", "Matières")
    if not subjects:
        raise TransitionRefused("matieres_requises", "Indiquez les matières sur lesquelles porte l'épreuve.")
    p["state"] = S.EPREUVE
    p.setdefault("lps", {})["epreuve"] = {"decided_on": day.isoformat(), "motifs": motifs, "subjects": subjects}
    _event(p, day, "epreuve_imposed")
    return p


@transition("lps.record_epreuve", S.EPREUVE)
def record_epreuve(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de l'épreuve")
    _not_before(day, p["lps"]["epreuve"]["decided_on"], "L'épreuve", "la décision qui l'impose")
    passed = args.get("passed")
    if not isinstance(passed, bool):
        raise TransitionRefused("resultat_requis", "Indiquez si l'épreuve est réussie (oui ou non).")
    p["lps"]["epreuve"].update(on=day.isoformat(), passed=passed)
    if passed:
        p["state"] = S.PRESTATION_POSSIBLE
        p["lps"]["outcome"] = {"kind": "epreuve_reussie", "on": day.isoformat()}
    else:
        p["state"] = S.REFUSEE
    _event(p, day, "epreuve_passed" if passed else "epreuve_failed")
    return p


@transition("lps.record_silence", *LPS_SILENCE_RUNS)
def record_silence(p: dict, args: dict) -> dict:
    """Without a reaction within the délai, the service may be provided: recorded once that day is past."""
    day = _date(args, "on", "Date du constat")
    step = _pending(p)
    if step is None or day <= step.due:
        when = f"après le {format_date_fr(step.due)}" if step else "quand le délai court (pièces attendues)"
        raise TransitionRefused("delai_en_cours", f"Le délai pour répondre au prestataire n'est pas expiré : le silence ne "
                                                  f"vaut prestation possible qu'{when}.")
    p["state"] = S.PRESTATION_POSSIBLE
    p.setdefault("lps", {})["outcome"] = {"kind": "silence", "on": step.due.isoformat()}
    _event(p, step.due, "silence")
    return p


@transition("lps.renew", S.PRESTATION_POSSIBLE)
def renew(p: dict, args: dict) -> dict:
    """The yearly renewal of the declaration, with the services planned for the coming year."""
    day = _date(args, "on", "Date du renouvellement")
    _not_before(day, _last(p, {"receipt", "renewed"}), "Le renouvellement", "la déclaration précédente")
    flat = {key: args.get(f"service_{key}") for key in SERVICE_FIELDS}  # the form's fields
    service = _service({"service": flat}, "Prestation envisagée")
    p.setdefault("lps", {}).setdefault("renewals", []).append({"on": day.isoformat(), "service": service})
    _event(p, day, "renewed")
    return p


@transition("lps.close", S.PRESTATION_POSSIBLE, S.REFUSEE)
def close(p: dict, args: dict) -> dict:
    day = _date(args, "on", "Date de clôture")
    _not_before(day, _last(p, {"informed", "epreuve_passed", "epreuve_failed", "silence", "renewed"}), "La clôture", "la dernière étape")
    p["state"] = S.CLOSE
    p["closed_on"] = day.isoformat()
    _event(p, day, "closed")
    return p


# -- the declaration itself ----------------------------------------------------------------------

SERVICE_FIELDS = ("start", "end", "place", "nature")


def _service(args: dict, label: str) -> dict:
    try:
        service = object_fields(args.get("service") or {}, label, SERVICE_FIELDS, ("start", "end"), required=("start", "place"))
    except CommandRejected as exc:
        raise TransitionRefused(exc.code, exc.message) from None
    if service["end"] and service["end"] < service["start"]:
        raise TransitionRefused("date_incoherente", f"{label} : la fin précède le début.")
    return service


def _require_region(actor: Actor, region: str) -> None:
    if actor.role == "agent_dreets" and actor.region != region:
        raise CommandRejected("hors_perimetre", "Cette déclaration relève d'une autre région que la vôtre.")


@command("lps.declare", "dossier", mode="create")
def declare(_current, args: dict, actor: Actor) -> dict:
    """A prior declaration, filed with the DREETS competent for the profession (arrêté of 8 December 2017);
    partial access with the region the rules data names."""
    from aude_desktop.dossiers.commands import new_record

    p = args.get("payload")
    if not isinstance(p, dict):
        raise CommandRejected("arguments_invalides", "La déclaration à enregistrer est absente (« payload »).")
    if p.get("route") != ROUTE:
        raise CommandRejected("route_invalide", "Une déclaration LPS porte « route » : « lps ».")
    created = {"route": ROUTE, **new_record(p, actor, situation=SITUATION, state=S.RECUE.value, diploma_label="Titre de formation")}
    lps = p.get("lps")
    if not isinstance(lps, dict):
        raise CommandRejected("arguments_invalides", "La prestation envisagée est absente (« lps »).")
    try:
        service = _service(lps, "Prestation envisagée")
    except TransitionRefused as exc:
        raise CommandRejected(exc.code, exc.message) from None
    created["lps"] = {
        "establishment_state": text_field(lps.get("establishment_state"), "État membre d'établissement", required=True, limit=100),
        "service": service,
        "insurance": text_field(lps.get("insurance"), "Assurance professionnelle", limit=300),
        "outcome": None,
        "renewals": [],
    }
    return created


def _register(name: str) -> None:
    def run(current: dict, args: dict, actor: Actor) -> dict:
        if not is_lps(current):
            raise CommandRejected("route_incompatible", "Cette action concerne les déclarations de libre prestation de "
                                                        "services ; ce dossier est une demande d'autorisation d'exercice.")
        _require_region(actor, current["region"])
        try:
            return apply(name, copy.deepcopy(current), args)
        except TransitionRefused as exc:
            raise CommandRejected(exc.code, exc.message) from None

    command(name, "dossier")(run)


for _name in TRANSITIONS:
    _register(_name)


# -- what others read --------------------------------------------------------------------------


def clock(payload: dict, today: date):
    return lps_rules.lps_clock(payload.get("clock_events") or [], payload["profession"], payload["region"], today)


def may_provide_since(payload: dict, today: date | None = None) -> date | None:
    """The day from which the service may be provided (express answer, test passed, or silence)."""
    if not is_lps(payload):
        return None
    outcome = (payload.get("lps") or {}).get("outcome")
    if outcome:
        return date.fromisoformat(outcome["on"])
    if payload.get("state") not in LPS_SILENCE_RUNS:
        return None
    try:
        step, _history, _suspended = lps_rules.pending_step(payload.get("clock_events") or [], payload["profession"],
                                                            payload["region"])
    except (ClockInputError, KeyError):
        return None
    today = today or date.today()
    return step.due if step is not None and today > step.due else None


def registration_facts(payload: dict, today: date | None = None) -> dict | None:
    """For the RPPS hand-off: {"decision_kind": "lps", "decision_date": …} once the service may be
    provided (explicitly or by silence), else None."""
    since = may_provide_since(payload, today)
    return {"decision_kind": "lps", "decision_date": since.isoformat()} if since else None


def outcome_text(payload: dict) -> str:
    """The declaration's answer so far, in French (the dossier view's « Décision » box)."""
    lps = payload.get("lps") or {}
    lines = [f"Prestation envisagée : {_service_text(lps.get('service') or {})} — État d'établissement : "
             f"{lps.get('establishment_state') or '—'}"]
    epreuve = lps.get("epreuve")
    if epreuve:
        lines.append(f"Épreuve d’aptitude imposée le {_fr(epreuve['decided_on'])} ({', '.join(epreuve['subjects'])})"
                     + (f" — {'réussie' if epreuve['passed'] else 'non réussie'} le {_fr(epreuve['on'])}" if "passed" in epreuve else ""))
    outcome = lps.get("outcome")
    lines.append(f"{OUTCOME_LABELS.get(outcome['kind'], outcome['kind'])} : prestation possible depuis le {_fr(outcome['on'])}"
                 if outcome else "Aucune réponse au prestataire.")
    lines += [f"Renouvelée le {_fr(r['on'])} : {_service_text(r.get('service') or {})}" for r in lps.get("renewals") or []]
    return "\n".join(lines)


def _fr(value: str) -> str:
    return format_date_fr(date.fromisoformat(value))


def _service_text(service: dict) -> str:
    if not service.get("start"):
        return "—"
    period = f"du {_fr(service['start'])}" + (f" au {_fr(service['end'])}" if service.get("end") else "")
    return f"{period}, {service.get('place') or '—'}" + (f" ({service['nature']})" if service.get("nature") else "")


def checklist_items() -> list[dict]:
    return lps_rules.pieces()
