"""What a step's form is (Qt-free) and how French input becomes command arguments, for both
procedures: the action dialog (casework/views/action_dialog.py) only draws the fields and shows the
refusals; each procedure lists its forms (dossiers/forms.py, conventions/forms.py).

Conversion errors are refused with a French message naming the field; the workflow then checks the
meaning (dates in order, marks within 0–20, motifs required…), on this machine and on the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from aude_desktop.domain.commands import CommandRejected
from aude_desktop.paths import resources_dir


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # date, text, multiline, lines, choice, marks, int, bool, session
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    help: str = ""
    templates: str = ""  # key of resources/rules/motifs.json offered as ready-made motifs


@dataclass(frozen=True)
class Form:
    command: str
    title: str
    button: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


@cache
def motif_templates() -> dict[str, list[str]]:
    raw = json.loads((resources_dir() / "rules" / "motifs.json").read_text(encoding="utf-8"))
    return {k: v for k, v in raw.items() if isinstance(v, list)}


def to_args(form: Form, values: dict) -> dict:
    """Typed command arguments from what the agent entered; a French refusal names the field."""
    args: dict = {}
    for f in form.fields:
        value = values.get(f.key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []) and f.kind != "bool":
            if f.required:
                raise CommandRejected("champ_requis", f"« {f.label} » est obligatoire.")
            continue
        args[f.key] = _convert(f, value)
    return args


def _convert(f: Field, value):
    if f.kind == "date":
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise CommandRejected("date_invalide", f"« {f.label} » : date invalide.") from None
    if f.kind == "lines":
        items = value if isinstance(value, list) else str(value).splitlines()
        return [line.strip() for line in items if line.strip()]
    if f.kind == "marks":
        return [_decimal(part, f.label) for part in str(value).replace("\n", ";").split(";") if part.strip()]
    if f.kind == "int":
        try:
            return int(str(value))
        except ValueError:
            raise CommandRejected("nombre_invalide", f"« {f.label} » : nombre entier attendu.") from None
    if f.kind == "bool":
        return bool(value)
    return value


def _decimal(text: str, label: str) -> str:
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise CommandRejected("note_invalide", f"« {label} » : « {text.strip()} » n’est pas une note.") from None
    return str(number)
