"""Attachments (scanned pièces, generated letters): content-addressed by SHA-256, kept inside the
encrypted database, uploaded and downloaded in resumable chunks, verified on arrival."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import select, update

from aude_desktop.dossiers.models import Piece
from aude_desktop.store.database import LocalStore
from aude_desktop.store.models import Attachment, AttachmentData, Letter
from aude_desktop.sync.http import ServerError

CHUNK = 1024 * 1024
MAX_SIZE = 64 * 1024 * 1024


class AttachmentError(ValueError):
    pass


def add_file(store: LocalStore, path: Path, media_type: str = "application/pdf") -> str:
    """Keep a file (a scan) in the local store; returns its SHA-256. Adding it twice stores it once."""
    data = Path(path).read_bytes()
    with store.session() as s:
        return keep(s, data, Path(path).name, media_type)


def keep(s, data: bytes, filename: str, media_type: str) -> str:
    """Keep bytes in the open session (so a caller can write them with the records naming them, all or
    nothing); returns their SHA-256. The same bytes kept twice are stored once."""
    if len(data) > MAX_SIZE:
        raise AttachmentError(f"Fichier trop volumineux ({len(data) // (1024 * 1024)} Mio) : 64 Mio au plus.")
    sha = hashlib.sha256(data).hexdigest()
    if s.get(Attachment, sha) is None:
        s.add(Attachment(sha256=sha, size=len(data), filename=filename, media_type=media_type,
                         uploaded=False, downloaded=True))
        s.add(AttachmentData(sha256=sha, data=data))
        s.flush()
    return sha


def read(store: LocalStore, sha: str) -> bytes | None:
    with store.session() as s:
        row = s.get(AttachmentData, sha)
        return bytes(row.data) if row else None


def upload_pending(store: LocalStore, auth, chunk: int = CHUNK) -> int:
    """Send every attachment the server does not have yet, resuming where a cut left it."""
    with store.session() as s:
        pending = s.scalars(select(Attachment.sha256).where(Attachment.uploaded.is_(False), Attachment.downloaded.is_(True))).all()
    for sha in pending:
        data = read(store, sha)
        url = f"/api/v1/attachments/{sha}"
        head = auth.transport.session.head(auth.transport.base_url + url, timeout=30,
                                           headers={"Authorization": f"Bearer {auth.access_token()}"})
        offset = int(head.headers.get("Upload-Offset", "0") or 0)
        if head.headers.get("Upload-Complete") != "1":
            while offset < len(data):
                part = data[offset : offset + chunk]
                end = offset + len(part) - 1
                answer = auth.transport.request(
                    "PUT", url, token=auth.access_token(), data=part,
                    headers={"Content-Range": f"bytes {offset}-{end}/{len(data)}"},
                )
                offset = end + 1
                if answer.get("complete"):
                    break
        with store.session() as s:
            s.execute(update(Attachment).where(Attachment.sha256 == sha).values(uploaded=True))
    return len(pending)


def download_missing(store: LocalStore, auth, limit: int = MAX_SIZE, warnings: list[str] | None = None) -> int:
    """Fetch the scans referenced by synced pièces that this machine does not hold yet. A file the
    server sends wrong is not kept; with `warnings`, the others are still fetched and it is said there."""
    with store.session() as s:
        wanted = {sha: None for sha in s.scalars(select(Piece.sha256).where(Piece.sha256.is_not(None)))}
        # Files a company joined to its convention (listed with their size in the convention's payload).
        for sha, size in s.connection().exec_driver_sql(
                "SELECT json_extract(a.value, '$.sha256'), json_extract(a.value, '$.size') FROM conventions, "
                "json_each(conventions.extra, '$.attachments') AS a WHERE json_valid(conventions.extra)"):
            if sha:
                wanted[sha] = size if isinstance(size, int) else None
        wanted.update({sha: None for sha in s.scalars(select(Letter.sha256)) if sha not in wanted})  # colleagues' letters
        held = set(s.scalars(select(AttachmentData.sha256)))
    count = 0
    for sha in sorted(set(wanted) - held):
        try:
            data = _fetch(auth, sha, wanted[sha], limit)
        except ServerError as exc:
            if warnings is None:
                raise
            warnings.append(str(exc))
            continue
        if data is None:
            continue  # not uploaded yet by its author: next sync
        with store.session() as s:
            if s.get(Attachment, sha) is None:
                s.add(Attachment(sha256=sha, size=len(data), filename=sha[:12], uploaded=True, downloaded=True))
            s.merge(AttachmentData(sha256=sha, data=data))
        count += 1
    return count


def _fetch(auth, sha: str, declared: int | None, limit: int) -> bytes | None:
    """One file, streamed: never more than its declared size and the per-file limit, checked against
    its SHA-256 before anything is kept."""
    cap = min(declared, limit) if declared is not None and declared >= 0 else limit
    with auth.transport.session.get(
        f"{auth.transport.base_url}/api/v1/attachments/{sha}", timeout=120, stream=True,
        headers={"Authorization": f"Bearer {auth.access_token()}"},
    ) as response:
        if response.status_code == 404:
            return None
        length = response.headers.get("Content-Length")
        if response.status_code != 200 or (length is not None and (not length.isdigit() or int(length) > cap)):
            raise ServerError(_too_big(cap) if response.status_code == 200 else
                              f"Pièce jointe refusée par le serveur (code {response.status_code}).")
        digest, parts, size = hashlib.sha256(), [], 0
        for part in response.iter_content(CHUNK):
            size += len(part)
            if size > cap:
                raise ServerError(_too_big(cap))
            digest.update(part)
            parts.append(part)
    if digest.hexdigest() != sha or (declared is not None and size != declared):
        raise ServerError("Une pièce jointe reçue ne correspond pas à son empreinte ou à sa taille : elle a été écartée.")
    return b"".join(parts)


def _too_big(cap: int) -> str:
    return (f"Une pièce jointe envoyée par le serveur dépasse sa taille annoncée ou la limite ({cap} octets) : "
            "elle a été écartée, rien n'a été enregistré.")


def export_for_viewing(store: LocalStore, sha: str, filename: str) -> Path | None:
    """A copy the system viewer can open, in a folder only this user can read.

    The scan leaves the encrypted store for as long as the viewer needs it: the folder is this
    process's own, made fresh by `tempfile.mkdtemp` (0700, a name nobody can guess or take first)
    and removed at exit.
    """
    data = read(store, sha)
    if data is None:
        return None
    safe = "".join(c for c in Path(filename).name if c.isalnum() or c in "._- ") or "piece.pdf"
    target = viewing_folder() / f"{sha[:12]}-{safe}"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return target


_viewing: Path | None = None


def viewing_folder() -> Path:
    """This process's private folder for the viewer, made on first use."""
    global _viewing
    if _viewing is None or not _viewing.is_dir():
        _viewing = Path(tempfile.mkdtemp(prefix="aude-desktop-view-"))
        atexit.register(clear_viewing_folder)
    return _viewing


def clear_viewing_folder() -> None:
    """Remove the viewer's copies (at exit; the application also calls it when it closes)."""
    global _viewing
    if _viewing is not None:
        shutil.rmtree(_viewing, ignore_errors=True)
        _viewing = None
