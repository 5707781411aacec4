"""A multi-page scan split onto several pièces: each pièce gets its own PDF with exactly its pages (read
back from the encrypted store), everything is checked first, and a refusal writes nothing."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import scan_split
from aude_desktop.dossiers.models import Piece
from aude_desktop.dossiers.sample_scan import sample_scan as scanned_pdf
from aude_desktop.dossiers.scans import ScanRefused
from aude_desktop.store.models import Attachment, OutboxEntry
from aude_desktop.sync import attachments

AGENT = Actor("agent.occ", "agent_dreets", "OCC")


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text().strip() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def scan(tmp_path):
    path = tmp_path / "dossier-papier.pdf"
    path.write_bytes(scanned_pdf(6))
    return path


def stored_counts(store) -> tuple[int, int]:
    with store.session() as s:
        return s.query(Attachment).count(), s.query(OutboxEntry).filter(OutboxEntry.name == "piece.upsert").count()


def test_each_piece_gets_exactly_its_pages(store, dossier, scan):
    parts = scan_split.split_onto_pieces(store, AGENT, dossier, scan, {"c": "1-2", "d": "4, 6", "f": "", "g": "3"})
    assert [(p.code, p.pages) for p in parts] == [("c", (1, 2)), ("d", (4, 6)), ("g", (3,))]
    with store.session() as s:
        pieces = {p.code: p for p in s.query(Piece).filter(Piece.dossier_id == dossier)}
        shas = {code: pieces[code].sha256 for code in ("c", "d", "g")}
        assert pieces["d"].filename == "dossier-papier (p. 4, 6).pdf" and pieces["d"].status == "recu"
        assert "f" not in pieces  # left blank: no pièce created
        assert all(not s.get(Attachment, sha).uploaded for sha in shas.values())  # sent at the next sync
    assert page_texts(attachments.read(store, shas["c"])) == ["Page 1", "Page 2"]
    assert page_texts(attachments.read(store, shas["d"])) == ["Page 4", "Page 6"]
    assert page_texts(attachments.read(store, shas["g"])) == ["Page 3"]  # page 5 (a blank sheet) kept nowhere


@pytest.mark.parametrize(("assignments", "words"), [
    ({"c": "1-2", "d": "2-3"}, "La page 2 est attribuée aux pièces c et d"),
    ({"c": "1-7"}, "le document a 6 page(s)"),
    ({"c": "0"}, "le document a 6 page(s)"),
    ({"c": "3-1"}, "le document a 6 page(s)"),
    ({"c": "un à deux"}, "par exemple « 1-2, 4 »"),
    ({"c": "1, 1"}, "une page est indiquée deux fois"),
    ({"c": " ", "d": ""}, "au moins une pièce"),
    ({"z": "1"}, "Code de pièce inconnu"),
])
def test_bad_page_ranges_are_refused_in_french_and_nothing_is_written(store, dossier, scan, assignments, words):
    before = stored_counts(store)
    with pytest.raises(ScanRefused) as refused:
        scan_split.split_onto_pieces(store, AGENT, dossier, scan, assignments)
    assert words in refused.value.message
    assert stored_counts(store) == before


def test_files_that_cannot_be_split_are_refused(store, dossier, tmp_path):
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    broken = tmp_path / "abime.pdf"
    broken.write_bytes(b"%PDF-1.4\n garbage with no pages \n%%EOF\n")
    protected = tmp_path / "protege.pdf"
    writer = PdfWriter(clone_from=io.BytesIO(scanned_pdf(2)))
    writer.encrypt("secret")
    with open(protected, "wb") as handle:
        writer.write(handle)
    before = stored_counts(store)
    for path, words in ((png, "seul un PDF de plusieurs pages"), (broken, "n'est pas un PDF lisible"),
                        (protected, "protégé par un mot de passe")):
        with pytest.raises(ScanRefused) as refused:
            scan_split.split_onto_pieces(store, AGENT, dossier, path, {"c": "1"})
        assert words in refused.value.message and path.name in refused.value.message
    assert stored_counts(store) == before


def test_a_refusal_after_the_first_part_writes_none_of_the_parts(store, dossier, scan, monkeypatch):
    """The second pièce is refused while writing (fault injected after the first part was written in the
    transaction): the first part must not stay behind."""
    from aude_desktop.dossiers import scans

    real_receive, calls = scans.receive, []

    def second_refused(*args, **kwargs):
        calls.append(args[3])
        if len(calls) == 2:
            raise ScanRefused("Pièce refusée.")
        return real_receive(*args, **kwargs)

    monkeypatch.setattr(scans, "receive", second_refused)
    before = stored_counts(store)
    with pytest.raises(ScanRefused, match="Pièce refusée"):
        scan_split.split_onto_pieces(store, AGENT, dossier, scan, {"c": "1", "d": "2"})
    assert calls == ["c", "d"]
    assert stored_counts(store) == before


def test_page_labels_and_counts():
    assert scan_split.parse_pages("1-3; 5", 6) == (1, 2, 3, 5)
    assert scan_split.parse_pages("2 – 4", 6) == (2, 3, 4)
    assert scan_split.page_label((1, 2, 3, 5, 7, 8)) == "1-3, 5, 7-8"
