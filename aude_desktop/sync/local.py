"""Running a domain command on this machine: local effect and outbox entry in ONE transaction.

The user sees the result at once (read-your-writes); the sync engine sends the entry later, and
the server re-checks it with the same command code.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from aude_desktop import catalog
from aude_desktop.domain import commands
from aude_desktop.domain.commands import Actor
from aude_desktop.store.database import LocalStore
from aude_desktop.store.models import AuditEntry, OutboxEntry
from aude_desktop.sync import materialize


def current_payload(session, kind: str, entity_id: str) -> tuple[dict | None, int | None]:
    model = materialize.MAIN_MODELS.get(kind)
    row = session.get(model, entity_id) if model is not None else None
    if row is None:
        return None, None
    return materialize.DUMPERS[kind](session, entity_id), row.version


def related_payload(session, name: str, args: dict) -> dict | None:
    """The local copy of the record a command reads besides its own (None: not on this machine)."""
    key = catalog.related_key(name, args)
    return current_payload(session, *key)[0] if key else None


def published_rulesets(session, name: str) -> tuple[dict, ...]:
    """The rulesets received through sync, for the commands that read them (the server passes its own)."""
    if session is None or not catalog.spec(name).rulesets:
        return ()
    from aude_desktop.conventions.rulesets import local_published

    return tuple(local_published(session))


def run_command(store: LocalStore, actor: Actor, name: str, args: dict) -> str:
    """Apply `name` locally and queue it; returns the entity id. Raises CommandRejected (French)."""
    with store.session() as s:
        return apply_command(s, actor, name, args)


def apply_command(s, actor: Actor, name: str, args: dict) -> str:
    """`run_command` inside the caller's transaction, for work that must commit with it or not at all."""
    spec = catalog.spec(name)
    entity_id = args.setdefault("id", str(uuid.uuid4()))
    current, version = current_payload(s, spec.kind, entity_id)
    payload = catalog.execute(name, current, args, actor, related_payload(s, name, args), published_rulesets(s, name))
    materialize.materialize(s, [(spec.kind, entity_id, version or 0, payload)])
    queued_before = s.scalar(
        select(func.count()).select_from(OutboxEntry)
        .where(OutboxEntry.entity_id == entity_id, OutboxEntry.status == "pending")
    )
    # Only the first queued command of a record is checked against the server's version; the
    # next ones apply on top of it (the engine sends them one round after the other).
    base_version = None if queued_before else (version or None)
    s.add(OutboxEntry(id=str(uuid.uuid4()), name=name, entity_kind=spec.kind, entity_id=entity_id,
                      args=args, base_version=base_version, status="pending"))
    s.add(AuditEntry(actor=actor.login, command=name, entity_kind=spec.kind, entity_id=entity_id))
    return entity_id


def fold(kind: str, server_payload: dict, pending: list[OutboxEntry], actor: Actor, session=None) -> dict:
    """Re-apply unsent local commands on top of a newer server version of the record."""
    payload = server_payload
    for entry in pending:
        try:
            related = related_payload(session, entry.name, entry.args) if session is not None else None
            payload = catalog.execute(entry.name, payload, dict(entry.args), actor, related,
                                      published_rulesets(session, entry.name))
        except commands.CommandRejected:
            continue  # no longer applicable here; the server will answer for it when it is sent
    return payload
