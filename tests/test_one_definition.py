"""Rules defined once: the open and closed states of each procedure (dossiers/states.py,
conventions/states.py), « soon » (rules/soon.SOON_DAYS) and the pièce codes (rules data,
resources/rules/pieces.json via rules/pieces.py). A module that types them again fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("aude_desktop", "central_api")
STATE_HOMES = {"aude_desktop/dossiers/states.py", "aude_desktop/conventions/states.py"}
# Enough of a set to recognise it typed again (a letter template naming one state is not a retyped set).
STATE_SETS = {
    "dossier closed states": {"refuse", "irrecevable"},
    "convention closed states": {"autorisee_tacitement", "refusee"},
    "dossier open states": {"recu", "incomplet", "complet", "en_commission"},
    "convention open states": {"incomplete", "en_instruction", "modifiee_recue"},
}
FINAL_STATES = {"clos", "close"}


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def _strings(node: ast.AST) -> set[str]:
    return {e.value for e in getattr(node, "elts", []) if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def _is_state(node: ast.AST) -> bool:
    """`x.state`, `p["state"]` or `p.get("state")`."""
    if isinstance(node, ast.Attribute):
        return node.attr == "state"
    if isinstance(node, ast.Subscript):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "state"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and bool(node.args) and isinstance(node.args[0], ast.Constant) and node.args[0].value == "state")


def test_states_are_listed_in_their_states_module_only():
    found = []
    for name, source in _modules():
        if name in STATE_HOMES:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                values = _strings(node)
                found += [f"{name}:{node.lineno} {what}" for what, marker in STATE_SETS.items() if marker <= values]
            if isinstance(node, ast.Compare) and any(_is_state(c) for c in [node.left, *node.comparators]):
                # state != "clos": the final state typed instead of named
                constants = {c.value for c in [node.left, *node.comparators] if isinstance(c, ast.Constant)}
                found += [f"{name}:{node.lineno} final state" for _ in constants & FINAL_STATES]
    assert not found, "states typed again instead of imported from their states module: " + ", ".join(found)


def test_soon_days_is_defined_once():
    definitions = [name for name, source in _modules()
                   for node in ast.walk(ast.parse(source))
                   if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "SOON_DAYS" for t in node.targets)]
    assert definitions == ["aude_desktop/rules/soon.py"]


def test_piece_codes_come_from_the_rules_data():
    retyped = re.compile(r"abcdefghi|\[a-i\]|\(a à i\)")
    found = [f"{name}:{n}" for name, source in _modules() for n, line in enumerate(source.splitlines(), 1)
             if retyped.search(line)]
    assert not found, "pièce codes typed again instead of rules/pieces.piece_codes(): " + ", ".join(found)
    from aude_desktop.rules.pieces import code_pattern, piece_codes, unknown_code

    assert piece_codes() == tuple("abcdefghi") and code_pattern() == "[abcdefghi]"
    assert unknown_code("z") == "Code de pièce inconnu : « z » (a à i, arrêté du 20 janvier 2010)."


def test_the_closed_and_open_states_cover_each_procedure():
    from aude_desktop.conventions import states as eps
    from aude_desktop.dossiers import states as aude

    lps_closed = {aude.LpsState.REFUSEE, aude.LpsState.CLOSE}
    assert set(aude.CLOSED_STATES) | aude.OPEN_STATES == set(aude.DossierState) | lps_closed
    assert not set(aude.CLOSED_STATES) & aude.OPEN_STATES
    assert not set(eps.CLOSED_STATES) & eps.OPEN_STATES
    assert set(eps.ConventionState) - set(eps.CLOSED_STATES) - eps.OPEN_STATES == {"enregistree", "recommandations"}
