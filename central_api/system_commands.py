"""Commands the server itself applies to a record (no client, no account): the same registry, the
same cursor, version and audit as a mutation, so the change reaches every client in its feed."""

from __future__ import annotations

import json

from sqlalchemy import Connection, select, update

from aude_desktop import catalog
from aude_desktop.domain.commands import Actor, CommandRejected
from central_api.audit import audit_append
from central_api.db import Record
from central_api.service import allocate_cursors, dumps


def apply_system_command(conn: Connection, actor: Actor, name: str, record_id: str, args: dict) -> int:
    """Inside the caller's transaction (which holds the writer lock): runs `name` on the live record,
    which keeps its scope. Returns the new version; CommandRejected if the command refuses."""
    spec = catalog.spec(name)
    row = conn.execute(select(Record.__table__).where(
        Record.kind == spec.kind, Record.id == record_id, Record.deleted.is_(False))).first()
    current = None if row is None else json.loads(row.payload)
    full_args = {**args, "id": record_id}
    payload = catalog.execute(name, current, full_args, actor)
    if payload.get("region") != row.region:  # a system command never moves a record out of its scope
        raise CommandRejected("hors_perimetre", "Une commande du serveur ne change pas la région d'un dossier.")
    version = row.version + 1
    conn.execute(update(Record).where(Record.kind == spec.kind, Record.id == record_id).values(
        version=version, cursor=allocate_cursors(conn), payload=dumps(payload)))
    audit_append(conn, actor.login, name, spec.kind, record_id, full_args)
    return version
