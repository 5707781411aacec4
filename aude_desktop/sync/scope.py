"""Defence in depth: the client keeps only records within the signed-in user's scope, even if a
faulty or compromised server sent more. The server remains the one that enforces access
(central_api/scope.py); this is the same rule, read from the records' own payloads."""

from __future__ import annotations

from aude_desktop.sync.commands import Actor, instructing_authority

SHARED = ("ruleset", "annotation")  # rules for all; annotations are filtered by the server per author
AUDE = ("dossier", "piece", "commission_session", "epreuve_session", "letter")
EPS = ("convention", "letter", "transparence")


def in_scope(actor: Actor, kind: str, payload: dict | None) -> bool:
    if payload is None or kind in SHARED or actor.role == "dgos":
        return True  # a deletion reveals nothing; DGOS sees everything
    if actor.role == "agent_dreets":
        if kind not in AUDE:
            return False
        if kind in ("dossier", "commission_session", "epreuve_session"):
            return payload.get("region") == actor.region
        return kind == "piece" or bool(payload.get("dossier_id"))
    authority = instructing_authority(actor)
    if authority is None or kind not in EPS:
        return False
    if kind == "convention":
        return payload.get("authority") == authority
    return bool(payload.get("convention_id"))  # a letter or Transparence Santé status of a convention
