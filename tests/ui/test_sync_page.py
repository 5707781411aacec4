"""The Synchronisation space: refused commands and conflicts shown, decided with the keyboard or mouse.
The decisions are written on the serial worker: the page and the conflict dialog wait for the answer,
a refusal keeps the dialog open with the choices made, and nothing is written half-way."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from aude_desktop.dossiers.models import Dossier
from aude_desktop.sync import resolution
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.ui.sync_page import MERGED, ConflictDialog, SyncPage
from tests.support.jobs import settle, worker_held
from tests.support.live_server import seeded_server
from tests.sync.test_engine import make_conflict
from tests.sync.test_resolution import refused_assignment


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with seeded_server(tmp_path_factory.mktemp("central"), 200, 20, 8) as live:
        yield live


def page_for(qtbot, store, auth) -> SyncPage:
    page = SyncPage(store)
    page.auth = auth
    qtbot.addWidget(page)
    page.show()
    return page


def test_conflict_listed_and_resolved_from_the_page(qtbot, tmp_path, server):
    store, auth, target, _seq = make_conflict(tmp_path, server)
    page = page_for(qtbot, store, auth)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 3).text() == "Conflit à arbitrer"
    assert page.table.item(0, 1).text().startswith("AUDE-")
    assert "1 modification(s) demandent votre décision" in page.summary.text()
    page.table.selectRow(0)
    assert page.resolve_button.isEnabled() and not page.resubmit_button.isEnabled()
    dialog = page.resolve()
    assert isinstance(dialog, ConflictDialog)
    paths = [d.path for d in dialog.diffs]
    specialty = paths.index("specialty")
    dialog.choices[specialty].setCurrentText(MERGED)
    assert dialog.merged["specialty"].isEnabled()
    dialog.grab().save(str(tmp_path / "conflict.png"))
    with store.session() as s:
        before = s.get(Dossier, target).specialty

    # Refused by the command (the specialty is 120 characters at most): the dialog stays open with the
    # text typed, and nothing was written: the conflict is still listed, the record unchanged.
    too_long = "Pédiatrie et urgences " * 8
    dialog.merged["specialty"].setPlainText(too_long)
    dialog.accept()
    settle(qtbot)
    assert dialog.isVisible() and "Spécialité" in dialog.error.text() and dialog.error.isVisible()
    assert dialog.merged["specialty"].toPlainText() == too_long and dialog.choices[specialty].currentText() == MERGED
    assert [p.status for p in resolution.problems(store)] == ["conflict"] and page.table.rowCount() == 1
    with store.session() as s:
        assert s.get(Dossier, target).specialty == before

    dialog.merged["specialty"].setPlainText("Urgences adultes et pédiatriques")
    dialog.accept()
    settle(qtbot)
    assert not dialog.isVisible()
    assert page.table.rowCount() == 0  # refreshed once written
    assert store.status().pending == 1
    assert "Aucune modification refusée" in page.summary.text()
    with store.session() as s:
        assert s.get(Dossier, target).specialty == "Urgences adultes et pédiatriques"


def test_the_conflict_dialog_takes_one_answer_at_a_time(qtbot, tmp_path, server):
    store, auth, _target, _seq = make_conflict(tmp_path, server)
    page = page_for(qtbot, store, auth)
    page.table.selectRow(0)
    dialog = page.resolve()
    with worker_held():
        dialog.accept()
        assert dialog.busy and not any(box.isEnabled() for box in dialog.findChildren(QDialogButtonBox))
        dialog.accept()  # a second Entrée
        dialog.reject()  # Échap cannot take back what the worker was handed
        assert dialog.isVisible() and page.table.rowCount() == 1
    settle(qtbot)
    assert not dialog.isVisible() and page.table.rowCount() == 0
    assert store.status().pending == 1  # one update queued, not two


def say_yes() -> None:
    """Answers « Oui » to the question when it shows, as the agent would."""
    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        box.button(QMessageBox.StandardButton.Yes).click()

    QTimer.singleShot(20, click)


def test_a_refused_command_is_resubmitted_then_given_up_from_the_page(qtbot, tmp_path, server):
    store, auth, target, original = refused_assignment(tmp_path, server)
    page = page_for(qtbot, store, auth)
    page.table.selectRow(0)
    assert page.resubmit_button.isEnabled()
    with worker_held():
        page.resubmit()
        assert not page.resubmit_button.isEnabled() and page.resubmit() is None  # one decision at a time
        assert page.table.rowCount() == 1
    settle(qtbot)
    assert page.table.rowCount() == 0 and store.status().pending == 1

    SyncEngine(store, auth).run()  # refused again: listed again
    page.refresh()
    page.table.selectRow(0)
    say_yes()
    page.discard()  # the server's version asked on a network task, the giving up written on the worker
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=30_000)  # refreshed once written
    assert resolution.problems(store) == [] and not page.busy
    with store.session() as s:
        assert s.get(Dossier, target).assigned_to == original


def test_empty_page_says_all_is_well(qtbot, store):
    page = SyncPage(store)
    qtbot.addWidget(page)
    assert page.table.rowCount() == 0
    assert not page.discard_button.isEnabled()
    assert resolution.problems(store) == []
