"""Backups of the encrypted database and their restoration after corruption.

A copy (still encrypted, same key) is taken before each migration and once a day after a successful
sync; the last BACKUPS_KEPT are kept. When the integrity check fails at start, the app *offers* to
restore the newest backup: the damaged file is never overwritten, it is moved aside first, and
nothing happens without the user's yes. A sync afterwards brings back what the server holds.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from aude_desktop.paths import Profile
from aude_desktop.store import migrate
from aude_desktop.store.backup_files import Backup, backups, latest  # noqa: F401 — also imported from here

SIDE_FILES = ("-wal", "-shm")


def backup_daily(store, profile: Profile, today: date | None = None) -> Path | None:
    """One copy a day at most (called after a successful sync, off the GUI thread)."""
    today = today or datetime.now(UTC).date()
    newest = latest(profile)
    if newest is not None and newest.taken_at.date() >= today:
        return None
    return migrate.backup_database(store.engine, store.path, profile.backup_dir, "quotidienne")


def restore(profile: Profile, backup: Backup) -> Path:
    """Move the damaged database aside (kept, never deleted) and put the backup in its place.
    Returns where the damaged file now is. The store must be closed."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = profile.backup_dir / f"endommagee-{stamp}.db"
    aside.parent.mkdir(parents=True, exist_ok=True)
    database = profile.database_path
    database.replace(aside)
    for suffix in SIDE_FILES:
        side = database.with_name(database.name + suffix)
        if side.exists():
            side.replace(aside.with_name(aside.name + suffix))
    shutil.copy2(backup.path, database)
    return aside


def restore_question(backup: Backup | None, detail: str) -> str:
    """What the user is asked (the GUI's dialog and the CLI's prompt say the same)."""
    if backup is None:
        return (f"{detail}\n\nAucune sauvegarde n'existe sur ce poste. Le fichier endommagé reste en "
                "place ; contactez votre support.")
    return (f"{detail}\n\nRestaurer la sauvegarde du {backup.label}, puis resynchroniser avec le "
            "serveur ? Le fichier endommagé sera conservé à part, pas effacé. Les modifications "
            "faites sur ce poste après cette sauvegarde et jamais envoyées ne pourront pas être "
            "récupérées.")


SEQ_GAP = 1_000_000
RESTORE_MARKER = "poste.restauration"


def skip_used_sequence(store) -> None:
    """After a restore, commands numbered after the backup may already be on the server (exactly-once
    is keyed on installation id + sequence): jump the sequence past them with a marker entry, so a
    new command never reuses a number the server would answer with an old result."""
    from sqlalchemy import func, select

    from aude_desktop.store.models import OutboxEntry

    with store.session() as s:
        top = s.scalar(select(func.max(OutboxEntry.seq))) or 0
        s.add(OutboxEntry(seq=top + SEQ_GAP, name=RESTORE_MARKER, entity_kind="poste", entity_id="restauration",
                          args={}, status="applied"))


def open_or_restore(profile: Profile, key, confirm):
    """`open_store`, and on a failed integrity check the restore offer: `confirm(question)` must
    say yes, else DatabaseCorrupt goes up with the file untouched."""
    import logging

    from aude_desktop.store.database import DatabaseCorrupt, open_store

    try:
        return open_store(profile, key)
    except DatabaseCorrupt as exc:
        backup = latest(profile)
        if backup is None or not confirm(restore_question(backup, str(exc))):
            raise DatabaseCorrupt(restore_question(backup, str(exc)) if backup is None else str(exc)) from exc
        restore(profile, backup)
        store = open_store(profile, key)
        skip_used_sequence(store)
        logging.getLogger(__name__).warning("database restored from a backup after a failed integrity check")
        return store
