"""The quick commands of the windows run on the serial worker too: the annotation typed in a dossier,
a scan joined to a pièce, the Nouveau dossier window. While one runs the window takes no second
submit; refused, what was typed stays on screen with the French reason; the view refreshes only once
the command is written. And the guard every GUI test runs under (tests/support/gui_thread.py) flags
window code that runs a command on the GUI thread.

A command « still running » is one queued behind `worker_held()`: no timing."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import func, select

from aude_desktop import catalog
from aude_desktop.dossiers.models import Dossier, Piece
from aude_desktop.dossiers.views.new_dossier import NewDossierDialog
from aude_desktop.store.models import Annotation, Attachment
from tests.support.gui_thread import CommandsOnGuiThread
from tests.support.jobs import settle, worker_held
from tests.ui.test_dossier_space import AGENT, TODAY, first_received, load_dossiers, space_for
from tests.ui.test_new_dossier import applicant

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("AUDE_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def buttons_enabled(dialog) -> bool:
    return all(box.isEnabled() for box in dialog.findChildren(QDialogButtonBox))


def annotations(store, dossier_id: str) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(Annotation.text).where(Annotation.dossier_id == dossier_id)))


# -- the guard -------------------------------------------------------------------------------------


def test_the_guard_flags_a_command_run_by_window_code_on_the_gui_thread_only(qtbot):
    guard = CommandsOnGuiThread(lambda name, *args: name)
    window_code = {"__name__": "aude_desktop.dossiers.views.some_view", "guard": guard}
    exec("def slot():\n    return guard('annotation.save')", window_code)  # a slot of a view, as Python sees it
    assert window_code["slot"]() == "annotation.save"  # the command still runs
    assert len(guard.faults) == 1 and "annotation.save" in guard.faults[0] and "some_view.slot" in guard.faults[0]

    worker = threading.Thread(target=window_code["slot"])  # the same slot's work on another thread
    worker.start()
    worker.join()
    guard("dossier.create")  # a test or a fixture seeding data: no window code on the stack
    gallery = {"__name__": "aude_desktop.ui.gallery", "guard": guard}
    exec("def seed():\n    return guard('epreuve.create')", gallery)
    gallery["seed"]()  # the gallery's set-up is a driver, not a window
    assert len(guard.faults) == 1


def test_every_gui_test_runs_under_the_guard_and_it_sees_a_write_of_the_store(qtbot, store, no_command_on_gui_thread):
    guard = no_command_on_gui_thread
    assert catalog.execute is guard
    window_code = {"__name__": "aude_desktop.casework.views.some_queue", "store": store}
    exec("def slot():\n"
         "    from aude_desktop.casework.queues import mark_seen\n"
         "    with store.session() as s:\n"
         "        mark_seen(s, 'dossier')", window_code)  # a « tout marquer comme vu » written by the slot itself
    window_code["slot"]()
    assert len(guard.faults) == 1 and "store written (DELETE)" in guard.faults[0] and "some_queue.slot" in guard.faults[0]
    guard.faults.clear()  # seen: this test must not fail for it


# -- the annotation --------------------------------------------------------------------------------


def test_a_refused_annotation_keeps_its_text_and_the_agent_on_the_dossier(qtbot, store):
    store, _records = load_dossiers(store)
    space = space_for(qtbot, store)
    dossier_id = first_received(store)
    space.open_dossier(dossier_id)
    view = space.dossier
    too_long = "Relancer le demandeur. " * 1000  # 23 000 characters: an annotation holds 20 000
    view.annotation.setPlainText(too_long)
    view.save_annotation()
    settle(qtbot)
    assert view.annotation_state.text().startswith("⚠ Annotation NON enregistrée : ")
    assert "20000 au plus" in view.annotation_state.text() and view.annotation.toPlainText() == too_long
    space.show_queue()  # leaving would lose the text: the view stays, the text and the reason with it
    settle(qtbot)
    assert space.currentWidget() is view and view.annotation.toPlainText() == too_long
    assert annotations(store, dossier_id) == []  # nothing half-written
    view.annotation.setPlainText("Relancer le demandeur.")
    space.show_queue()
    settle(qtbot)
    assert space.currentWidget() is space.queue and annotations(store, dossier_id) == ["Relancer le demandeur."]


def test_leaving_a_dossier_waits_for_its_annotation_and_a_reload_keeps_what_is_typed(qtbot, store):
    store, records = load_dossiers(store)
    space = space_for(qtbot, store)
    first = first_received(store)
    other = next(i for _k, i, _v, _p in records if i != first)
    space.open_dossier(first)
    view = space.dossier
    with worker_held():
        view.annotation.setPlainText("Première version")
        assert view.save_annotation() is not None and view.annotation_saving
        view.annotation.setPlainText("Deuxième version, tapée pendant l’enregistrement")
        view.reload()  # e.g. a step was recorded meanwhile: the store does not hold the text yet
        assert view.annotation.toPlainText() == "Deuxième version, tapée pendant l’enregistrement"
        space.open_dossier(other)
        assert view.detail.id == first  # not before the annotation is written
    settle(qtbot)
    assert view.detail.id == other and space.currentWidget() is view
    # Both saves, queued before the first was written, updated one annotation; the last text won.
    assert annotations(store, first) == ["Deuxième version, tapée pendant l’enregistrement"]


# -- scans -----------------------------------------------------------------------------------------


def test_a_scan_is_joined_on_the_worker_once_at_a_time_and_the_view_follows(qtbot, store, tmp_path):
    store, _records = load_dossiers(store)
    space = space_for(qtbot, store)
    dossier_id = first_received(store)
    space.open_dossier(dossier_id)
    view = space.dossier
    view.tabs.setCurrentIndex(1)
    (tmp_path / "virus.pdf").write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    (tmp_path / "diplome.pdf").write_bytes(PDF)
    row = next(r for r, line in enumerate(view.detail.checklist) if line.code == "c")

    assert view.attach_scans(row, [str(tmp_path / "virus.pdf")]) is not None
    settle(qtbot)
    assert "ni un PDF" in view.scan_state.text() and view.attach_button.isEnabled()
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Attachment)) == 0  # refused: nothing written

    with worker_held():
        assert view.attach_scans(row, [str(tmp_path / "diplome.pdf")]) is not None
        assert not view.attach_button.isEnabled() and not view.split_button.isEnabled()
        assert view.attach_scans(row, [str(tmp_path / "diplome.pdf")]) is None  # a second drop waits its turn
        assert "en cours d’enregistrement" in view.scan_state.text()
        assert view.detail.checklist[row].filename is None  # the view shows what is written, not yet this
    settle(qtbot)
    assert view.attach_button.isEnabled() and "Fichier joint à la pièce c" in view.scan_state.text()
    assert view.detail.checklist[row].filename == "diplome.pdf"  # refreshed once written
    with store.session() as s:
        assert s.scalars(select(Piece.filename).where(Piece.dossier_id == dossier_id, Piece.code == "c")).all() == ["diplome.pdf"]


# -- the Nouveau dossier window --------------------------------------------------------------------


def test_the_new_dossier_window_takes_one_submit_and_closes_once_written(qtbot, store, tmp_path):
    dialog = NewDossierDialog(store, AGENT, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    applicant(dialog, qtbot)
    with worker_held():
        dialog.accept()
        assert dialog.busy and not buttons_enabled(dialog)
        dialog.grab().save(str(shots(tmp_path) / "new-dossier-busy.png"))
        dialog.accept()  # a second Entrée
        dialog.reject()  # Échap: the dossier is already being written
        assert dialog.isVisible() and dialog.dossier_id is None
    settle(qtbot)
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    with store.session() as s:
        assert s.scalars(select(Dossier.id)).all() == [dialog.dossier_id]  # one dossier, not two
