"""Defence in depth: the client keeps only records within the signed-in user's scope, even if a
faulty or compromised server sent more. The server remains the one that enforces access
(central_api/scope.py); this is the same rule, read from the records' own payloads.

A pièce, letter or annotation has no scope of its own: it is kept only if the record it belongs to
is (a dossier or convention of the user's scope, held here or received in the same pull), and an
annotation only if its author is the user."""

from __future__ import annotations

from collections.abc import Callable

from aude_desktop.domain.commands import Actor, instructing_authority

SHARED = ("ruleset",)  # rules for all
AUDE = ("dossier", "piece", "commission_session", "epreuve_session", "letter")
EPS = ("convention", "letter", "transparence")
PARENT_KEYS = {"piece": ("dossier_id",), "letter": ("dossier_id", "convention_id"),
               "annotation": ("dossier_id", "convention_id"), "transparence": ("convention_id",)}
KEEP, DROP, HOLD = "keep", "drop", "hold"


def in_scope(actor: Actor, kind: str, payload: dict | None) -> bool:
    """The record's own rule (its region, authority or author); a child's parent is checked apart."""
    if payload is None or kind in SHARED:
        return True  # a deletion reveals nothing
    if kind == "annotation":
        return payload.get("author") == actor.login
    if actor.role == "dgos":
        return True  # DGOS sees everything
    if actor.role == "agent_dreets":
        if kind not in AUDE:
            return False
        if kind in ("dossier", "commission_session", "epreuve_session"):
            return payload.get("region") == actor.region
        return bool(payload.get("dossier_id"))
    authority = instructing_authority(actor)
    if authority is None or kind not in EPS:
        return False
    if kind == "convention":
        return payload.get("authority") == authority
    return bool(payload.get("convention_id"))  # a letter or Transparence Santé status of a convention


def parent_of(kind: str, payload: dict | None) -> tuple[str, str] | None:
    """(kind, id) of the dossier or convention a pièce, letter or annotation belongs to."""
    for key in PARENT_KEYS.get(kind, ()):
        value = (payload or {}).get(key)
        if isinstance(value, str) and value:
            return ("dossier" if key == "dossier_id" else "convention"), value
    return None


def child_verdict(actor: Actor, kind: str, payload: dict | None,
                  parent_state: Callable[[str, str], bool | None]) -> str:
    """KEEP, DROP, or HOLD (parent not met yet). `parent_state(kind, id)` says whether the parent is
    known and in scope (True), known and out of it (False), or unknown (None)."""
    if payload is None or kind not in PARENT_KEYS:
        return KEEP
    if not in_scope(actor, kind, payload):
        return DROP
    if actor.role == "dgos":
        return KEEP  # every dossier and convention is DGOS's
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
