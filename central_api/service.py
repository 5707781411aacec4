"""What the endpoints do, without HTTP: cursors, mutations applied exactly once, audit chain."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from aude_desktop.sync import commands
from aude_desktop.sync.commands import Actor, CommandRejected
from central_api.db import AppliedMutation, AttachmentRef, AuditEntry, Counter, Record
from central_api.references import assign_reference
from central_api.scope import may_see, may_write_kind

RECORDS_COUNTER = "records"
GENESIS = "0" * 64


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def ensure_counter(conn: Connection) -> None:
    if conn.execute(select(Counter.value).where(Counter.name == RECORDS_COUNTER)).first() is None:
        conn.execute(insert(Counter).values(name=RECORDS_COUNTER, value=0))


def allocate_cursors(conn: Connection, count: int = 1) -> int:
    """Reserve `count` cursors; returns the last. The UPDATE takes the row lock (PostgreSQL) or the
    database write lock (SQLite) until commit, so cursors become visible in increasing order."""
    return conn.execute(
        update(Counter).where(Counter.name == RECORDS_COUNTER).values(value=Counter.value + count).returning(Counter.value)
    ).scalar_one()


def current_cursor(conn: Connection) -> int:
    return conn.execute(select(Counter.value).where(Counter.name == RECORDS_COUNTER)).scalar() or 0


# -- audit ---------------------------------------------------------------------------------------


def _entry_hash(prev: str, at: str, login: str, command: str, kind: str, record_id: str, args_hash: str) -> str:
    material = "|".join((prev, at, login, command, kind, record_id, args_hash))
    return hashlib.sha256(material.encode()).hexdigest()


def audit_append(conn: Connection, login: str, command: str, kind: str, record_id: str, args: Any) -> None:
    """Called inside the writer's transaction, after the cursor lock: entries chain in commit order."""
    prev = conn.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar() or GENESIS
    at = datetime.now(UTC)
    args_hash = hashlib.sha256(dumps(args).encode()).hexdigest()
    digest = _entry_hash(prev, at.isoformat(), login, command, kind, record_id, args_hash)
    conn.execute(
        insert(AuditEntry).values(
            at=at, login=login, command=command, record_kind=kind, record_id=record_id,
            args_hash=args_hash, prev_hash=prev, hash=digest,
        )
    )


def audit_verify(engine: Engine) -> tuple[int, int | None, str]:
    """(entries checked, id of the first broken entry or None, French explanation)."""
    prev = GENESIS
    count = 0
    with engine.connect() as conn:
        for entry in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).yield_per(5000):
            count += 1
            at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
            expected = _entry_hash(prev, at.isoformat(), entry.login, entry.command, entry.record_kind, entry.record_id, entry.args_hash)
            if entry.prev_hash != prev:
                return count, entry.id, f"L'entrée {entry.id} ne suit pas l'entrée précédente (maillon supprimé ou inséré)."
            if entry.hash != expected:
                return count, entry.id, f"L'entrée {entry.id} a été modifiée après son écriture (empreinte différente)."
            prev = entry.hash
    return count, None, f"Chaîne intègre : {count} entrées vérifiées."


# -- mutations -----------------------------------------------------------------------------------


def _scope_of(conn: Connection, kind: str, payload: dict, actor: Actor) -> tuple[str | None, str | None, str | None]:
    if kind in ("dossier", "commission_session"):
        return payload.get("region"), None, None
    if kind == "convention":
        return None, payload.get("authority"), None
    if kind == "annotation":
        return None, None, actor.login
    if kind == "letter":  # the scope of the record it was written for
        parent_kind, parent_id = ("dossier", payload.get("dossier_id")) if payload.get("dossier_id") else ("convention", payload.get("convention_id"))
        parent = conn.execute(select(Record.region, Record.authority).where(
            Record.kind == parent_kind, Record.id == parent_id, Record.deleted.is_(False))).first()
        if parent is None:
            raise CommandRejected("introuvable", "Le dossier ou la convention de ce courrier est introuvable sur le serveur.")
        return parent.region, parent.authority, None
    if kind == "piece":
        region = conn.execute(
            select(Record.region).where(Record.kind == "dossier", Record.id == payload.get("dossier_id"), Record.deleted.is_(False))
        ).scalar()
        if region is None:
            raise CommandRejected("dossier_introuvable", "Le dossier de cette pièce est introuvable sur le serveur.")
        return region, None, None
    return None, None, None


def _current(record) -> dict | None:
    if record is None:
        return None
    return {"kind": record.kind, "id": record.id, "version": record.version, "deleted": record.deleted,
            "payload": None if record.deleted else json.loads(record.payload)}


def apply_mutation(conn: Connection, actor: Actor, mutation: dict) -> dict:
    """One mutation, inside the caller's transaction (which holds the cursor lock)."""
    name, args = mutation["name"], mutation["args"]
    base = {"id": mutation["id"], "seq": mutation["seq"]}
    try:
        spec = commands.spec(name)
        if not may_write_kind(actor, spec.kind):
            raise CommandRejected("hors_perimetre", "Vos droits ne permettent pas cette modification.")
        record_id = args.get("id")
        if not isinstance(record_id, str) or not 1 <= len(record_id) <= 36:
            raise CommandRejected("arguments_invalides", "Identifiant d'enregistrement absent ou invalide (« id »).")
        record = conn.execute(select(Record.__table__).where(Record.kind == spec.kind, Record.id == record_id)).first()
        if record is not None and not may_see(actor, record.kind, record.region, record.authority, record.owner):
            raise CommandRejected("hors_perimetre", "Cet enregistrement ne relève pas de votre périmètre.")
        expected = mutation.get("base_version")
        if record is not None and expected is not None and record.version != expected:
            return base | {
                "status": "conflict",
                "message": "L'enregistrement a été modifié sur le serveur depuis votre dernière synchronisation.",
                "current": _current(record),
            }
        current = None if record is None or record.deleted else json.loads(record.payload)
        payload = commands.execute(name, current, args, actor)
        region, authority, owner = _scope_of(conn, spec.kind, payload, actor)
        if not may_see(actor, spec.kind, region, authority, owner):
            raise CommandRejected("hors_perimetre", "Cet enregistrement ne relève pas de votre périmètre.")
        payload = assign_reference(conn, name, payload)
    except CommandRejected as exc:
        return base | {"status": "rejected", "code": exc.code, "message": exc.message}
    cursor = allocate_cursors(conn)
    version = (record.version + 1) if record is not None else 1
    values = dict(version=version, cursor=cursor, deleted=False, region=region, authority=authority, owner=owner, payload=dumps(payload))
    if record is None:
        conn.execute(insert(Record).values(kind=spec.kind, id=record_id, **values))
    else:
        conn.execute(update(Record).where(Record.kind == spec.kind, Record.id == record_id).values(**values))
    set_attachment_refs(conn, spec.kind, record_id, payload)
    audit_append(conn, actor.login, name, spec.kind, record_id, args)
    return base | {"status": "applied", "version": version}


def apply_batch(engine: Engine, actor: Actor, client_id: str, mutations: list[dict]) -> list[dict]:
    """Each mutation in its own transaction with its (client_id, seq) record: exactly once."""
    results = []
    for mutation in mutations:
        with engine.begin() as conn:
            allocate_cursors(conn, 0)  # take the writer lock before reading anything
            prior = conn.execute(
                select(AppliedMutation.result).where(
                    AppliedMutation.client_id == client_id, AppliedMutation.seq == mutation["seq"]
                )
            ).scalar()
            if prior is not None:
                results.append(json.loads(prior))
                continue
            result = apply_mutation(conn, actor, mutation)
            conn.execute(
                insert(AppliedMutation).values(
                    client_id=client_id, seq=mutation["seq"], mutation_id=mutation["id"], login=actor.login, result=dumps(result)
                )
            )
            results.append(result)
    return results


def attachment_hashes(kind: str, payload: dict) -> set[str]:
    if kind in ("piece", "letter"):
        return {payload["sha256"]} if payload.get("sha256") else set()
    if kind == "convention":
        return {a["sha256"] for a in payload.get("attachments") or [] if isinstance(a, dict) and a.get("sha256")}
    return set()


def set_attachment_refs(conn: Connection, kind: str, record_id: str, payload: dict) -> None:
    """The files this record names, replaced with the record (in the same transaction)."""
    if kind not in ("piece", "letter", "convention"):
        return
    conn.execute(delete(AttachmentRef).where(AttachmentRef.kind == kind, AttachmentRef.record_id == record_id))
    hashes = attachment_hashes(kind, payload)
    if hashes:
        conn.execute(insert(AttachmentRef), [{"sha256": h, "kind": kind, "record_id": record_id} for h in hashes])


def may_download(conn: Connection, actor: Actor, sha256: str) -> bool:
    """A file is served to whoever may see at least one live record that names it."""
    rows = conn.execute(
        select(Record.kind, Record.region, Record.authority, Record.owner)
        .join(AttachmentRef, and_(AttachmentRef.kind == Record.kind, AttachmentRef.record_id == Record.id))
        .where(AttachmentRef.sha256 == sha256, Record.deleted.is_(False))
    ).all()
    return any(may_see(actor, r.kind, r.region, r.authority, r.owner) for r in rows)


def insert_system_record(conn: Connection, kind: str, record_id: str, payload: dict, *, region=None, authority=None,
                         login: str = "systeme", command: str = "system.import") -> int:
    """A record created by the server itself (company filing, CNOM import), audited like the rest."""
    cursor = allocate_cursors(conn)
    conn.execute(
        insert(Record).values(kind=kind, id=record_id, version=1, cursor=cursor, deleted=False, region=region,
                              authority=authority, owner=None, payload=dumps(payload))
    )
    set_attachment_refs(conn, kind, record_id, payload)
    audit_append(conn, login, command, kind, record_id, payload)
    return cursor
