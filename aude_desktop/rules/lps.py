"""The legal clock of a libre prestation de services declaration (routes.md, directive 2005/36/CE art. 7).

The authority has one month from the declaration and its pièces to inform the provider (no check, the
check's outcome, or a decision imposing an aptitude test); a difficulty notified within that month gives
it a second month; a test must let the service start within the month of the decision imposing it;
without a reaction within these délais, the service may be provided; the declaration is renewed yearly.
The délais are rules data (deadlines.json, `lps.*`), chosen per profession in resources/rules/lps.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

from aude_desktop.paths import resources_dir
from aude_desktop.rules import calendar as cal_mod
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.deadlines import (
    Clock,
    ClockInputError,
    DeadlineRules,
    _acquired,
    _status,
    _timeline,
    compute,
    default_rules,
)
from aude_desktop.rules.reference import professions, regions

# The event kinds the LPS clock reads (docs/cli.md).
LPS_EVENT_KINDS = ("receipt", "pieces_requested", "pieces_received", "delay_notified", "verification", "informed",
                   "epreuve_imposed", "epreuve_passed", "epreuve_failed", "silence", "renewed", "closed")
DELAY_KEYS = ("inform", "inform_extended", "epreuve", "renewal")


@dataclass(frozen=True)
class LpsProfession:
    article: str
    prior_check: bool
    delays: dict[str, str]
    uncertain: tuple[str, ...]
    prior_check_source: str = ""


@cache
def lps_rules() -> dict:
    return json.loads((resources_dir() / "rules" / "lps.json").read_text(encoding="utf-8"))


def for_profession(code: str, rules: DeadlineRules | None = None) -> LpsProfession:
    """The profession's LPS data: its own entry over the default (every délai names a rule of deadlines.json)."""
    raw = lps_rules()
    entry = {**raw["default"], **raw["professions"].get(code, {})}
    delays = {**raw["default"]["delays"], **entry.get("delays", {})}
    known = (rules or default_rules()).delays
    for key in DELAY_KEYS:
        if delays.get(key) not in known:
            raise ClockInputError(f"Règles LPS : délai « {key} » inconnu des règles de délais pour « {code} ».")
    return LpsProfession(entry["article"], bool(entry["prior_check"]), delays, tuple(entry.get("uncertain", ())),
                         entry.get("prior_check_source", ""))


def pieces() -> list[dict]:
    return list(lps_rules()["pieces"]["items"])


@dataclass(frozen=True)
class Pending:
    """What the authority must do next, by when, and what its silence on that day means."""

    kind: str  # inform | epreuve
    due: date
    steps: tuple[str, ...]


def _inputs(events: list[dict], profession: str, region: str):
    if profession not in professions():
        raise ClockInputError(f"Profession inconnue : « {profession} ».")
    if region not in regions():
        raise ClockInputError(f"Région inconnue : « {region} ».")
    timeline, received = _timeline(events)
    for d, kind, _ in timeline:
        if d < received:
            raise ClockInputError(f"L'événement « {kind} » du {format_date_fr(d)} précède la réception de la déclaration.")
    return timeline, received, cal_mod.calendar_for_region(region)


def pending_step(events: list[dict], profession: str, region: str,
                 rules: DeadlineRules | None = None) -> tuple[Pending | None, list[str], date | None]:
    """(the step the authority owes, history, suspended since): None once the provider was answered."""
    rules = rules or default_rules()
    names = for_profession(profession, rules).delays
    timeline, received, cal = _inputs(events, profession, region)
    history: list[str] = []
    imposed = [d for d, k, _ in timeline if k == "epreuve_imposed"]
    if imposed:
        history.append(f"Épreuve d’aptitude imposée le {format_date_fr(imposed[-1])}.")
        limit = compute(rules, names["epreuve"], imposed[-1], cal)
        return Pending("epreuve", limit.due, limit.steps), history, None
    start, pending_since, extended = received, None, False
    for d, kind, _ in timeline:
        if kind == "pieces_requested":
            pending_since = d
            history.append(f"Demande de pièces le {format_date_fr(d)} : le délai d’un mois est suspendu.")
        elif kind == "pieces_received":
            if pending_since is None:
                raise ClockInputError(f"Pièces reçues le {format_date_fr(d)} sans demande de pièces en cours.")
            pending_since, start = None, d
            history.append(f"Dernière pièce reçue le {format_date_fr(d)} : le délai d’un mois repart.")
        elif kind == "delay_notified":
            extended = True
            history.append(f"Difficulté notifiée au prestataire le {format_date_fr(d)} : un second mois est ouvert.")
    if pending_since is not None:
        return None, history, pending_since
    limit = compute(rules, names["inform_extended" if extended else "inform"], start, cal)
    return Pending("inform", limit.due, limit.steps), history, None


ANSWERED = ("informed", "epreuve_passed", "silence")


def lps_clock(events: list[dict], profession: str, region: str, today: date,
              rules: DeadlineRules | None = None) -> Clock:
    rules = rules or default_rules()
    timeline, received, cal = _inputs(events, profession, region)
    history = [f"Déclaration reçue le {format_date_fr(received)}."]
    kinds = {k for _, k, _ in timeline}
    if "closed" in kinds:
        return Clock(None, "Déclaration close", None, "none", "aucune échéance", tuple(history))
    if "epreuve_failed" in kinds:
        return Clock(None, "Prestation refusée (épreuve d’aptitude non réussie)", None, "none", "aucune échéance", tuple(history))
    answered = [d for d, k, _ in timeline if k in ANSWERED]
    if answered:
        history.append(f"Prestation possible depuis le {format_date_fr(answered[0])}.")
        renewed = [d for d, k, _ in timeline if k == "renewed"]
        anchor = renewed[-1] if renewed else received
        if renewed:
            history.append(f"Déclaration renouvelée le {format_date_fr(anchor)}.")
        limit = compute(rules, for_profession(profession, rules).delays["renewal"], anchor, cal)
        history += limit.steps
        left, status, label = _status(limit.due, today, None)
        return Clock(limit.due, f"Déclaration à renouveler au plus tard le {format_date_fr(limit.due)}", left, status, label,
                     tuple(history))
    step, more, suspended = pending_step(events, profession, region, rules)
    history += more
    if step is None:
        _, status, label = _status(None, today, suspended)
        return Clock(None, f"Délai suspendu — en attente de pièces depuis le {format_date_fr(suspended)}", None, status, label,
                     tuple(history))
    history += step.steps
    left, status, label = _status(step.due, today, None)
    if today > step.due:
        what, label = _acquired("Prestation possible (silence de l’administration)", step.due, today)
        return Clock(step.due, what, left, status, label, tuple(history))
    what = ("Épreuve d’aptitude à organiser au plus tard le" if step.kind == "epreuve"
            else "Information du prestataire au plus tard le")
    return Clock(step.due, f"{what} {format_date_fr(step.due)} ; à défaut, la prestation peut être effectuée",
                 left, status, label, tuple(history))
