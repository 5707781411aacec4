"""Files (scans, letters, joined documents) by SHA-256: who may read them, who may name them, and
uploads under way.

Knowing a hash gives nothing. A file is served to whoever may see a live record naming it; a record
may name a file only if its author uploaded those bytes or already sees a record naming it (else a
colleague of another region could name a scan's hash in a pièce of their own and download it); and
HEAD/PUT tell an uploader only about their own upload, never whether someone else's file exists.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, and_, delete, insert, select

from aude_desktop.domain.commands import Actor, CommandRejected
from central_api.db import AttachmentHolder, AttachmentRef, PartialUpload, Record
from central_api.scope import may_see

PARTIAL_TTL = timedelta(hours=24)


def may_download(conn: Connection, actor: Actor, sha256: str) -> bool:
    """A file is served to whoever may see at least one live record that names it."""
    rows = conn.execute(
        select(Record.kind, Record.region, Record.authority, Record.owner)
        .join(AttachmentRef, and_(AttachmentRef.kind == Record.kind, AttachmentRef.record_id == Record.id))
        .where(AttachmentRef.sha256 == sha256, Record.deleted.is_(False))
    ).all()
    return any(may_see(actor, r.kind, r.region, r.authority, r.owner) for r in rows)


def holds(conn: Connection, actor: Actor, sha256: str) -> bool:
    """The caller uploaded these bytes, or may already read them through a record of their scope."""
    held = conn.execute(select(AttachmentHolder.login).where(
        AttachmentHolder.sha256 == sha256, AttachmentHolder.login == actor.login)).first()
    return held is not None or may_download(conn, actor, sha256)


def check_possession(conn: Connection, actor: Actor, hashes: set[str]) -> None:
    for sha in sorted(hashes):
        if not holds(conn, actor, sha):
            raise CommandRejected(
                "piece_inconnue",
                f"Fichier inconnu du serveur (empreinte {sha[:12]}…) : envoyez le fichier avant de l'enregistrer.",
            )


def add_holder(conn: Connection, login: str, sha256: str) -> None:
    if conn.execute(select(AttachmentHolder.login).where(
            AttachmentHolder.sha256 == sha256, AttachmentHolder.login == login)).first() is None:
        conn.execute(insert(AttachmentHolder).values(sha256=sha256, login=login))


def partial_path(files: Path, login: str, sha256: str) -> Path:
    """Each user's upload of a file is their own: another user's bytes never count towards it."""
    owner = hashlib.sha256(login.encode()).hexdigest()[:32]
    return files / "partial" / f"{owner}-{sha256}"


def purge_stale(conn: Connection, files: Path, now: datetime | None = None) -> int:
    """Uploads started more than 24 hours ago are discarded (row and bytes)."""
    limit = (now or datetime.now(UTC)) - PARTIAL_TTL
    stale = conn.execute(select(PartialUpload.login, PartialUpload.sha256).where(PartialUpload.started_at < limit)).all()
    for row in stale:
        partial_path(files, row.login, row.sha256).unlink(missing_ok=True)
    if stale:
        conn.execute(delete(PartialUpload).where(PartialUpload.started_at < limit))
    return len(stale)
