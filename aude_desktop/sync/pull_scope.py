"""What a pull keeps: each record checked against the signed-in user's scope before it is stored,
children (pièces, letters, annotations) against the record they belong to.

A child may come before its parent in the change feed (a dossier changed after its pièces comes
after them). Such a child is held in memory until its parent arrives in scope; meanwhile the cursor
stored with each page stays before the held child, so a pull cut short fetches it again. What is
still held when the feed ends has no parent in the user's scope: it is dropped and reported."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from aude_desktop.domain.commands import Actor
from aude_desktop.domain.scope import PARENT_KINDS
from aude_desktop.sync import materialize
from aude_desktop.sync.scope import (
    HOLD,
    KEEP,
    child_verdict,
    in_scope,
    parent_of,
    trusted_server_record,
)

log = logging.getLogger(__name__)
DROPPED_WARNING = ("{n} enregistrement(s) hors de votre périmètre envoyé(s) par le serveur ont été ignorés "
                   "(non enregistrés sur ce poste). Prévenez votre support.")


def local_parents(s: Session, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, id) of `wanted` this machine holds (only in-scope parents are ever stored)."""
    found = set()
    for kind in PARENT_KINDS:
        ids = sorted(i for k, i in wanted if k == kind)
        model = materialize.MAIN_MODELS[kind]
        for start in range(0, len(ids), 500):
            found.update((kind, i) for i in s.scalars(select(model.id).where(model.id.in_(ids[start:start + 500]))))
    return found


class PullScope:
    def __init__(self, actor: Actor | None):
        self.actor = actor
        self.parents: dict[tuple[str, str], bool] = {}  # met in this pull: in scope or not
        self.held: dict[str, tuple[dict, int]] = {}  # child id -> (change, cursor before its page)
        self.dropped = 0

    def filter(self, s: Session, changes: list[dict], since: int) -> list[dict]:
        """The changes of one page to store; children waiting for their parent are held."""
        if self.actor is None:
            return changes
        kept = []
        for change in changes:
            self.held.pop(change["id"], None)  # a newer version decides
            payload = None if change["deleted"] else change["payload"]
            ok = in_scope(self.actor, change["kind"], payload)
            if change["kind"] in PARENT_KINDS:
                self.parents[(change["kind"], change["id"])] = ok and payload is not None
            if ok:
                kept.append(change)
            else:
                self.dropped += 1
        unknown = {parent_of(c["kind"], c["payload"]) for c in kept if not c["deleted"]} - {None} - set(self.parents)
        local = local_parents(s, unknown) if unknown else set()

        def state(kind: str, record_id: str) -> bool | None:
            return self.parents.get((kind, record_id), True if (kind, record_id) in local else None)

        out = []
        for change in kept:
            verdict = child_verdict(self.actor, change["kind"], None if change["deleted"] else change["payload"], state)
            if verdict == KEEP:
                out.append(change)
            elif verdict == HOLD:
                self.held[change["id"]] = (change, since)
            else:
                self.dropped += 1
        for child_id, (change, _since) in list(self.held.items()):  # parents of this page arrived?
            verdict = self.parents.get(parent_of(change["kind"], change["payload"]))
            if verdict is not None:
                del self.held[child_id]
                if verdict:
                    out.append(change)
                else:
                    self.dropped += 1
        return out

    def cursor_to_store(self, next_cursor: int) -> int:
        """Never past a held child: a pull cut short must fetch it again."""
        return min([next_cursor, *(since for _change, since in self.held.values())])

    def finish(self, warnings: list[str]) -> None:
        """The feed is over: children whose parent never came are outside the user's scope."""
        self.dropped += len(self.held)
        self.held.clear()
        if self.dropped:
            log.warning("%d pulled record(s) outside the user's scope ignored", self.dropped)
            warnings.append(DROPPED_WARNING.format(n=self.dropped))
            self.dropped = 0

    def trusted(self, s: Session, kind: str, entity_id: str, record) -> bool:
        """A record the server returned outside the feed (conflict, discard) may be stored here."""
        if self.actor is None:
            return True

        def state(parent_kind: str, parent_id: str) -> bool | None:
            return (parent_kind, parent_id) in local_parents(s, {(parent_kind, parent_id)}) or None

        return trusted_server_record(self.actor, kind, entity_id, record, state)

