"""What both procedures' state machines share: French refusals, dated arguments, and a registry of
named transitions, each allowed from some states and concerning some records only (the UI offers
only those). Each step runs on a copy of the payload: a refused step changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date

Transition = Callable[[dict, dict], dict]


class TransitionRefused(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def date_arg(args: dict, key: str, label: str) -> date:
    try:
        return date.fromisoformat(args.get(key))
    except (TypeError, ValueError):
        raise TransitionRefused("date_invalide", f"{label} : date invalide (format attendu AAAA-MM-JJ).") from None


def text_arg(args: dict, key: str, label: str, limit: int = 4000) -> str:
    """A free text argument, trimmed; anything but text (or control characters) refused in French —
    the server stores what commands return, so a list or a number here would reach every client."""
    from aude_desktop.domain.fields import text_field

    return (text_field(args.get(key), label, limit=limit) or "").strip()


def texts_arg(args: dict, key: str, label: str) -> list[str]:
    """A list of texts (missing pièces, subjects…); a single text is taken line by line."""
    value = args.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or len(value) > 200:
        raise TransitionRefused("type_invalide", f"{label} : liste de textes attendue.")
    from aude_desktop.domain.fields import text_field

    return [text.strip() for item in value if (text := text_field(item, label, limit=500)) and text.strip()]


def number_arg(args: dict, key: str, label: str, low: int, high: int) -> int | None:
    value = args.get(key)
    if value in (None, ""):
        return None
    try:
        number = int(value)
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
    except (TypeError, ValueError):
        raise TransitionRefused("nombre_invalide", f"{label} : nombre entier attendu.") from None
    if not low <= number <= high:
        raise TransitionRefused("nombre_invalide", f"{label} : entre {low} et {high}.")
    return number


def not_before(day: date, other: str | None, what: str, other_label: str) -> None:
    if other and day < date.fromisoformat(other):
        raise TransitionRefused(
            "date_incoherente",
            f"{what} ({day:%d/%m/%Y}) ne peut pas précéder {other_label} "
            f"({date.fromisoformat(other):%d/%m/%Y}) : corrigez la date.",
        )


class TransitionRegistry:
    """`state_of(payload)` gives the record's state; `labels` its French names; `the_record` and
    `a_record` (« le dossier », « un dossier ») the words of the refusal."""

    def __init__(self, state_of: Callable[[dict], object], labels: dict, the_record: str, a_record: str) -> None:
        self.transitions: dict[str, tuple[frozenset, Transition]] = {}
        self.applies: dict[str, Callable[[dict], bool]] = {}
        self.state_of, self.labels = state_of, labels
        self.the_record, self.a_record = the_record, a_record

    def transition(self, name: str, *allowed, applies: Callable[[dict], bool] = lambda _p: True):
        def register(fn: Transition) -> Transition:
            self.transitions[name] = (frozenset(allowed), fn)
            self.applies[name] = applies
            return fn

        return register

    def apply(self, name: str, payload: dict, args: dict) -> dict:
        """Run transition `name` on a copy of `payload`; the caller's payload is never modified."""
        if name not in self.transitions:
            raise TransitionRefused("transition_inconnue", f"Action inconnue : « {name} ».")
        allowed, fn = self.transitions[name]
        current = self.state_of(payload)
        if current not in allowed:
            possible = ", ".join(sorted(self.labels[s] for s in allowed))
            raise TransitionRefused(
                "transition_interdite",
                f"Action impossible : {self.the_record} est « {self.labels[current]} ». "
                f"Cette action n'est possible que pour {self.a_record} : {possible}.",
            )
        return fn(copy.deepcopy(payload), args)

    def available(self, payload: dict) -> list[str]:
        state = self.state_of(payload)
        return [name for name, (allowed, _) in self.transitions.items() if state in allowed and self.applies[name](payload)]
