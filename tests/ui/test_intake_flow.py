"""Issue 19's agent flow against the real reference server: register a paper application offline
(Ctrl+N) with two scans dropped on pièces, see the duplicate warning for an applicant this machine
already holds, sync, see the definitive reference, issue the AR; another client sees the dossier
and its scans; the national index warns an agent of another region with the reference and region only."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import intake
from aude_desktop.dossiers.models import Applicant, Dossier, Piece
from aude_desktop.dossiers.views.space import DossiersSpace
from aude_desktop.letters import compose, register
from aude_desktop.letters.samples import sample_settings
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync import attachments
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.workspace import Workspace
from tests.support.jobs import settle
from tests.support.live_server import server_fixture, signed_in
from tests.ui.test_new_dossier import applicant, fill

server = server_fixture(120, 0, 11)
AGENT = Actor("agent.occ", "agent_dreets", "OCC")
LETTERS = sample_settings()  # the letterhead and signatory every letter needs
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


def _profile(tmp_path, name: str):
    profile = Profile.isolated(tmp_path / name)
    return open_store(profile, database_key(profile))


def _drop(qtbot, view, row: int, path) -> None:
    """What the window system delivers when a file is dropped on a line of the pièces table; then
    the file is read, checked and kept on the serial worker."""
    table = view.pieces_table
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    point = QPointF(table.visualItemRect(table.item(row, 0)).center())
    event = QDropEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    # Qt delivers a Drop only to the target of a drag its drag manager started; a synthetic event
    # goes straight to the filter that receives it in the running application.
    assert view.eventFilter(table.viewport(), event)
    settle(qtbot)


def _row(view, code: str) -> int:
    return next(i for i, line in enumerate(view.detail.checklist) if line.code == code)


@pytest.fixture
def agent(tmp_path, server, qtbot):
    store = _profile(tmp_path, "agent")
    auth = signed_in(server)
    SyncEngine(store, auth).run()  # the region's dossiers are on this machine before the network goes
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))  # the case officer of its letters
    space = DossiersSpace(store, lambda: AGENT, "agent.occ", date.today(), settings=lambda: LETTERS)
    qtbot.addWidget(space)
    space.resize(1280, 800)
    space.show()
    yield store, auth, space
    store.close()


def test_register_offline_with_two_scans_then_sync_and_issue_the_ar(qtbot, tmp_path, server, agent):
    store, auth, space = agent
    with store.session() as s:
        known = s.execute(select(Dossier.reference, Applicant.last_name, Applicant.first_names, Applicant.birth_date)
                          .join(Applicant).where(Applicant.birth_date.is_not(None)).order_by(Dossier.reference)).first()
    seen: dict = {}

    def type_in(dialog) -> None:  # the same person as a dossier of this machine, typed differently
        applicant(dialog, qtbot, last_name=intake.name_key(known.last_name).upper(), first_names=known.first_names.lower(),
                  birth_date=f"{known.birth_date:%d/%m/%Y}")
        dialog.check_duplicates()
        seen["warning"] = dialog.duplicates_label.text() if dialog.duplicates_box.isVisible() else ""
        dialog.accept()
        seen["refusal"] = dialog.error.text()
        fill(dialog, qtbot, duplicate_reason="Nouvelle demande après un refus, autre diplôme")
        dialog.accept()
        settle(qtbot)  # the dossier and its pièces are written on the serial worker
        if dialog.isVisible():
            seen["stuck"] = dialog.error.text()
            dialog.reject()

    space.activateWindow()
    qtbot.waitActive(space)
    space.queue.table.setFocus()
    qtbot.waitUntil(space.queue.table.hasFocus, timeout=2000)
    QTimer.singleShot(0, lambda: type_in(QApplication.activeModalWidget()))
    qtbot.keyClick(space.queue.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # offline: no national index
    assert "stuck" not in seen, seen
    assert known.reference in seen["warning"] and "déjà un dossier" in seen["refusal"]
    view = space.dossier
    dossier_id = view.detail.id
    assert space.currentWidget() is view and "(provisoire)" in view.title.text()

    view.tabs.setCurrentIndex(1)  # Pièces
    qtbot.waitUntil(view.pieces_table.isVisible, timeout=2000)
    (tmp_path / "diplome.pdf").write_bytes(PDF)
    (tmp_path / "identite.jpg").write_bytes(JPEG)
    (tmp_path / "virus.pdf").write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    _drop(qtbot, view, _row(view, "b"), tmp_path / "virus.pdf")
    assert "ni un PDF" in view.scan_state.text()
    _drop(qtbot, view, _row(view, "b"), tmp_path / "identite.jpg")
    _drop(qtbot, view, _row(view, "c"), tmp_path / "diplome.pdf")
    files = {line.code: line.filename for line in view.detail.checklist}
    assert files["b"] == "identite.jpg" and files["c"] == "diplome.pdf"
    Workspace(store).run(AGENT, "dossier.acknowledge", {"id": dossier_id, "on": date.today().isoformat(), "missing": []})
    with pytest.raises(compose.LetterNotApplicable, match="référence provisoire"):
        register.issue(store, AGENT, LETTERS, "aude", "accuse_reception", dossier_id, date.today())

    report = SyncEngine(store, auth).run()
    assert report.rejected == 0 and report.conflicts == 0, report
    view.reload()
    reference = view.detail.reference
    assert re.fullmatch(rf"AUDE-{date.today().year}-OCC-\d{{6}}", reference), reference
    assert reference in view.title.text() and "provisoire" not in view.title.text()
    view.issue_letter("accuse_reception")
    settle(qtbot)
    preview = view.letter_preview
    [issued] = register.letters_of(store, "aude", dossier_id)
    assert preview is not None and issued.title.lower().startswith("accusé")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(attachments.read(store, issued.sha256))).pages)
    assert reference in text and "PROV-" not in text  # the letter names the definitive reference
    SyncEngine(store, auth).run()

    # another client of the region sees the dossier, its definitive reference, its scans and the AR
    colleague = _profile(tmp_path, "colleague")
    other = signed_in(server)
    SyncEngine(colleague, other).run()
    with colleague.session() as s:
        assert s.get(Dossier, dossier_id).reference == reference
        pieces = {p.code: p.sha256 for p in s.scalars(select(Piece).where(Piece.dossier_id == dossier_id))}
    assert attachments.read(colleague, pieces["c"]) == PDF and attachments.read(colleague, pieces["b"]) == JPEG
    assert register.letters_of(colleague, "aude", dossier_id)
    colleague.close()

    # an agent of another region typing the same person is told the reference and the region, nothing else
    bre = signed_in(server, "agent.bre", "demo-agent-bre")
    with store.session() as s:
        a = s.scalars(select(Applicant).where(Applicant.dossier_id == dossier_id)).one()
        matches = intake.national_duplicates(bre, a.last_name, None, a.first_names, a.birth_date)
    assert intake.Duplicate(reference, "OCC") in matches
