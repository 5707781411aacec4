"""The pièces of an AUDE dossier (arrêté of 20 January 2010) — rules data, resources/rules/pieces.json:
their codes, labels and which situations need them. Every module asks here (commands, scans, the
checklist, letters, the demo data), so a new item is one line of the file."""

from __future__ import annotations

import json
from functools import cache

from aude_desktop.paths import resources_dir


@cache
def checklist_rules() -> dict:
    return json.loads((resources_dir() / "rules" / "pieces.json").read_text(encoding="utf-8"))


@cache
def piece_codes() -> tuple[str, ...]:
    return tuple(item["code"] for item in checklist_rules()["items"])


def expected_items(situation: str) -> list[dict]:
    """Items that a dossier of this situation must hold (arrêté of 20 January 2010)."""
    return [i for i in checklist_rules()["items"] if i["situations"] == "all" or situation in i["situations"]]


def code_pattern() -> str:
    """A regular-expression class matching one pièce code (every code of the rules data)."""
    return "[" + "".join(piece_codes()) + "]"


def unknown_code(code) -> str:
    """The French refusal of a code the arrêté does not list (commands and scans say the same)."""
    codes = piece_codes()
    text = checklist_rules()["source"].split(" (")[0].lower()  # « arrêté du 20 janvier 2010 »
    return f"Code de pièce inconnu : « {str(code)[:40]} » ({codes[0]} à {codes[-1]}, {text})."
