"""The legal clock: every legal date of a file from its dated events (dates.md), with its history.

Pure functions shared by the UI, the letters, the server and the supervision. The delays are rules
data (resources/rules/deadlines.json, versioned); a malformed file is refused at load with a precise
French message and the previous rules stay in force.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from aude_desktop.paths import resources_dir
from aude_desktop.rules import calendar as cal_mod
from aude_desktop.rules.calendar import LegalCalendar, format_date_fr
from aude_desktop.rules.reference import professions, regions
from aude_desktop.rules.soon import SOON_DAYS

UNITS = {"days", "weeks", "months", "jours_ouvrables_before"}
REQUIRED_RULES = {
    "aude.acknowledgement", "aude.decision", "aude.measure_choice", "aude.epreuve", "aude.stage_max",
    "eps.declaration_filing", "eps.autorisation_decision", "eps.incomplete_notice", "eps.modified_filing",
    "eps.modified_decision", "eps.urgent_decision", "eps.urgent_modified_decision", "recours.contentieux",
    "aude.convocation_notice",
}


class RulesError(ValueError):
    pass


class ClockInputError(ValueError):
    """The events cannot be right (e.g. completeness before receipt); the message says which."""


@dataclass(frozen=True)
class Delay:
    amount: int
    unit: str
    source: str


@dataclass(frozen=True)
class IssueWindow:
    """A letter's legal window: issued after `rule` has run from the receipt, it is late."""

    rule: str
    source: str
    consequence: str  # French, with {due} and {start}


@dataclass(frozen=True)
class DeadlineRules:
    version: str
    extend: bool
    delays: dict[str, Delay]
    from_notification: dict[str, tuple[str, ...]] = field(default_factory=dict)  # letter kind -> rules
    issue_windows: dict[str, IssueWindow] = field(default_factory=dict)  # letter kind -> window


def parse_rules(raw: dict) -> DeadlineRules:
    if not isinstance(raw, dict) or not isinstance(raw.get("rules"), dict):
        raise RulesError("Fichier de délais invalide : la section « rules » est absente.")
    missing = sorted(REQUIRED_RULES - set(raw["rules"]))
    if missing:
        raise RulesError(f"Fichier de délais incomplet : règle(s) absente(s) {', '.join(missing)}.")
    delays = {}
    for name, rule in raw["rules"].items():
        if not isinstance(rule, dict) or not isinstance(rule.get("amount"), int) or rule["amount"] <= 0:
            raise RulesError(f"Règle « {name} » : « amount » doit être un entier positif.")
        if rule.get("unit") not in UNITS:
            raise RulesError(f"Règle « {name} » : unité inconnue « {rule.get('unit')} ».")
        if not rule.get("source"):
            raise RulesError(f"Règle « {name} » : la source juridique (« source ») est obligatoire.")
        delays[name] = Delay(rule["amount"], rule["unit"], rule["source"])
    notified = {}
    for kind, names in (raw.get("from_notification") or {}).items():
        if not isinstance(names, list) or any(n not in delays for n in names):
            raise RulesError(f"« from_notification » : règle(s) inconnue(s) pour le courrier « {kind} ».")
        notified[kind] = tuple(names)
    windows = {}
    for kind, window in (raw.get("issue_windows") or {}).items():
        if not isinstance(window, dict) or window.get("rule") not in delays:
            raise RulesError(f"« issue_windows » : règle inconnue pour le courrier « {kind} ».")
        if not window.get("source") or not window.get("consequence"):
            raise RulesError(f"« issue_windows » : source et conséquence obligatoires pour le courrier « {kind} ».")
        windows[kind] = IssueWindow(window["rule"], window["source"], window["consequence"])
    return DeadlineRules(str(raw.get("version", "?")), bool(raw.get("extend_authority_delays_to_working_day", True)), delays,
                         notified, windows)


@cache
def default_rules() -> DeadlineRules:
    return load_rules(resources_dir() / "rules" / "deadlines.json")


def load_rules(path: Path) -> DeadlineRules:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RulesError(f"Fichier de délais illisible ({exc}).") from None
    return parse_rules(raw)


@dataclass(frozen=True)
class Deadline:
    due: date
    steps: tuple[str, ...]


def compute(rules: DeadlineRules, name: str, start: date, cal: LegalCalendar) -> Deadline:
    """One delay from its starting event, with the explanation of how the date was reached."""
    delay = rules.delays[name]
    if delay.unit == "jours_ouvrables_before":
        due = cal_mod.latest_filing_day(start, delay.amount, cal)
        return Deadline(due, (f"{delay.amount} jours ouvrables avant le {format_date_fr(start)} : "
                              f"{format_date_fr(due, weekday=True)} ({delay.source})",))
    raw = {"days": cal_mod.add_days, "weeks": cal_mod.add_weeks, "months": cal_mod.add_months}[delay.unit](start, delay.amount)
    words = {"days": "jours", "weeks": "semaine(s)", "months": "mois"}[delay.unit]
    steps = [f"{delay.amount} {words} à compter du {format_date_fr(start)} : {format_date_fr(raw, weekday=True)} ({delay.source})"]
    due = raw
    if rules.extend:
        due, skipped = cal_mod.extend_to_working_day(raw, cal)
        if skipped:
            steps.append("reporté au " + format_date_fr(due, weekday=True) + " — jour(s) non ouvré(s) : "
                         + ", ".join(cal.why_not_working(d) for d in skipped))
    return Deadline(due, tuple(steps))


@dataclass(frozen=True)
class Clock:
    next_date: date | None
    next_label: str
    days_left: int | None
    status: str  # overdue | soon | later | suspended | notification | none
    status_label: str
    history: tuple[str, ...] = ()
    flags: tuple[str, ...] = field(default_factory=tuple)


TO_NOTIFY = "notification à saisir"
NUMBERS = {1: "un", 2: "deux", 3: "trois", 4: "quatre", 6: "six", 8: "huit", 15: "quinze", 36: "trente-six"}
UNIT_WORDS = {"days": "jours", "weeks": "semaines", "months": "mois"}


def in_words(name: str, rules: DeadlineRules | None = None) -> str:
    """« quinze jours », « six mois »: a délai as a letter states it before its start is known."""
    delay = (rules or default_rules()).delays[name]
    if delay.unit == "weeks" and delay.amount == 1:
        return "une semaine"  # the only feminine unit: « une semaine », never « un semaine »
    return f"{NUMBERS.get(delay.amount, str(delay.amount))} {UNIT_WORDS.get(delay.unit, delay.unit)}"


def notified_on(events: list[dict], letter_kind: str, since: date | None = None) -> date | None:
    """The notification date recorded for the latest letter of `letter_kind` (an event « notified »
    naming that kind in « letter »), on or after `since` (the decision it notifies)."""
    dates = [d for d, k, e in _events(events) if k == "notified" and e.get("letter") == letter_kind and (since is None or d >= since)]
    return dates[-1] if dates else None


@dataclass(frozen=True)
class NotifiedDelay:
    rule: str
    deadline: Deadline


def from_notification(letter_kind: str, notified: date, cal: LegalCalendar,
                      rules: DeadlineRules | None = None) -> list[NotifiedDelay]:
    """Every délai that the notification of this letter starts (rules data « from_notification »)."""
    rules = rules or default_rules()
    return [NotifiedDelay(name, compute(rules, name, notified, cal)) for name in rules.from_notification.get(letter_kind, ())]


@dataclass(frozen=True)
class LateIssue:
    letter_kind: str
    due: date
    start: date
    source: str
    message: str  # French: the window, then what issuing late changes in law


def late_issue(letter_kind: str, start: date, today: date, cal: LegalCalendar,
               rules: DeadlineRules | None = None) -> LateIssue | None:
    """None when a letter issued `today` is within its legal window (counted from `start`, the receipt)."""
    rules = rules or default_rules()
    window = rules.issue_windows.get(letter_kind)
    if window is None:
        return None
    due = compute(rules, window.rule, start, cal).due
    if today <= due:
        return None
    text = window.consequence.format(due=format_date_fr(due), start=format_date_fr(start))
    return LateIssue(letter_kind, due, start, window.source, f"{text} Source : {window.source}.")


def _awaiting_notification(what: str, history: list[str], flags: list[str] | tuple[str, ...] = ()) -> Clock:
    """A délai that runs from a notification not yet recorded: stated in words, never dated."""
    return Clock(None, f"Notification à saisir — {what}", None, "notification", TO_NOTIFY, tuple(history), tuple(flags))


def _status(next_date: date | None, today: date, suspended_since: date | None) -> tuple[int | None, str, str]:
    if suspended_since is not None:
        return None, "suspended", f"suspendue — en attente de pièces depuis le {format_date_fr(suspended_since)}"
    if next_date is None:
        return None, "none", "aucune échéance"
    left = (next_date - today).days
    if left < 0:
        return left, "overdue", f"dépassée de {-left} jour(s)"
    if left <= SOON_DAYS:
        return left, "soon", f"dans {left} jour(s)"
    return left, "later", f"dans {left} jour(s)"


# The event kinds each clock reads (docs/cli.md); `check_events` refuses any other in typed input.
AUDE_EVENT_KINDS = ("receipt", "acknowledged", "pieces_requested", "pieces_received", "complete", "avis",
                    "decision", "measure_chosen", "notified", "closed",
                    "avis_requested", "avis_given")  # accès partiel: each body's opinion, before the joint `avis`
EPS_EVENT_KINDS = ("receipt", "incomplete", "pieces_received", "decision", "modified_received", "notified")
EPS_CLOCK_REGIMES = ("declaration", "autorisation")


def iso_date(value, what: str) -> date:
    """A date typed as AAAA-MM-JJ, or ClockInputError naming the field (never Python's « isoformat »)."""
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ClockInputError(f"{what} : date illisible « {str(value)[:40]} » (format AAAA-MM-JJ attendu).") from None


def check_events(events, kinds: tuple[str, ...]) -> None:
    """Typed input (the CLI): a list of {on, kind} whose kinds the clock knows."""
    if not isinstance(events, list) or not events:
        raise ClockInputError("« events » doit être une liste non vide d'événements datés.")
    for n, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            raise ClockInputError(f"Événement n° {n} : un objet {{\"on\": …, \"kind\": …}} est attendu.")
        iso_date(event.get("on"), f"Événement n° {n}")
        if event.get("kind") not in kinds:
            raise ClockInputError(f"Événement n° {n} : nature inconnue « {str(event.get('kind'))[:40]} » ; "
                                  f"natures possibles : {', '.join(kinds)}.")
        if event["kind"] == "measure_chosen" and event.get("note") not in ("epreuve", "stage"):
            raise ClockInputError(f"Événement n° {n} : la mesure choisie (« note ») est « epreuve » ou « stage ».")
        if event["kind"] == "notified" and event.get("letter") not in default_rules().from_notification:
            # The délais a notification starts depend on the letter notified (rules data « from_notification »).
            raise ClockInputError(f"Événement n° {n} : « letter » doit nommer le courrier notifié ; possibles : "
                                  f"{', '.join(sorted(default_rules().from_notification))}.")


def _acquired(what: str, due: date, today: date) -> tuple[str, str]:
    """An implicit decision or a tacit authorisation that has arisen is a fact, not a late task:
    (« Autorisation tacite », « acquise le 2 mars 2026 (il y a 8 jours) »)."""
    days = (today - due).days
    return what, f"acquise le {format_date_fr(due)} (il y a {days} jour{'s' if days > 1 else ''})"


def _events(events: list[dict]) -> list[tuple[date, str, dict]]:
    parsed = []
    for n, event in enumerate(events, start=1):
        try:
            parsed.append((date.fromisoformat(event["on"]), event["kind"], event))
        except (KeyError, TypeError, ValueError):
            raise ClockInputError(f"Événement n° {n} illisible (date AAAA-MM-JJ et nature attendues).") from None
    return sorted(parsed, key=lambda e: e[0])


def _timeline(events: list[dict]) -> tuple[list[tuple[date, str, dict]], date]:
    """The events in date order, and the receipt that starts every delay."""
    timeline = _events(events)
    receipts = [d for d, k, _ in timeline if k == "receipt"]
    if not receipts:
        raise ClockInputError("Date de réception absente : elle fait courir tous les délais.")
    return timeline, receipts[0]


def aude_clock(events: list[dict], profession: str, region: str, today: date,
               rules: DeadlineRules | None = None) -> Clock:
    rules = rules or default_rules()
    if profession not in professions():
        raise ClockInputError(f"Profession inconnue : « {profession} ».")
    if region not in regions():
        raise ClockInputError(f"Région inconnue : « {region} ».")
    cal = cal_mod.calendar_for_region(region)
    timeline, received = _timeline(events)
    history: list[str] = [f"Réception du dossier le {format_date_fr(received)}."]
    kinds = {k for _, k, _ in timeline}
    for d, kind, _ in timeline:
        if d < received:
            raise ClockInputError(f"L'événement « {kind} » du {format_date_fr(d)} précède la réception du dossier.")
    avis = [d for d, k, _ in timeline if k == "avis"]
    decisions = [(d, e) for d, k, e in timeline if k == "decision"]
    if decisions and avis and decisions[0][0] < avis[-1]:
        raise ClockInputError("La décision ne peut pas précéder l'avis de la commission.")
    if "closed" in kinds:
        return Clock(None, "Dossier clos", None, "none", "aucune échéance", tuple(history))

    if "acknowledged" not in kinds:
        ack = compute(rules, "aude.acknowledgement", received, cal)
        history += ack.steps
        left, status, label = _status(ack.due, today, None)
        return Clock(ack.due, f"Accusé de réception à envoyer au plus tard le {format_date_fr(ack.due)}",
                     left, status, label, tuple(history))

    # Completeness: the 4 months run from the last complete/pieces_received; a pending request stops them.
    start, pending_since = None, None
    for d, kind, _ in timeline:
        if kind == "pieces_requested":
            pending_since = d
            history.append(f"Demande de pièces le {format_date_fr(d)} : le délai est suspendu.")
        elif kind == "pieces_received":
            if pending_since is None:
                raise ClockInputError(f"Pièces reçues le {format_date_fr(d)} sans demande de pièces en cours.")
            pending_since, start = None, d
            history.append(f"Dernière pièce reçue le {format_date_fr(d)} : le dossier est complet, le délai repart.")
        elif kind == "complete" and pending_since is None:
            start = d
    if decisions:
        decided, event = decisions[-1]
        if (event.get("note") or "") == "mesures_compensation":
            # The choice (2 months) and the épreuve (6 months) run from the notification of the decision.
            notified = notified_on(events, "aude.decision_mesures", decided)
            chosen = [(d, e.get("note")) for d, k, e in timeline if k == "measure_chosen" and d >= decided]
            if notified is not None:
                history.append(f"Décision notifiée le {format_date_fr(notified)}.")
            if chosen:
                day, measure = chosen[-1]
                history.append(f"Mesure choisie le {format_date_fr(day)} : {'stage d’adaptation' if measure == 'stage' else 'épreuve d’aptitude'}.")
                if measure == "stage":  # a stage lasts 3 years at most (counted from the decision, as before)
                    rule, start, what = "aude.stage_max", decided, "Fin du stage d’adaptation au plus tard le"
                elif notified is None:
                    return _awaiting_notification("l’épreuve d’aptitude doit être passée dans les six mois de la notification de la décision", history)
                else:
                    rule, start, what = "aude.epreuve", notified, "Épreuve d’aptitude à passer au plus tard le"
                limit = compute(rules, rule, start, cal)
                history += limit.steps
                left, status, label = _status(limit.due, today, None)
                return Clock(limit.due, f"{what} {format_date_fr(limit.due)}", left, status, label, tuple(history))
            if notified is None:
                return _awaiting_notification("le demandeur choisit sa mesure dans les deux mois de la notification de la décision", history)
            choice = compute(rules, "aude.measure_choice", notified, cal)
            history += choice.steps
            left, status, label = _status(choice.due, today, None)
            return Clock(choice.due, f"Choix de la mesure de compensation attendu au plus tard le {format_date_fr(choice.due)}",
                         left, status, label, tuple(history))
        return Clock(None, "Décision rendue", None, "none", "aucune échéance", tuple(history))
    if pending_since is not None:
        _, status, label = _status(None, today, pending_since)
        return Clock(None, f"Délai suspendu — en attente de pièces depuis le {format_date_fr(pending_since)}",
                     None, status, label, tuple(history))
    if start is None:
        return Clock(None, "Dossier non encore complet", None, "none", "aucune échéance", tuple(history))
    decision = compute(rules, "aude.decision", start, cal)
    history += decision.steps
    nature = "de rejet" if professions()[profession].silence_means == "rejection" else "d'acceptation"
    left, status, label = _status(decision.due, today, None)
    if today > decision.due:
        what, label = _acquired(f"Décision implicite {nature}", decision.due, today)
        return Clock(decision.due, what, left, status, label, tuple(history))
    return Clock(decision.due, f"Décision implicite {nature} le {format_date_fr(decision.due)}",
                 left, status, label, tuple(history))


def eps_clock(events: list[dict], regime: str, authority: str, urgent: bool, octroi_on: date | None,
              today: date, rules: DeadlineRules | None = None) -> Clock:
    rules = rules or default_rules()
    cal = cal_mod.calendar_for_authority(authority)
    timeline, received = _timeline(events)
    history = [f"Convention reçue le {format_date_fr(received)}."]
    flags: list[str] = []
    if regime == "declaration":
        if octroi_on is None:
            return Clock(None, "Date d'octroi inconnue", None, "none", "aucune échéance", tuple(history))
        latest = compute(rules, "eps.declaration_filing", octroi_on, cal)
        history += latest.steps
        if received > latest.due:
            flags.append(f"Dépôt tardif : au plus tard le {format_date_fr(latest.due)}, reçu le {format_date_fr(received)}.")
        return Clock(None, "Déclaration enregistrée", None, "none", "aucune échéance", tuple(history), tuple(flags))

    notice_limit = compute(rules, "eps.incomplete_notice", received, cal).due
    start = received
    for d, kind, _ in timeline:
        if kind == "incomplete":
            if d > notice_limit:
                flags.append(f"Avis d'incomplétude du {format_date_fr(d)} notifié après le délai d'un mois "
                             f"({format_date_fr(notice_limit)}) : il ne suspend pas le délai.")
                continue
            history.append(f"Dossier déclaré incomplet le {format_date_fr(d)} : le délai est suspendu.")
            start = None
        elif kind == "pieces_received" and start is None:
            start = d
            history.append(f"Pièces reçues le {format_date_fr(d)} : les deux mois repartent.")
    modified = [d for d, k, _ in timeline if k == "modified_received"]
    decisions = [(d, e.get("note")) for d, k, e in timeline if k == "decision"]
    if start is None:
        return Clock(None, "Délai suspendu — en attente des pièces demandées", None, "suspended",
                     "suspendue — en attente de pièces", tuple(history), tuple(flags))
    if modified:
        start = modified[-1]
        rule = "eps.urgent_modified_decision" if urgent else "eps.modified_decision"
        # Decisions recorded after the modified convention (same-day events keep their recorded order).
        last = max(i for i, (_d, k, _e) in enumerate(timeline) if k == "modified_received")
        decisions = [(d, e.get("note")) for i, (d, k, e) in enumerate(timeline) if k == "decision" and i > last]
    else:
        rule = "eps.urgent_decision" if urgent else "eps.autorisation_decision"
    due = compute(rules, rule, start, cal)
    history += due.steps
    if octroi_on is not None and octroi_on < due.due and not decisions:
        flags.append(f"L'octroi prévu le {format_date_fr(octroi_on)} précède la date de décision ({format_date_fr(due.due)}).")
    if decisions:
        decided, kind = decisions[-1]
        if kind == "refus" and not modified:
            notified = notified_on(events, "eps.refus", decided)
            if notified is None:
                return _awaiting_notification("la société peut déposer une convention modifiée dans les quinze jours de la notification du refus",
                                              history, flags)
            history.append(f"Refus notifié le {format_date_fr(notified)}.")
            filing = compute(rules, "eps.modified_filing", notified, cal)
            history += filing.steps
            left, status, label = _status(filing.due, today, None)
            return Clock(filing.due, f"Convention modifiée recevable jusqu'au {format_date_fr(filing.due)}",
                         left, status, label, tuple(history), tuple(flags))
        return Clock(None, "Décision rendue", None, "none", "aucune échéance", tuple(history), tuple(flags))
    left, status, label = _status(due.due, today, None)
    if today > due.due:
        what, label = _acquired("Autorisation tacite", due.due, today)
        return Clock(due.due, what, left, status, label, tuple(history), tuple(flags))
    return Clock(due.due, f"Autorisation tacite le {format_date_fr(due.due)} sans décision d'ici là", left, status,
                 label, tuple(history), tuple(flags))
