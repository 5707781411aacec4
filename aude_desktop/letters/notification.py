"""The notification date of a decision letter: the day the recipient received it (registered letter:
the date on the notice of receipt; electronic notification: the date of reading). Entered later by
the agent, it starts the délais that run « à compter de la notification » (rules/deadlines.py).

It is recorded on the record the letter belongs to (an event « notified » in the dossier's
`clock_events` or the convention's `events`), so the legal clock, the queues and the sync see it
like every other dated step. The command reads the letter (never writes it): the server loads it
within the caller's scope, the client from its copy.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from aude_desktop.domain.commands import Actor, CommandRejected, command
from aude_desktop.domain.fields import date_field
from aude_desktop.rules.calendar import format_date_fr

MODES = {
    "lrar": "lettre recommandée avec accusé de réception (date de distribution)",
    "electronique": "notification électronique (date de lecture)",
}
EVENT_KEY = {"dossier": "clock_events", "convention": "events"}


def decision_kinds() -> set[str]:
    """Letter kinds (« aude.decision_mesures »…) whose notification is recorded: the decisions."""
    from aude_desktop.letters.templates import templates

    return {f"{procedure}.{kind}" for procedure in ("aude", "eps") for kind, t in templates(procedure).items() if t.decision}


def uuid_arg(value, label: str) -> str:
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) and len(value) == 36 else _bad(label)
    except ValueError:
        return _bad(label)


def _bad(label: str) -> str:
    raise CommandRejected("identifiant_invalide", f"{label} : identifiant invalide (UUID attendu).")


def _letter_of(args: dict) -> tuple[str, str] | None:
    letter_id = args.get("letter_id")
    return ("letter", letter_id) if isinstance(letter_id, str) else None


def _notify(record_kind: str, current: dict, args: dict, letter: dict | None, today: date) -> dict:
    letter_id = uuid_arg(args.get("letter_id"), "Courrier")
    if letter is None:
        raise CommandRejected("courrier_introuvable", "Courrier introuvable : il n'est pas (encore) enregistré ou relève d'un autre périmètre.")
    owner = letter.get("dossier_id") if record_kind == "dossier" else letter.get("convention_id")
    if owner != args.get("id"):
        raise CommandRejected("arguments_invalides", "Ce courrier a été émis pour un autre dossier ou une autre convention.")
    if letter.get("kind") not in decision_kinds():
        raise CommandRejected("courrier_sans_notification",
                              "Seule la notification d'une décision est enregistrée (accusés, demandes et convocations n'en ont pas).")
    mode = args.get("mode")
    if mode not in MODES:
        raise CommandRejected("mode_invalide", "Mode de notification : « lrar » (lettre recommandée) ou « electronique ».")
    on = date.fromisoformat(date_field(args.get("notified_on"), "Date de notification", required=True))
    issued = date.fromisoformat(letter["issued_on"])
    if on < issued:
        raise CommandRejected("date_incoherente", f"La notification ({format_date_fr(on)}) ne peut pas précéder la date du "
                                                  f"courrier ({format_date_fr(issued)}).")
    if on > today:
        raise CommandRejected("date_future", f"La notification ({format_date_fr(on)}) ne peut pas être dans le futur : "
                                             "saisissez la date portée sur l'avis de réception ou de lecture.")
    key = EVENT_KEY[record_kind]
    # A second entry for the same letter corrects the first (a typo on the date): one event per letter.
    events = [e for e in current.get(key) or [] if not (e.get("kind") == "notified" and e.get("letter_id") == letter_id)]
    events.append({"on": on.isoformat(), "kind": "notified", "note": f"{letter.get('reference')} — {MODES[mode]}",
                   "letter": letter["kind"], "letter_id": letter_id, "mode": mode})
    return {**current, key: events}


@command("dossier.notify_letter", "dossier", related=_letter_of)
def notify_dossier_letter(current: dict, args: dict, actor: Actor, letter: dict | None) -> dict:
    return _notify("dossier", current, args, letter, date.today())


@command("convention.notify_letter", "convention", related=_letter_of)
def notify_convention_letter(current: dict, args: dict, actor: Actor, letter: dict | None) -> dict:
    if current.get("read_only"):
        raise CommandRejected("lecture_seule", "Convention importée du CNOM : consultation seulement.")
    return _notify("convention", current, args, letter, date.today())


@dataclass(frozen=True)
class Notification:
    on: date
    mode: str


def notifications(payload: dict, record_kind: str) -> dict[str, Notification]:
    """letter id → its recorded notification, for the letters list of a record."""
    out = {}
    for e in payload.get(EVENT_KEY[record_kind]) or []:
        if e.get("kind") == "notified" and e.get("letter_id"):
            out[e["letter_id"]] = Notification(date.fromisoformat(e["on"]), e.get("mode") or "")
    return out
