"""Opening the local store: key check, integrity check, backup, migrations, sessions.

One Session per unit of work, never shared across threads (ARCHITECTURE.md, Threading).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from aude_desktop.domain.commands import CommandRejected
from aude_desktop.paths import Profile
from aude_desktop.store import backup_files, first_page, migrate, raw
from aude_desktop.store.engine import make_engine
from aude_desktop.store.keys import DatabaseKey, WrongPassphrase
from aude_desktop.store.models import OutboxEntry, SyncState

log = logging.getLogger(__name__)

LAST_SYNC_KEY = "last_sync_at"


class DatabaseCorrupt(RuntimeError):
    """The file opened with the right key but SQLite's integrity check failed."""


CORRUPT_MESSAGE = ("La base locale de ce poste est endommagée (contrôle d'intégrité en échec). "
                   "Elle n'a pas été modifiée.")


class StoreReadOnly(RuntimeError):
    """The profile folder cannot be written (read-only disk or mount): nothing is opened."""


class StoreWriteError(CommandRejected):
    """A write the disk refused (full, read-only, I/O error). The transaction was rolled back as a
    whole, so nothing is half-saved; what the user typed stays on screen. A CommandRejected, so
    every form shows it like any refusal and keeps its fields."""

    def __init__(self, message: str):
        super().__init__("stockage", message)


_WRITE_FAILURES = (
    ("full", "Le disque de ce poste est plein : la modification n'a pas été enregistrée. Libérez de "
             "l'espace puis recommencez ; ce qui est déjà enregistré n'est pas touché."),
    ("readonly", "Le disque de ce poste est en lecture seule : la modification n'a pas été "
                 "enregistrée. Ce qui est déjà enregistré n'est pas touché ; contactez votre support."),
    ("read-only", "Le disque de ce poste est en lecture seule : la modification n'a pas été "
                  "enregistrée. Ce qui est déjà enregistré n'est pas touché ; contactez votre support."),
    ("i/o", "Erreur d'écriture sur le disque : la modification n'a pas été enregistrée. Ce qui est "
            "déjà enregistré n'est pas touché ; réessayez, et contactez votre support si cela se répète."),
)


def write_failure(exc: OperationalError) -> StoreWriteError | None:
    return write_failure_text(str(exc.orig if exc.orig is not None else exc))


def write_failure_text(text: str) -> StoreWriteError | None:
    """The French error for SQLite's text of a failed write, if the disk is the cause."""
    text = text.lower()
    for marker, message in _WRITE_FAILURES:
        if marker in text:
            return StoreWriteError(message)
    return None


def _restore_foreign_keys(session: Session) -> None:
    """The pooled connection goes back with its checks on, or is not reused at all."""
    try:
        session.connection().exec_driver_sql("PRAGMA foreign_keys=ON")
    except Exception:  # noqa: BLE001 — whatever failed, this connection must not serve again
        session.connection().invalidate()


@dataclass(frozen=True)
class StoreStatus:
    pending: int
    rejected: int
    conflicts: int
    last_sync: datetime | None


class LocalStore:
    def __init__(self, engine: Engine, path: Path, backup: Path | None = None):
        self.engine = engine
        self.path = path
        self.last_backup = backup
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self, *, foreign_keys: bool = True) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error (nothing saved half-way).

        `foreign_keys=False` is for writing what the server sent: records reference each other (a
        pièce its dossier) and the feed may bring a child before its parent's latest version; the
        server keeps them consistent, the local copy mirrors it as it comes."""
        session = self._sessions()
        if not foreign_keys:  # before the first statement: SQLite ignores it inside a transaction
            session.connection().exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            failure = write_failure(exc)
            if failure is None:
                raise
            log.warning("local write refused by the disk: %s", type(exc.orig).__name__)
            raise failure from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            if not foreign_keys:
                _restore_foreign_keys(session)
            session.close()

    def status(self) -> StoreStatus:
        with self.session() as s:
            counts = dict(
                s.execute(select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)).all()
            )
            last = s.get(SyncState, LAST_SYNC_KEY)
        return StoreStatus(
            pending=counts.get("pending", 0),
            rejected=counts.get("rejected", 0),
            conflicts=counts.get("conflict", 0),
            last_sync=datetime.fromisoformat(last.value) if last else None,
        )

    def counts(self) -> dict[str, int]:
        from aude_desktop.conventions.models import Convention
        from aude_desktop.dossiers.models import Dossier

        with self.session() as s:
            return {
                "dossiers": s.scalar(select(func.count()).select_from(Dossier)) or 0,
                "conventions": s.scalar(select(func.count()).select_from(Convention)) or 0,
            }

    def schema_revision(self) -> str | None:
        return migrate.current_revision(self.engine)

    def integrity_ok(self) -> bool:
        from aude_desktop.store.engine import CACHE_KIB

        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"PRAGMA cache_size=-{raw.CHECK_CACHE_KIB}")
            try:
                return connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            except DatabaseError as exc:  # a page that no longer decrypts (its HMAC fails) is damage too
                if raw.contention(exc):
                    raise  # another writer, not damage: SQLAlchemy's error, which the CLI says in French
                return False
            finally:
                connection.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")

    def close(self) -> None:
        self.engine.dispose()


def _opens(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
        return True
    except DatabaseError:
        return False
    finally:
        engine.dispose()


def _key_opens_a_backup(profile: Profile, key: DatabaseKey) -> bool:
    return any(_opens(make_engine(b.path, key)) for b in backup_files.backups(profile)[:2])


def _check_key(engine: Engine, key: DatabaseKey, profile: Profile) -> None:
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
    except DatabaseError as exc:
        engine.dispose()
        if _key_opens_a_backup(profile, key):  # the key is right: the file itself is damaged
            raise DatabaseCorrupt(CORRUPT_MESSAGE) from exc
        if key.mode == "passphrase":
            raise WrongPassphrase("Phrase de passe incorrecte : la base locale n'a pas pu être déchiffrée.") from exc
        raise WrongPassphrase(
            "La clé du trousseau ne déchiffre pas la base locale (clé remplacée ou fichier étranger). "
            "La base n'a pas été modifiée."
        ) from exc


def open_store(profile: Profile, key: DatabaseKey, *, integrity_checked: bool = False) -> LocalStore:
    """Open (creating if needed) the encrypted database of `profile`, migrated to the latest schema.
    `integrity_checked`: the start has just run the same check before Qt loaded (store/raw.py)."""
    profile.ensure()
    path = profile.database_path
    if not os.access(profile.data_dir, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise StoreReadOnly(
            f"Le dossier des données ({profile.data_dir}) est en lecture seule : la base locale ne "
            "peut pas être ouverte sans risque. Rien n'a été modifié ; contactez votre support."
        )
    existed = path.exists()
    if not existed:  # created 0600 before SQLite opens it (its -wal and -shm files take the same mode)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    engine = make_engine(path, key)
    if existed:
        _check_key(engine, key, profile)
        store = LocalStore(engine, path)
        if not integrity_checked and not store.integrity_ok():
            engine.dispose()
            raise DatabaseCorrupt(CORRUPT_MESSAGE)
    backup = migrate.upgrade(engine, path, profile.backup_dir)
    if backup:
        log.info("database migrated to %s after backup %s", migrate.head_revision(), backup.name)
    first_page.forget(engine)  # whoever opens the store may change what the window's first page showed
    return LocalStore(engine, path, backup)
