"""Every window and dialog (the gallery's set: main window, spaces, record views, action and bulk
dialogs, settings, sign-in, lock…) walked widget by widget:
- each focusable widget has an accessible name, as a screen reader reads it (QAccessible);
- no user-visible text is in English (labels, buttons, titles, tooltips, placeholders, headers,
  menus, standard dialog buttons).
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)

from aude_desktop.ui import gallery

# Words of English interfaces that are not also French (« Close », « File », « Page » are French too).
ENGLISH = re.compile(r"\b(Cancel|Save|Open|Yes|No|Apply|Reset|Help|Edit|View|Settings|Error|Warning|"
                     r"Search|Loading|Select|Delete|Back|Next|Previous|Print|Name|Status|Submit|Retry|Abort|"
                     r"Ignore|Discard|Restore|Defaults|Show Details|Hide Details|Browse|Filter|Export|Sign in|"
                     r"Login|Password|Server|Sync|Today|of|the|and|or|to|from|with|for)\b")


def _every_dialog(store) -> dict[str, QWidget]:
    """The dialogs the gallery does not show: every step form of both procedures, the bulk and
    session dialogs, the conflict dialog."""
    from datetime import date

    from aude_desktop.casework.views.action_dialog import ActionDialog
    from aude_desktop.casework.views.bulk_dialogs import ChoiceDialog
    from aude_desktop.conventions import forms as eps_forms
    from aude_desktop.domain.commands import Actor
    from aude_desktop.dossiers import forms as aude_forms
    from aude_desktop.dossiers.views.bulk_dialogs import NewSessionDialog
    from aude_desktop.sync.resolution import FieldDiff
    from aude_desktop.ui.sync_page import ConflictDialog

    today = date(2026, 11, 23)
    dialogs: dict[str, QWidget] = {}
    for procedure, module in (("aude", aude_forms), ("eps", eps_forms)):
        for name, form in module.FORMS.items():
            dialogs[f"{procedure}:{name}"] = ActionDialog(form, lambda _args: "", today=today)
    dialogs["choice"] = ChoiceDialog("Attribuer", "Agent :", [("agent.occ", "Agent Occitanie")], today, with_date=True)
    dialogs["new-session"] = NewSessionDialog(store, Actor("agent.occ", "agent_dreets", "OCC"), today)
    from aude_desktop.dossiers.views.epreuve_dialogs import (
        EpreuveSessionsDialog,
        NewEpreuveSessionDialog,
    )
    from aude_desktop.letters.register import LetterLine
    from aude_desktop.letters.views.notification_dialog import NotificationDialog

    agent = Actor("agent.occ", "agent_dreets", "OCC")
    dialogs["epreuve-sessions"] = EpreuveSessionsDialog(store, agent, today)
    dialogs["epreuve-new"] = NewEpreuveSessionDialog(store, agent, today)
    dialogs["notification"] = NotificationDialog(store, agent, LetterLine(
        "00000000-0000-4000-8000-000000000001", "AUDE-C-TEST-000001", "Décision de refus", today, "0" * 64, "en vigueur",
        "notification à saisir", True), today)
    dialogs["conflict"] = ConflictDialog([FieldDiff("specialty", "Pédiatrie", "Urgences", True),
                                          FieldDiff("applicant.city", "Rodez", "Albi", False)])
    return dialogs


@pytest.fixture(scope="module")
def windows(qapp, tmp_path_factory):
    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key

    shown = gallery.build(tmp_path_factory.mktemp("a11y"))
    profile = Profile.isolated(tmp_path_factory.mktemp("dialogs"))
    store = open_store(profile, database_key(profile, passphrase="dialogues de test"))
    shown.update(_every_dialog(store))
    yield shown
    store.close()
    for widget in shown.values():
        widget.close()


def _focusable(top: QWidget) -> list[QWidget]:
    found = []
    for widget in [top, *top.findChildren(QWidget)]:
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or widget.focusProxy() is not None:
            continue  # inner editors delegate focus (and their name) to their owner
        if widget.window() is not top and widget.window().windowType() == Qt.WindowType.Popup:
            continue  # a combo box's drop-down list: named by its combo box
        found.append(widget)
    return found


def _name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return (interface.text(QAccessible.Text.Name) if interface else "") or widget.accessibleName()


def _where(widget: QWidget) -> str:
    return f"{type(widget).__name__}(objectName={widget.objectName()!r}, parent={type(widget.parent()).__name__})"


def test_every_focusable_widget_has_an_accessible_name(windows):
    missing = []
    checked = 0
    for name, top in windows.items():
        for widget in _focusable(top):
            checked += 1
            if not _name(widget).strip():
                missing.append(f"{name}: {_where(widget)}")
    assert checked > 200, checked  # the walk reached the real widgets
    assert missing == [], "\n".join(missing)


def _texts(top: QWidget) -> list[tuple[str, str]]:
    out = [("titre", top.windowTitle())]
    for widget in [top, *top.findChildren(QWidget)]:
        where = _where(widget)
        out += [(where, widget.toolTip()), (where, widget.accessibleName()), (where, widget.statusTip())]
        if isinstance(widget, QLabel | QAbstractButton | QGroupBox):
            out.append((where, widget.text() if not isinstance(widget, QGroupBox) else widget.title()))
        if isinstance(widget, QLineEdit | QPlainTextEdit):
            out.append((where, widget.placeholderText()))
        if isinstance(widget, QComboBox):
            out += [(where, widget.itemText(i)) for i in range(widget.count())]
        if isinstance(widget, QTabWidget):
            out += [(where, widget.tabText(i)) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            try:
                columns = model.columnCount()
            except TypeError:  # list models have one unnamed column
                columns = 0
            out += [(where, str(model.headerData(c, Qt.Orientation.Horizontal) or "")) for c in range(columns)]
        if isinstance(widget, QMainWindow):
            for action in widget.menuBar().actions():
                out.append((where, action.text()))
                if action.menu():
                    out += [(where, a.text()) for a in action.menu().actions()]
    return out


def test_no_user_visible_text_is_in_english(windows):
    english = []
    for name, top in windows.items():
        for where, text in _texts(top):
            plain = re.sub(r"<[^>]+>|&(?=\w)|\S*/\S*", "", text or "")  # markup, mnemonics, paths
            if ENGLISH.search(plain):
                english.append(f"{name}: {where}: {plain[:90]!r}")
    assert english == [], "\n".join(english)


def test_standard_dialog_buttons_are_in_french(qapp):
    from aude_desktop.ui.i18n import install_french

    install_french(qapp)
    box = QMessageBox(QMessageBox.Icon.Question, "Question", "Continuer ?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Oui", "Non", "Annuler"}, texts
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close)
    assert {b.text().replace("&", "") for b in buttons.buttons()} == {"Enregistrer", "Fermer"}


def test_the_english_detector_detects():
    assert ENGLISH.search("Cancel") and ENGLISH.search("Show Details...") and ENGLISH.search("Sync now")
    assert not ENGLISH.search("Fermer la file") and not ENGLISH.search("Convention close, page 2")


def test_no_two_shortcuts_of_a_dialog_share_a_letter(windows):
    """Alt+letter must reach one field: two « &V » in a dialog would only cycle between them."""
    from PySide6.QtWidgets import QDialog

    clashes = []
    for name, top in windows.items():
        if not isinstance(top, QDialog):
            continue
        letters: dict[str, str] = {}
        for widget in top.findChildren(QWidget):
            text = widget.text() if isinstance(widget, QLabel | QAbstractButton) else ""
            found = re.search(r"&(\w)", text or "")
            if found:
                letter = found.group(1).lower()
                if letter in letters:
                    clashes.append(f"{name}: Alt+{letter} — « {letters[letter]} » et « {text} »")
                letters[letter] = text
    assert clashes == [], "\n".join(clashes)


def test_the_focus_is_visible_on_buttons_fields_and_tables(qtbot):
    """A keyboard user sees where they are: the same widget drawn with and without the focus differs."""
    from PySide6.QtWidgets import QApplication, QHBoxLayout, QPushButton, QTableWidget

    from aude_desktop.ui.style import install_style

    install_style(QApplication.instance())  # the application's style, as app.main installs it
    host = QWidget()
    layout = QHBoxLayout(host)
    widgets = [QPushButton("Décision…"), QLineEdit("AUDE-2026"), QTableWidget(3, 2), QComboBox()]
    widgets[3].addItems(["Tous les états", "Reçu"])
    for widget in widgets:
        layout.addWidget(widget)
    qtbot.addWidget(host)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow, timeout=3000)
    for widget in widgets:
        widgets[0 if widget is not widgets[0] else 1].setFocus()
        qtbot.waitUntil(lambda w=widget: not w.hasFocus(), timeout=1000)
        without = widget.grab().toImage()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus, timeout=1000)
        assert widget.grab().toImage() != without, f"no visible focus on {type(widget).__name__}"
