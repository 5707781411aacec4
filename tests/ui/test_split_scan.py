"""« Découper un PDF… » in the dossier view, driven as an agent: a wrong page range is refused in the
dialog, which stays open with what was typed; corrected, each pièce receives its pages (read back)."""

from __future__ import annotations

import io
import os
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import intake
from aude_desktop.dossiers.sample_scan import sample_scan as scanned_pdf
from aude_desktop.dossiers.views.space import DossiersSpace
from aude_desktop.store.models import Attachment
from aude_desktop.sync import attachments
from tests.dossiers.test_intake import form
from tests.support.jobs import settle

AGENT = Actor("agent.occ", "agent_dreets", "OCC")


@pytest.fixture
def view(qtbot, store):
    """The dossier view of a freshly registered paper application, as its agent sees it."""
    dossier_id, payload, codes = intake.build(form(), date.today())
    with store.session() as s:
        intake.register(s, AGENT, dossier_id, payload, codes)
    space = DossiersSpace(store, lambda: AGENT, "agent.occ", date.today())
    qtbot.addWidget(space)
    space.resize(1280, 800)
    space.show()
    space.open_dossier(dossier_id)
    return space.dossier


def test_split_a_paper_application_onto_its_pieces(qtbot, store, tmp_path, view):
    view.tabs.setCurrentIndex(1)  # Pièces
    assert view.split_button.isVisible()
    scan = tmp_path / "courrier-du-12-novembre.pdf"
    scan.write_bytes(scanned_pdf(4))
    seen: dict = {}

    def split(dialog) -> None:
        dialog.fields["c"].setText("1-2")
        dialog.fields["d"].setText("2-3")  # page 2 twice
        dialog.accept()
        settle(qtbot)  # the split runs on the serial worker
        seen["refusal"], seen["still_open"] = dialog.error.text(), dialog.isVisible()
        seen["kept"] = dialog.fields["c"].text()
        seen["thumbnails"] = [(dialog.pages.item(i).text(), not dialog.pages.item(i).icon().isNull())
                              for i in range(dialog.pages.count())]
        if os.environ.get("AUDE_SCREENSHOTS"):
            dialog.grab().save(os.path.join(os.environ["AUDE_SCREENSHOTS"], "split-scan.png"))
        dialog.fields["d"].setText("3-4")
        dialog.accept()

    QTimer.singleShot(0, lambda: split(QApplication.activeModalWidget()))
    assert view.split_scan(str(scan))
    assert "La page 2 est attribuée aux pièces c et d" in seen["refusal"] and seen["still_open"] and seen["kept"] == "1-2"
    assert seen["thumbnails"] == [(f"Page {k}", True) for k in range(1, 5)]
    assert "Pièces c, d reçues" in view.scan_state.text()
    files = {line.code: (line.filename, line.sha256) for line in view.detail.checklist}
    assert files["c"][0] == "courrier-du-12-novembre (p. 1-2).pdf"
    for code, expected in (("c", ["Page 1", "Page 2"]), ("d", ["Page 3", "Page 4"])):
        pages = PdfReader(io.BytesIO(attachments.read(store, files[code][1]))).pages
        assert [p.extract_text().strip() for p in pages] == expected


def test_an_image_or_a_cancelled_split_writes_nothing(qtbot, store, tmp_path, view):
    photo = tmp_path / "photo.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert not view.split_scan(str(photo))
    assert "seul un PDF de plusieurs pages" in view.scan_state.text()
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scanned_pdf(2))

    def cancel(dialog) -> None:
        dialog.fields["c"].setText("1")
        dialog.reject()

    QTimer.singleShot(0, lambda: cancel(QApplication.activeModalWidget()))
    assert not view.split_scan(str(scan))
    with store.session() as s:
        assert s.query(Attachment).count() == 0
