"""What the endpoints do, without HTTP: cursors, mutations applied exactly once, audit chain."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from aude_desktop import catalog
from aude_desktop.domain import commands, scope
from aude_desktop.domain.commands import Actor, CommandRejected
from central_api import files
from central_api.audit import audit_append, audit_verify  # noqa: F401 (audit_verify: re-exported)
from central_api.db import (
    AppliedMutation,
    AttachmentRef,
    ClientBinding,
    Counter,
    Record,
    ScopeExit,
)
from central_api.references import assign_reference
from central_api.scope import may_see, may_write_kind

RECORDS_COUNTER = "records"
REFERENCED_KINDS = ("dossier", "convention", "letter")  # their reference is unique per kind
log = logging.getLogger("central_api")


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


# -- mutations -----------------------------------------------------------------------------------


# The child whose parent the server cannot find: (reason code, French message).
PARENT_MISSING = {
    "piece": ("dossier_introuvable", "Le dossier de cette pièce est introuvable sur le serveur."),
    "letter": ("introuvable", "Le dossier ou la convention de ce courrier est introuvable sur le serveur."),
    "annotation": ("introuvable", "Le dossier ou la convention de cette annotation est introuvable sur le serveur."),
}


def scope_columns(conn: Connection, kind: str, payload: dict, author: str | None = None) -> dict | None:
    """The scope columns stored beside a record (aude_desktop/domain/scope.py says which); a child
    takes its parent's. None when the parent is absent or deleted."""
    def parent(parent_kind: str, parent_id: str) -> dict | None:
        row = conn.execute(select(Record.region, Record.authority, Record.company).where(
            Record.kind == parent_kind, Record.id == parent_id, Record.deleted.is_(False))).first()
        return None if row is None else row._asdict()

    return scope.stored_columns(kind, payload, author, parent)


def _scope_of(conn: Connection, kind: str, payload: dict, actor: Actor) -> dict:
    columns = scope_columns(conn, kind, payload, actor.login)
    if columns is None:
        raise CommandRejected(*PARENT_MISSING.get(kind, ("introuvable", "L'enregistrement parent est introuvable sur le serveur.")))
    return columns


def company_of(conn: Connection, kind: str, payload: dict) -> str | None:
    """The SIREN whose company channel shows this record: an EPS convention's company, and the
    letters written about it (imported CNOM conventions are not the company's filings here)."""
    columns = scope_columns(conn, kind, payload)
    return columns["company"] if columns else None


def _related(conn: Connection, actor: Actor, name: str, args: dict) -> dict | None:
    """The record a command reads besides its own (a letter, a dossier): None when absent, deleted
    or outside the caller's scope — the command then refuses, naming what is missing."""
    key = catalog.related_key(name, args)
    if key is None or not isinstance(key[1], str):
        return None
    row = conn.execute(select(Record.__table__).where(Record.kind == key[0], Record.id == key[1])).first()
    if row is None or row.deleted or not may_see(actor, row.kind, row.region, row.authority, row.owner):
        return None
    return json.loads(row.payload)


def published_rulesets(conn: Connection, name: str | None = None) -> tuple[dict, ...]:
    """The rulesets published through the change feed (every client receives the same payloads),
    for the commands that read them and the company filing endpoint (name None)."""
    if name is not None and not catalog.spec(name).rulesets:
        return ()
    rows = conn.execute(select(Record.payload).where(Record.kind == "ruleset", Record.deleted.is_(False)))
    return tuple(json.loads(payload) for (payload,) in rows)


def _current(record) -> dict | None:
    if record is None:
        return None
    return {"kind": record.kind, "id": record.id, "version": record.version, "deleted": record.deleted,
            "payload": None if record.deleted else json.loads(record.payload)}


def reference_of(kind: str, payload: dict) -> str | None:
    reference = payload.get("reference") if kind in REFERENCED_KINDS else None
    return reference if isinstance(reference, str) and reference else None


def check_reference_free(conn: Connection, kind: str, record_id: str, reference: str | None) -> None:
    """Every client holds references in a unique index: a duplicate would stop their sync."""
    if reference is None:
        return
    if len(reference) > 200:
        raise CommandRejected("reference_invalide", "Référence trop longue (200 caractères au plus).")
    holder = conn.execute(select(Record.id).where(Record.kind == kind, Record.reference == reference)).scalar()
    if holder is not None and holder != record_id:
        raise CommandRejected("reference_existante",
                              f"La référence « {reference} » est déjà celle d'un autre enregistrement : choisissez-en une autre.")


def apply_mutation(conn: Connection, actor: Actor, mutation: dict) -> dict:
    """One mutation, inside the caller's transaction (which holds the cursor lock)."""
    name, args = mutation["name"], mutation["args"]
    base = {"id": mutation["id"], "seq": mutation["seq"]}
    try:
        spec = catalog.spec(name)
        if not may_write_kind(actor, spec.kind):
            raise CommandRejected("hors_perimetre", "Vos droits ne permettent pas cette modification.")
        record_id = commands.check_record_id(args.get("id") if isinstance(args, dict) else None)
        record = conn.execute(select(Record.__table__).where(Record.kind == spec.kind, Record.id == record_id)).first()
        if record is not None and not may_see(actor, record.kind, record.region, record.authority, record.owner):
            raise CommandRejected("hors_perimetre", "Cet enregistrement ne relève pas de votre périmètre.")
        expected = mutation.get("base_version")
        if record is not None and spec.mode != "create":
            if expected is None:  # applying it blindly would overwrite a colleague's work unseen
                raise CommandRejected("base_version_requise",
                                      "Version de base absente (« base_version ») : une modification d'un enregistrement "
                                      "existant doit dire sur quelle version elle a été faite.")
            if record.version != expected:
                return base | {
                    "status": "conflict",
                    "message": "L'enregistrement a été modifié sur le serveur depuis votre dernière synchronisation.",
                    "current": _current(record),
                }
        current = None if record is None or record.deleted else json.loads(record.payload)
        if name in MOVES and expected is None:
            raise CommandRejected("base_version_requise",
                                  "Version de base requise : synchronisez puis recommencez le transfert.")
        payload = catalog.execute(name, current, args, actor, _related(conn, actor, name, args),
                                  published_rulesets(conn, name))
        columns = _scope_of(conn, spec.kind, payload, actor)
        region, authority = columns["region"], columns["authority"]
        # A move takes the record out of its author's scope: checked on the record as it was.
        if name not in MOVES and not may_see(actor, spec.kind, region, authority, columns["owner"]):
            raise CommandRejected("hors_perimetre", "Cet enregistrement ne relève pas de votre périmètre.")
        payload = assign_reference(conn, name, payload)
        reference = reference_of(spec.kind, payload)
        check_reference_free(conn, spec.kind, record_id, reference)
        files.check_possession(conn, actor, attachment_hashes(spec.kind, payload) - attachment_hashes(spec.kind, current))
    except CommandRejected as exc:
        # Refusals are audited too: who tried what on which record (issue 16, item 9).
        kind = catalog.registered()[name].kind if name in catalog.registered() else ""
        audit_append(conn, actor.login, name, kind, args.get("id") if isinstance(args, dict) else None, args, exc.code)
        return base | {"status": "rejected", "code": exc.code, "message": exc.message}
    if record is not None and not record.deleted and (record.region, record.authority) != (region, authority):
        leave_scope(conn, record, region, authority)
    cursor = allocate_cursors(conn)
    version = (record.version + 1) if record is not None else 1
    values = dict(version=version, cursor=cursor, deleted=False, region=region, authority=authority,
                  owner=columns["owner"], company=columns["company"], reference=reference, payload=dumps(payload))
    if record is None:
        conn.execute(insert(Record).values(kind=spec.kind, id=record_id, **values))
    else:
        conn.execute(update(Record).where(Record.kind == spec.kind, Record.id == record_id).values(**values))
    set_attachment_refs(conn, spec.kind, record_id, payload)
    audit_append(conn, actor.login, name, spec.kind, record_id, args)
    return base | {"status": "applied", "version": version}


class ClientIdTaken(Exception):
    """The client_id was first used by another account."""


def bind_client(engine: Engine, client_id: str, login: str) -> None:
    """A client_id belongs to the first account that posts with it: another account could otherwise
    read its stored answers, or pre-empt its (client_id, seq) so its real commands are never applied."""
    for attempt in range(2):
        try:
            with engine.begin() as conn:
                owner = conn.execute(select(ClientBinding.login).where(ClientBinding.client_id == client_id)).scalar()
                if owner is None:
                    conn.execute(insert(ClientBinding).values(client_id=client_id, login=login))
                    owner = login
        except IntegrityError:  # bound by a concurrent first post: read who won
            if attempt:
                raise
            continue
        if owner != login:
            raise ClientIdTaken(client_id)
        return


def _reused_seq(base: dict) -> dict:
    return base | {"status": "rejected", "code": "sequence_reutilisee",
                   "message": "Ce numéro d'ordre a déjà servi à une autre modification de ce poste : rien n'a été appliqué."}


MOVES = ("dossier.move_region",)  # commands that take a record (and its children) to another scope
# They follow their dossier's region (domain/scope.py: scoped by their parent, private ones too).
CHILD_KINDS = tuple(kind for kind, kind_scope in scope.KINDS.items() if ("dossier_id", "dossier") in kind_scope.parents)


def _private(kind: str) -> bool:
    """A private record's tombstone in a scope's feed would name it to everyone there: none is written
    (its author's client drops it with the record it is written on)."""
    return scope.KINDS[kind].by == scope.PRIVATE


def leave_scope(conn: Connection, record, region: str | None, authority: str | None) -> None:
    """`record` goes from its scope to (region, authority): a tombstone in the old scope's feed for it
    and for its pièces and letters, which follow it (new cursor, new scope, same payload), as do the
    notes written on it (no tombstone: the old region's clients drop them with the dossier)."""
    if not _private(record.kind):
        conn.execute(insert(ScopeExit).values(cursor=allocate_cursors(conn), kind=record.kind, record_id=record.id,
                                              version=record.version + 1, region=record.region, authority=record.authority))
    if record.kind != "dossier":
        return
    # Payloads are canonical JSON (dumps) and the id a UUID: the pattern matches exactly this key.
    children = conn.execute(
        select(Record.kind, Record.id, Record.version, Record.payload).where(
            Record.kind.in_(CHILD_KINDS), Record.region == record.region, Record.deleted.is_(False),
            Record.payload.contains(f'"dossier_id":{json.dumps(record.id)}'))
    ).all()
    for child in children:
        if json.loads(child.payload).get("dossier_id") != record.id:
            continue
        if not _private(child.kind):
            conn.execute(insert(ScopeExit).values(cursor=allocate_cursors(conn), kind=child.kind, record_id=child.id,
                                                  version=child.version + 1, region=record.region, authority=None))
        conn.execute(update(Record).where(Record.kind == child.kind, Record.id == child.id).values(
            region=region, version=child.version + 1, cursor=allocate_cursors(conn)))


def apply_batch(engine: Engine, actor: Actor, client_id: str, mutations: list[dict]) -> list[dict]:
    """Each mutation in its own transaction with its (client_id, seq) record: exactly once, and the
    answer lists exactly what was done — a mutation the database refuses is rejected alone, and if
    the database fails the answer stops at the last mutation really committed."""
    bind_client(engine, client_id, actor.login)
    results = []
    for mutation in mutations:
        base = {"id": mutation["id"], "seq": mutation["seq"]}
        try:
            with engine.begin() as conn:
                allocate_cursors(conn, 0)  # take the writer lock before reading anything
                prior = conn.execute(
                    select(AppliedMutation.mutation_id, AppliedMutation.result).where(
                        AppliedMutation.client_id == client_id, AppliedMutation.seq == mutation["seq"]
                    )
                ).first()
                if prior is not None:
                    results.append(json.loads(prior.result) if prior.mutation_id == mutation["id"] else _reused_seq(base))
                    continue
                result = apply_mutation(conn, actor, mutation)
                _remember(conn, client_id, actor.login, mutation, result)
        except (IntegrityError, DataError, UnicodeError) as exc:
            log.warning("mutation refused by the database: %s", type(exc).__name__)
            result = base | {"status": "rejected", "code": "valeur_refusee",
                             "message": "Une valeur de cette modification ne peut pas être enregistrée : rien n'a été appliqué."}
            try:
                with engine.begin() as conn:
                    _remember(conn, client_id, actor.login, mutation, result)
            except SQLAlchemyError:
                pass  # answered all the same; sent again, it is refused again
        except SQLAlchemyError:
            log.exception("database failure during a batch")
            if not results:
                raise
            break  # what was committed is answered; the rest stays pending on the client
        results.append(result)
    return results


def _remember(conn: Connection, client_id: str, login: str, mutation: dict, result: dict) -> None:
    conn.execute(insert(AppliedMutation).values(
        client_id=client_id, seq=mutation["seq"], mutation_id=mutation["id"], login=login, result=dumps(result)))


def attachment_hashes(kind: str, payload: dict | None) -> set[str]:
    if payload is None:
        return set()
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


def insert_system_record(conn: Connection, kind: str, record_id: str, payload: dict, *, region=None, authority=None,
                         login: str = "systeme", command: str = "system.import") -> int:
    """A record created by the server itself (company filing, CNOM import), audited like the rest.
    Raises CommandRejected (`reference_existante`) if its reference is already another record's."""
    reference = reference_of(kind, payload)
    check_reference_free(conn, kind, record_id, reference)
    cursor = allocate_cursors(conn)
    conn.execute(
        insert(Record).values(kind=kind, id=record_id, version=1, cursor=cursor, deleted=False, region=region,
                              authority=authority, owner=None, company=company_of(conn, kind, payload),
                              reference=reference, payload=dumps(payload))
    )
    set_attachment_refs(conn, kind, record_id, payload)
    audit_append(conn, login, command, kind, record_id, payload)
    return cursor


def next_filing_reference(conn: Connection, year: int) -> str:
    """`EPS-YYYY-nnnnnnn` from a per-year sequence (random numbers collided). The caller holds the
    writer lock (allocate_cursors), so the sequence row is created once and numbers never repeat;
    a number some earlier record already carries is skipped."""
    name, prefix = f"eps-{year}", f"EPS-{year}-"
    if conn.execute(select(Counter.value).where(Counter.name == name)).first() is None:
        # start after the references issued before the sequence existed (seeded, imported or random)
        top = conn.execute(select(func.max(Record.reference)).where(
            Record.kind == "convention", Record.reference.like(prefix + "_" * 7))).scalar()
        start = int(top[-7:]) if top and top[-7:].isdigit() else 0
        conn.execute(insert(Counter).values(name=name, value=start))
    while True:
        value = conn.execute(update(Counter).where(Counter.name == name)
                             .values(value=Counter.value + 1).returning(Counter.value)).scalar_one()
        if value >= 10**7:
            raise CommandRejected("references_epuisees", f"Plus aucune référence EPS disponible pour {year} : prévenez l'administrateur.")
        reference = f"{prefix}{value:07d}"
        taken = conn.execute(select(Record.id).where(Record.kind == "convention", Record.reference == reference)).first()
        if taken is None:
            return reference
