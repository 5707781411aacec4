"""Attachments (scanned pièces, generated letters): content-addressed by SHA-256, kept inside the
encrypted database, uploaded and downloaded in resumable chunks, verified on arrival."""

from __future__ import annotations

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
    if len(data) > MAX_SIZE:
        raise AttachmentError(f"Fichier trop volumineux ({len(data) // (1024 * 1024)} Mio) : 64 Mio au plus.")
    sha = hashlib.sha256(data).hexdigest()
    with store.session() as s:
        if s.get(Attachment, sha) is None:
            s.add(Attachment(sha256=sha, size=len(data), filename=Path(path).name, media_type=media_type,
                             uploaded=False, downloaded=True))
            s.add(AttachmentData(sha256=sha, data=data))
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


def download_missing(store: LocalStore, auth) -> int:
    """Fetch the scans referenced by synced pièces that this machine does not hold yet."""
    with store.session() as s:
        wanted = set(s.scalars(select(Piece.sha256).where(Piece.sha256.is_not(None))))
        # Files a company joined to its convention (listed in the convention's payload).
        wanted |= {sha for (sha,) in s.connection().exec_driver_sql(
            "SELECT json_extract(a.value, '$.sha256') FROM conventions, json_each(conventions.extra, '$.attachments') AS a "
            "WHERE json_valid(conventions.extra)") if sha}
        wanted |= set(s.scalars(select(Letter.sha256)))  # letters colleagues issued: the registered PDFs
        held = set(s.scalars(select(AttachmentData.sha256)))
    count = 0
    for sha in sorted(wanted - held):
        response = auth.transport.session.get(
            f"{auth.transport.base_url}/api/v1/attachments/{sha}", timeout=120,
            headers={"Authorization": f"Bearer {auth.access_token()}"},
        )
        if response.status_code == 404:
            continue  # not uploaded yet by its author: next sync
        data = response.content
        if response.status_code != 200 or hashlib.sha256(data).hexdigest() != sha:
            raise ServerError("Une pièce jointe reçue ne correspond pas à son empreinte : elle a été écartée.")
        with store.session() as s:
            if s.get(Attachment, sha) is None:
                s.add(Attachment(sha256=sha, size=len(data), filename=sha[:12], uploaded=True, downloaded=True))
            s.merge(AttachmentData(sha256=sha, data=data))
        count += 1
    return count


def export_for_viewing(store: LocalStore, sha: str, filename: str) -> Path | None:
    """A copy the system viewer can open, in a folder only this user can read.

    The scan leaves the encrypted store for as long as the viewer needs it: the folder is private
    (0700) and emptied at each start of the application (clear_viewing_folder).
    """
    data = read(store, sha)
    if data is None:
        return None
    folder = viewing_folder()
    folder.mkdir(mode=0o700, exist_ok=True)
    safe = "".join(c for c in Path(filename).name if c.isalnum() or c in "._- ") or "piece.pdf"
    target = folder / f"{sha[:12]}-{safe}"
    target.write_bytes(data)
    target.chmod(0o600)
    return target


def viewing_folder() -> Path:
    return Path(tempfile.gettempdir()) / f"aude-desktop-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def clear_viewing_folder() -> None:
    shutil.rmtree(viewing_folder(), ignore_errors=True)
