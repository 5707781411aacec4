"""Field checks shared by the commands of both procedures: precise French messages, no half-saves."""

from __future__ import annotations

import re
from datetime import date

from aude_desktop.domain.commands import CommandRejected

MAX_TEXT = 2000


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_field(value, label: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    if value is None or value == "":
        if required:
            raise CommandRejected("champ_requis", f"{label} : champ obligatoire.")
        return None
    if not isinstance(value, str):
        raise CommandRejected("type_invalide", f"{label} : texte attendu.")
    if len(value) > limit:
        raise CommandRejected("trop_long", f"{label} : {len(value)} caractères, {limit} au plus.")
    if CONTROL.search(value):
        # Invisible in every view and letter, refused by PostgreSQL (NUL): never a legitimate input.
        raise CommandRejected("caractere_interdit", f"{label} : caractères de contrôle invisibles non autorisés "
                                                    "(copier-coller depuis un autre logiciel ?).")
    return value


def date_field(value, label: str, *, required: bool = False) -> str | None:
    if value in (None, ""):
        if required:
            raise CommandRejected("champ_requis", f"{label} : date obligatoire.")
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise CommandRejected("date_invalide", f"{label} : date invalide (format attendu AAAA-MM-JJ).") from None


def object_fields(value, label: str, fields: tuple[str, ...], dates: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise CommandRejected("type_invalide", f"{label} : objet attendu.")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise CommandRejected("champ_inconnu", f"{label} : champ(s) inconnu(s) {', '.join(unknown)}.")
    return {
        f: date_field(value.get(f), f"{label} — {f}", required=f in required) if f in dates
        else text_field(value.get(f), f"{label} — {f}", required=f in required)
        for f in fields
    }
