"""Defence in depth: the client keeps only records within the signed-in user's scope, even if a
faulty or compromised server sent more. The server remains the one that enforces access; both read
one definition (aude_desktop/domain/scope.py), the client from the records' own payloads.

A pièce, letter, annotation or Transparence Santé status has no scope of its own: it is kept only if
the record it belongs to is (a dossier or convention of the user's scope, held here or received in
the same pull), and an annotation only if its author is the user."""

from __future__ import annotations

from collections.abc import Callable

from aude_desktop.domain.commands import Actor
from aude_desktop.domain.scope import may_hold, needs_parent, parent_of

KEEP, DROP, HOLD = "keep", "drop", "hold"
__all__ = ["KEEP", "DROP", "HOLD", "in_scope", "parent_of", "child_verdict", "trusted_server_record"]


def in_scope(actor: Actor, kind: str, payload: dict | None) -> bool:
    """The record's own rule (its region, authority or author); a child's parent is checked apart."""
    return may_hold(actor, kind, payload)


def child_verdict(actor: Actor, kind: str, payload: dict | None,
                  parent_state: Callable[[str, str], bool | None]) -> str:
    """KEEP, DROP, or HOLD (parent not met yet). `parent_state(kind, id)` says whether the parent is
    known and in scope (True), known and out of it (False), or unknown (None)."""
    if payload is None:
        return KEEP
    if not in_scope(actor, kind, payload):
        return DROP
    if not needs_parent(actor, kind):
        return KEEP  # a record with its own scope, or DGOS's (every parent is)
    parent = parent_of(kind, payload)
    if parent is None:
        return DROP
    state = parent_state(*parent)
    return KEEP if state else (HOLD if state is None else DROP)


def trusted_server_record(actor: Actor, kind: str, entity_id: str, record,
                          parent_state: Callable[[str, str], bool | None]) -> bool:
    """A record the server returned outside the feed (a conflict's current value, the version a
    discard restores): the record asked for, in the user's scope, its parent held here."""
    if not isinstance(record, dict) or record.get("kind") != kind or record.get("id") != entity_id:
        return False
    if record.get("deleted"):
        return True
    payload = record.get("payload")
    if not isinstance(payload, dict) or not isinstance(record.get("version"), int):
        return False
    if not in_scope(actor, kind, payload):
        return False
    return child_verdict(actor, kind, payload, parent_state) == KEEP
