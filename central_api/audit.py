"""The audit log: a chain of HMAC-SHA256 under a key kept outside the database, and a signed head.

Against someone who can write the database (issue 16, item 9):
- editing an entry, or recomputing the chain after an edit, needs the key (not in the database);
- deleting entries from the middle breaks the numbering (entries are numbered 1, 2, 3… by the head);
- deleting the newest entries, or emptying the table, leaves a signed head announcing more entries
  than remain; replacing the head by an older copy is seen by the clients, which record the head at
  each sync and report a head that moves backwards or forks (GET /api/v1/audit/head).

The key: AUDE_AUDIT_KEY (64 hex digits) or the file named by AUDE_AUDIT_KEY_FILE; for a SQLite
database without either, the file `<database>.audit-key` beside it, created 0600 on first use.
PostgreSQL deployments must name one (docs/ADMIN.md). Entries written by earlier versions (plain
SHA-256 chain, `chain` 1) are checked and sealed under the key the first time the server opens the
log with it; the seal is itself an entry that says whether that older chain was intact.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import stat
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from central_api.db import AuditEntry, AuditHead

log = logging.getLogger("central_api.audit")

GENESIS = "0" * 64
HEAD = "audit"
KEY_ENV, KEY_FILE_ENV = "AUDE_AUDIT_KEY", "AUDE_AUDIT_KEY_FILE"

_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


class AuditKeyError(Exception):
    """The key cannot be found or read: the French message says what to do."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def storable(text: str) -> str:
    """Text any database stores: lone surrogates replaced, NUL removed (hostile logins, ids)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _utf8(text: str) -> bytes:
    # Hostile text may hold lone surrogates: hashed as they came, never a 500.
    return text.encode("utf-8", "surrogatepass")


# -- the key -------------------------------------------------------------------------------------


def key_path_for(db_url: str) -> Path | None:
    if os.environ.get(KEY_FILE_ENV):
        return Path(os.environ[KEY_FILE_ENV])
    if db_url.startswith("sqlite:///") and db_url != "sqlite:///:memory:":
        db = Path(db_url.removeprefix("sqlite:///"))
        return db.with_name(db.name + ".audit-key")
    return None


def _parse_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) < 32:
        raise AuditKeyError(f"Clé du journal d'audit illisible ({where}) : 64 chiffres hexadécimaux attendus.")
    return key


def read_key_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AuditKeyError(f"Clé du journal d'audit lisible par d'autres comptes ({path}) : "
                            f"appliquez « chmod 600 {path} » puis recommencez.")
    return _parse_key(path.read_text(encoding="ascii", errors="replace"), str(path))


def load_key(db_url: str, *, create: bool) -> tuple[bytes, bool]:
    """(key, may seal an unsealed log). Created only when `create` (the log holds no keyed entry
    yet). A key file found beside the database proves the log was sealed once: it may not be
    sealed again (an emptied log with its head row deleted would otherwise look new)."""
    if os.environ.get(KEY_ENV):
        return _parse_key(os.environ[KEY_ENV], KEY_ENV), True
    path = key_path_for(db_url)
    if path is None:
        raise AuditKeyError("Clé du journal d'audit requise pour cette base : indiquez un fichier de clé "
                            f"({KEY_FILE_ENV}) ou la clé ({KEY_ENV}) ; voir docs/ADMIN.md.")
    if path.exists():
        return read_key_file(path), bool(os.environ.get(KEY_FILE_ENV))
    if not create:
        raise AuditKeyError(f"Clé du journal d'audit introuvable ({path}) : le journal a été scellé avec elle. "
                            "Restaurez-la depuis la sauvegarde ; sans elle le journal ne peut être ni prolongé ni vérifié.")
    key = os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it just now
        return read_key_file(path), False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key, True


def is_sealed(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(AuditHead.mac).where(AuditHead.name == HEAD)).scalar() is not None


def open_log(engine: Engine, db_url: str, key: bytes | None = None) -> bytes:
    """Find (or create) the key, check it is this log's, seal older entries; bind it to `engine`."""
    may_seal = True
    if key is None:
        key, may_seal = load_key(db_url, create=not is_sealed(engine))
    with engine.begin() as conn:
        head = _lock_head(conn)
        if head.mac is None and not may_seal:
            raise AuditKeyError("Journal d'audit non scellé alors que sa clé existe déjà : il a été vidé ou remplacé "
                                "(tête signée disparue). Examinez la base et restaurez une sauvegarde ; pour repartir "
                                "quand même d'un nouveau journal, écartez le fichier de clé (docs/ADMIN.md).")
        if head.mac is not None:
            if not hmac.compare_digest(head.mac, _head_mac(key, head.n, head.hash)):
                # Not fatal: `audit verify` must still run and say so; later entries will not chain either.
                log.error("audit head does not match the audit key: run aude-central audit verify")
        else:
            _seal(conn, key, head)
    _KEYS[engine] = key
    return key


def _key_of(conn: Connection) -> bytes:
    try:
        return _KEYS[conn.engine]
    except KeyError:
        raise RuntimeError("audit log used before open_log() bound its key to this engine") from None


# -- the chain -----------------------------------------------------------------------------------


def _entry_mac(key: bytes, n: int, prev: str, at: str, login: str, command: str, kind: str, record_id: str,
               args_hash: str, outcome: str) -> str:
    material = _dumps([2, n, prev, at, login, command, kind, record_id, args_hash, outcome])
    return hmac.new(key, _utf8(material), hashlib.sha256).hexdigest()


def _head_mac(key: bytes, n: int, digest: str) -> str:
    return hmac.new(key, f"head|{n}|{digest}".encode(), hashlib.sha256).hexdigest()


def _legacy_hash(prev: str, at: str, login: str, command: str, kind: str, record_id: str, args_hash: str) -> str:
    material = "|".join((prev, at, login, command, kind, record_id, args_hash))
    return hashlib.sha256(material.encode()).hexdigest()


def _iso(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _lock_head(conn: Connection):
    """The head row, locked to commit (PostgreSQL row lock; SQLite write lock): appends chain in order."""
    conn.execute(update(AuditHead).where(AuditHead.name == HEAD).values(n=AuditHead.n))
    head = conn.execute(select(AuditHead.__table__).where(AuditHead.name == HEAD)).first()
    if head is None:  # a database whose head row was deleted: start one, verify will say so
        conn.execute(insert(AuditHead).values(name=HEAD, n=0, hash=GENESIS, mac=None))
        head = conn.execute(select(AuditHead.__table__).where(AuditHead.name == HEAD)).one()
    return head


def _write(conn: Connection, key: bytes, n: int, prev: str, at: datetime, login: str, command: str, kind: str,
           record_id: str, args_hash: str, outcome: str) -> str:
    login, command, kind = storable(login)[:80], storable(command)[:60], storable(kind)[:30]
    record_id, outcome = storable(record_id)[:64], storable(outcome)[:60]
    digest = _entry_mac(key, n, prev, at.isoformat(), login, command, kind, record_id, args_hash, outcome)
    conn.execute(insert(AuditEntry).values(id=n, at=at, login=login, command=command, record_kind=kind,
                                           record_id=record_id, args_hash=args_hash, outcome=outcome, chain=2,
                                           prev_hash=prev, hash=digest))
    conn.execute(update(AuditHead).where(AuditHead.name == HEAD).values(n=n, hash=digest, mac=_head_mac(key, n, digest)))
    return digest


def audit_append(conn: Connection, login: str, command: str, kind: str, record_id: Any, args: Any,
                 outcome: str = "applied") -> None:
    """Inside the caller's transaction: writers that hold the cursor lock take the head's lock after it."""
    key = _key_of(conn)
    head = _lock_head(conn)
    args_hash = hashlib.sha256(_utf8(_dumps(args))).hexdigest()
    record_id = record_id if isinstance(record_id, str) else ("" if record_id is None else _dumps(record_id))
    _write(conn, key, head.n + 1, head.hash, datetime.now(UTC), login, command, kind, record_id, args_hash, outcome)


def audit_event(engine: Engine, login: str, command: str, outcome: str, *, kind: str = "", record_id: str = "",
                detail: Any = None) -> None:
    """An event outside any record write (sign-in, download, administration), in its own transaction."""
    with engine.begin() as conn:
        audit_append(conn, login, command, kind, record_id, detail, outcome)


def _seal(conn: Connection, key: bytes, head) -> None:
    """First use of the key: check the plain chain of older entries, renumber them 1…n, key them,
    and append a seal entry that says whether the older chain was intact."""
    rows = conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
    prev, broken = GENESIS, None
    for entry in rows:
        if entry.chain != 1:
            broken = broken or entry.id
            continue
        expected = _legacy_hash(prev, _iso(entry.at), entry.login, entry.command, entry.record_kind, entry.record_id,
                                entry.args_hash)
        if broken is None and (entry.prev_hash != prev or entry.hash != expected):
            broken = entry.id
        prev = entry.hash
    if broken is None and rows and prev != head.hash:
        broken = rows[-1].id
    prev = GENESIS
    for n, entry in enumerate(rows, start=1):
        if entry.id != n:
            conn.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(id=n))
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
        digest = _entry_mac(key, n, prev, at.isoformat(), entry.login, entry.command, entry.record_kind, entry.record_id,
                            entry.args_hash, entry.outcome or "applied")
        conn.execute(update(AuditEntry).where(AuditEntry.id == n).values(
            chain=2, prev_hash=prev, hash=digest, outcome=entry.outcome or "applied"))
        prev = digest
    outcome = "ancienne_chaine_intacte" if broken is None else f"ancienne_chaine_rompue:{broken}"
    if rows and broken is not None:
        log.error("audit log sealed although its earlier plain chain was broken")
    _write(conn, key, len(rows) + 1, prev, datetime.now(UTC), "systeme", "audit.seal", "", "",
           hashlib.sha256(str(len(rows)).encode()).hexdigest(), outcome)


def head(conn: Connection, known: int | None = None) -> dict:
    """The head for clients: {n, hash} and, for a head they recorded, the hash of that entry now."""
    row = conn.execute(select(AuditHead.n, AuditHead.hash).where(AuditHead.name == HEAD)).first()
    n, digest = (row.n, row.hash) if row else (0, GENESIS)
    answer: dict[str, Any] = {"n": n, "hash": digest}
    if known is not None:
        if known == 0:
            answer["known_hash"] = GENESIS
        elif known <= n:
            answer["known_hash"] = conn.execute(select(AuditEntry.hash).where(AuditEntry.id == known)).scalar()
        else:
            answer["known_hash"] = None
    return answer


# -- verification --------------------------------------------------------------------------------


def audit_verify(engine: Engine) -> tuple[int, int | None, str]:
    """(entries checked, number of the first entry at fault or None, French explanation)."""
    key = _KEYS.get(engine)
    if key is None:
        raise RuntimeError("audit_verify() before open_log()")
    with engine.connect() as conn:
        head_row = conn.execute(select(AuditHead.__table__).where(AuditHead.name == HEAD)).first()
        total = conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
        if head_row is None or head_row.mac is None:
            return 0, 1, ("La tête signée du journal d'audit a disparu : le journal a été remplacé ou vidé "
                          f"({total} entrées présentes).")
        if not hmac.compare_digest(head_row.mac, _head_mac(key, head_row.n, head_row.hash)):
            return 0, head_row.n, ("La tête du journal d'audit ne correspond pas à sa signature : elle a été "
                                   "modifiée, ou la clé n'est pas celle de ce journal.")
        prev, count, notes = GENESIS, 0, []
        for entry in conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).yield_per(5000):
            count += 1
            if entry.id != count:
                return count, count, (f"L'entrée {count} manque (supprimée) : le journal passe de l'entrée "
                                      f"{count - 1} à l'entrée {entry.id}.")
            if entry.chain != 2:
                return count, entry.id, f"L'entrée {entry.id} n'est pas scellée par la clé : ajoutée ou remplacée."
            if entry.prev_hash != prev:
                return count, entry.id, f"L'entrée {entry.id} ne suit pas l'entrée précédente (maillon supprimé ou inséré)."
            expected = _entry_mac(key, entry.id, prev, _iso(entry.at), entry.login, entry.command, entry.record_kind,
                                  entry.record_id, entry.args_hash, entry.outcome)
            if not hmac.compare_digest(entry.hash, expected):
                return count, entry.id, f"L'entrée {entry.id} a été modifiée après son écriture (signature différente)."
            if entry.command == "audit.seal":
                notes.append(_seal_note(entry))
            prev = entry.hash
    if count < head_row.n:
        what = "Le journal d'audit a été vidé" if count == 0 else "Les entrées les plus récentes ont été supprimées"
        return count, count + 1, (f"{what} : la tête signée annonce {head_row.n} entrées, il en reste {count} "
                                  f"(entrées {count + 1} à {head_row.n} manquantes).")
    if count > head_row.n or prev != head_row.hash:
        return count, head_row.n, "La tête signée ne correspond pas à la dernière entrée du journal."
    broken_seal = next(((first, note) for first, note in notes if first), None)
    if broken_seal:
        return count, broken_seal[0], broken_seal[1]
    text = " ".join(note for _ok, note in notes)
    return count, None, f"Chaîne intègre : {count} entrées vérifiées." + (f" {text}" if text else "")


def _seal_note(entry) -> tuple[int | None, str]:
    """(first broken entry of the older chain or None, French note)."""
    when = _iso(entry.at)[:10]
    if entry.outcome.startswith("ancienne_chaine_rompue"):
        first = entry.outcome.partition(":")[2]
        return int(first) if first.isdigit() else 1, (f"Avertissement : scellé avec la clé le {when}, le journal antérieur (chaîne SHA-256 "
                       f"d'origine) était déjà rompu à l'entrée {first} ; les {entry.id - 1} entrées antérieures "
                       "sont conservées telles qu'elles étaient.")
    return None, f"Scellé avec la clé le {when} ({entry.id - 1} entrées antérieures vérifiées alors)."


def administrator() -> str:
    """Who ran an administration command, for the audit log: the system account (no password, no data)."""
    import getpass

    try:
        return f"admin:{getpass.getuser()}"[:80]
    except (OSError, KeyError):
        return "admin:inconnu"


def audit_admin(engine: Engine, command: str, record_id: str, detail=None) -> None:
    """An administration command of `aude-central` (users, API keys, mandates, identity links), audited."""
    audit_event(engine, administrator(), command, "ok", kind="administration", record_id=record_id, detail=detail)
