"""Scans joined to a pièce of the checklist: PDF, JPEG or PNG recognised by their content (never by the
file name), 20 MB at most (resources/rules/intake.json), kept encrypted in the profile's store and
uploaded at the next sync, before the `piece.upsert` that names them (sync/engine.py).

Qt-free: the dossier view (« Joindre… », drag and drop) and `aude-cli pieces attach` call `attach`.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers.intake_rules import rules
from aude_desktop.dossiers.models import Dossier, Piece
from aude_desktop.rules.pieces import checklist_rules, piece_codes, unknown_code
from aude_desktop.store.database import LocalStore
from aude_desktop.sync import attachments

MAGIC = (  # the first bytes of each accepted format
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class ScanRefused(CommandRejected):
    def __init__(self, message: str, code: str = "fichier_refuse"):
        super().__init__(code, message)


def max_bytes() -> int:
    return int(rules()["scan_max_bytes"])


def check_file(path: Path) -> str:
    """The file's media type, or a French refusal naming the file (read no more than its first bytes)."""
    name = Path(path).name
    try:
        size = Path(path).stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(16)
    except IsADirectoryError:
        raise ScanRefused(f"« {name} » est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise ScanRefused(f"« {name} » ne peut pas être lu ({exc.strerror or 'accès refusé'}).") from None
    if size == 0:
        raise ScanRefused(f"« {name} » est vide (0 octet) : numérisez à nouveau la pièce.", "fichier_vide")
    if size > max_bytes():
        raise ScanRefused(f"« {name} » pèse {size / 1_048_576:.1f} Mo : {max_bytes() // 1_048_576} Mo au plus par pièce "
                          "(numérisez en 200 ou 300 ppp, ou découpez le document).", "fichier_trop_gros")
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    raise ScanRefused(f"« {name} » n'est ni un PDF, ni une image JPEG ou PNG (contenu vérifié, quel que soit "
                      "le nom du fichier).", "type_refuse")


def piece_label(code: str) -> str:
    return next((i["label"] for i in checklist_rules()["items"] if i["code"] == code), code)


def attach(store: LocalStore, actor: Actor, dossier_id: str, code: str, path: Path) -> str:
    """Keep the scan and mark the pièce received with it; returns the pièce's id. Checked before anything is written."""
    check_code(code)
    media_type = check_file(path)
    data = Path(path).read_bytes()
    with store.session() as s:
        return receive(s, actor, dossier_id, code, data, Path(path).name, media_type)


def check_code(code: str) -> None:
    if code not in piece_codes():
        raise ScanRefused(unknown_code(code), "piece_inconnue")


def receive(s, actor: Actor, dossier_id: str, code: str, data: bytes, filename: str, media_type: str) -> str:
    """In the caller's session: keep the bytes and mark the pièce received with them (its id returned)."""
    from aude_desktop.sync.local import apply_command

    dossier = s.get(Dossier, dossier_id)
    if dossier is None:
        raise ScanRefused("Dossier introuvable sur ce poste.", "introuvable")
    piece = s.scalars(select(Piece).where(Piece.dossier_id == dossier_id, Piece.code == code)).first()
    piece_id = piece.id if piece else str(uuid.uuid4())
    label = piece.label if piece else piece_label(code)
    received_on = (piece.received_on.isoformat() if piece and piece.received_on else None) or dossier.received_on.isoformat()
    note = piece.note if piece else None
    sha = attachments.keep(s, data, filename[:300], media_type)
    apply_command(s, actor, "piece.upsert", {"id": piece_id, "payload": {
        "dossier_id": dossier_id, "code": code, "label": label, "status": "recu", "received_on": received_on,
        "sha256": sha, "filename": filename[:300], "note": note}})
    return piece_id
