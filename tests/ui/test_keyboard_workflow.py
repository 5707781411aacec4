"""The main workflow with the keyboard only, in the main window: open the queue (Ctrl+1), search
(Ctrl+F), open a file (Entrée), record a step (Tab to the step, Espace, fill in, validate), issue a
letter (Alt+U, the letters menu, Entrée), close the preview (Échap), back to the queue (Échap)."""

from __future__ import annotations

import json
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from sqlalchemy import select

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.dossiers.models import Dossier
from aude_desktop.store.models import Letter
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records


def _press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _focus_window(qtbot, window) -> None:
    """What the window manager does when a dialog opens (the offscreen platform has none)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)


def _tab_to(qtbot, predicate, backwards: bool = False, limit: int = 40) -> None:
    for _ in range(limit):
        if predicate(QApplication.focusWidget()):
            return
        _press(qtbot, Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab,
               Qt.KeyboardModifier.ShiftModifier if backwards else Qt.KeyboardModifier.NoModifier)
    raise AssertionError(f"focus never reached the target; it is on {QApplication.focusWidget()}")


def test_the_main_workflow_with_the_keyboard_only(qtbot, window, store):
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload)))
               for r in generate_records(400, 0, seed=5, today=date.today()) if r.kind == "dossier"]
    for _k, _i, _v, p in records:
        p["region"] = "OCC"
    with store.session() as s:
        materialize.materialize(s, records)
        target = s.scalars(select(Dossier).where(Dossier.state == "recu").order_by(Dossier.reference)).first()
        reference = target.reference
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    window.settings.last_user = "agent.occ"  # signed in here before: works offline as that agent
    from aude_desktop.letters.samples import with_demo_letterhead

    for key, value in vars(with_demo_letterhead(window.settings, "agent_dreets")).items():  # the service's letter settings
        setattr(window.settings, key, value)
    window.dossiers.refresh_permissions()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)

    window.navigation.setFocus()
    _press(qtbot, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # the queue
    assert window.current_space() == "dossiers"
    queue = window.dossiers.queue
    queue.refresh()
    _press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # search
    qtbot.waitUntil(lambda: QApplication.focusWidget() is queue.search, timeout=2000)
    qtbot.keyClicks(queue.search, reference)
    qtbot.waitUntil(lambda: queue.model.total == 1, timeout=5000)
    _tab_to(qtbot, lambda w: w is queue.table)
    _press(qtbot, Qt.Key.Key_Down)
    _press(qtbot, Qt.Key.Key_Return)  # open the file
    view = window.dossiers.dossier
    assert window.dossiers.currentWidget() is view and reference in view.title.text()

    _tab_to(qtbot, lambda w: isinstance(w, QPushButton) and w.objectName() == "action_dossier.acknowledge", backwards=True)
    _press(qtbot, Qt.Key.Key_Space)  # record the acknowledgement
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=3000)
    dialog = QApplication.activeModalWidget()
    _focus_window(qtbot, dialog)
    missing = dialog.widgets["missing"]
    _tab_to(qtbot, lambda w: w is missing)
    _press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    _press(qtbot, Qt.Key.Key_Delete)
    _tab_to(qtbot, lambda w: isinstance(w, QPushButton) and w.isDefault())
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    with store.session() as s:
        assert s.get(Dossier, target.id).state == "complet"

    _focus_window(qtbot, window)
    view.tabs.setFocus()
    _press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # Courriers tab
    assert view.tabs.tabText(view.tabs.currentIndex()).replace("&", "") == "Courriers"
    _tab_to(qtbot, lambda w: w is view.issue_button)
    _press(qtbot, Qt.Key.Key_Space)  # the menu of letters that fit this step
    qtbot.waitUntil(lambda: view.issue_menu.isVisible(), timeout=3000)
    qtbot.keyClick(view.issue_menu, Qt.Key.Key_Down)
    qtbot.keyClick(view.issue_menu, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None or any(
        w.isVisible() and type(w).__name__ == "LetterPreview" for w in QApplication.topLevelWidgets()), timeout=5000)
    late = getattr(view, "late_box", None)
    if late is not None and late.isVisible():  # a demo dossier past its month: the agent confirms, by keyboard
        emit = next(b for b in late.buttons() if b.text() == "Émettre quand même")
        _focus_window(qtbot, late)
        _tab_to(qtbot, lambda w: w is emit)
        _press(qtbot, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: any(w.isVisible() and type(w).__name__ == "LetterPreview"
                                    for w in QApplication.topLevelWidgets()), timeout=5000)
    with store.session() as s:
        assert s.scalars(select(Letter.reference).where(Letter.dossier_id == target.id)).first()
    preview = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and type(w).__name__ == "LetterPreview")
    _focus_window(qtbot, preview)
    qtbot.keyClick(preview, Qt.Key.Key_Escape)
    assert not preview.isVisible()
    _focus_window(qtbot, window)
    view.tabs.setFocus()
    _press(qtbot, Qt.Key.Key_Escape)  # back to the queue
    assert window.dossiers.currentWidget() is queue
