"""Scans joined to a pièce: type by content, size limit, empty files, kept encrypted in the store,
queued for the next sync (the pièce names the file; the file itself is uploaded first)."""

from __future__ import annotations

import pytest

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import scans
from aude_desktop.dossiers.models import Piece
from aude_desktop.store.models import Attachment, OutboxEntry
from aude_desktop.sync import attachments

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_pdf_and_a_png_are_kept_and_queued(store, dossier, tmp_path):
    (tmp_path / "diplome.pdf").write_bytes(PDF)
    (tmp_path / "identite.png").write_bytes(PNG)
    scans.attach(store, AGENT, dossier, "c", tmp_path / "diplome.pdf")
    scans.attach(store, AGENT, dossier, "f", tmp_path / "identite.png")
    with store.session() as s:
        pieces = {p.code: p for p in s.query(Piece).filter(Piece.dossier_id == dossier)}
        assert pieces["c"].filename == "diplome.pdf" and pieces["c"].status == "recu"
        assert pieces["f"].filename == "identite.png"
        assert s.get(Attachment, pieces["f"].sha256).media_type == "image/png"
        assert not s.get(Attachment, pieces["c"].sha256).uploaded  # sent at the next sync
        names = [e.name for e in s.query(OutboxEntry).filter(OutboxEntry.status == "pending")]
    assert attachments.read(store, pieces["c"].sha256) == PDF
    assert names.count("piece.upsert") == 3 + 2  # a, b, c received at registration, then c updated and f new


@pytest.mark.parametrize(("content", "name", "words"), [
    (b"", "vide.pdf", "vide (0 octet)"),
    (b"MZ\x90\x00" + b"\x00" * 100, "programme.pdf", "ni un PDF"),  # a .exe renamed .pdf
    (b"GIF89a" + b"\x00" * 10, "photo.png", "ni un PDF"),
])
def test_bad_files_are_refused_in_french_and_nothing_is_written(store, dossier, tmp_path, content, name, words):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(scans.ScanRefused) as refused:
        scans.attach(store, AGENT, dossier, "c", tmp_path / name)
    assert words in refused.value.message and name in refused.value.message
    with store.session() as s:
        assert s.query(Attachment).count() == 0


def test_a_200_mb_file_is_refused_without_being_read(store, dossier, tmp_path):
    big = tmp_path / "scan-200mo.pdf"
    with open(big, "wb") as handle:
        handle.write(PDF)
        handle.truncate(200 * 1024 * 1024)  # sparse: the check reads the size, never the content
    with pytest.raises(scans.ScanRefused) as refused:
        scans.attach(store, AGENT, dossier, "c", big)
    assert "20 Mo au plus" in refused.value.message


def test_unknown_piece_code_and_missing_file(store, dossier, tmp_path):
    (tmp_path / "x.pdf").write_bytes(PDF)
    with pytest.raises(scans.ScanRefused, match="Code de pièce inconnu"):
        scans.attach(store, AGENT, dossier, "z", tmp_path / "x.pdf")
    with pytest.raises(scans.ScanRefused, match="ne peut pas être lu"):
        scans.attach(store, AGENT, dossier, "c", tmp_path / "absent.pdf")
