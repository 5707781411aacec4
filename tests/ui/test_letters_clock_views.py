"""The letters' clocks on screen: the notification date entered from a record's letters (keyboard),
a late letter that asks for confirmation, and the épreuve sessions window (create, convene;
read-only for DGOS). Screenshots go to the pytest folder and are looked at in review."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.views.epreuve_dialogs import EpreuveSessionsDialog
from aude_desktop.letters import register
from aude_desktop.sync.materialize import materialize
from tests.central_api.conftest import new_dossier
from tests.letters.test_letters import SETTINGS
from tests.letters.test_notification_and_epreuves import EVENTS, decided
from tests.support.jobs import settle
from tests.ui.test_dossier_space import TODAY, space_for

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
D1, D2, D3 = ("11111111-1111-4111-8111-11111111111" + str(i) for i in range(1, 4))


def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("AUDE_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def seeded(store):
    late = new_dossier(state="complet", acknowledged_on="2026-11-03", complete_on="2026-11-03", clock_events=EVENTS[:3],
                       received_on="2026-09-01")
    late["applicant"].update(sex="M", birth_date="1988-02-03")  # the letter agrees with the civilité
    chosen = decided({"kind": "au_choix", "chosen": "epreuve", "chosen_on": "2026-11-20"})
    with store.session() as s:
        materialize(s, [("dossier", D1, 1, decided({"kind": "au_choix"})), ("dossier", D2, 1, late), ("dossier", D3, 1, chosen)])
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    return store


def test_notification_date_entered_from_the_letters_list_with_the_keyboard(qtbot, store, tmp_path):
    space = space_for(qtbot, seeded(store))
    space.open_dossier(D1)
    view = space.dossier
    view.issue_letter("decision_mesures")
    settle(qtbot)
    qtbot.addWidget(view.letter_preview)
    assert view.letters_table.item(0, 4).text() == "notification à saisir" and not view.notify_button.isHidden()
    view.letters_table.selectRow(0)
    dialog = view.notify_letter(0)
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.day and dialog.day.maximumDate().toPython() == TODAY
    dialog.mode.setCurrentIndex(1)  # électronique
    dialog.grab().save(str(shots(tmp_path) / "notification_dialog.png"))
    qtbot.keyClick(dialog.day, Qt.Key.Key_Return)
    settle(qtbot)
    assert not dialog.isVisible()
    assert view.letters_table.item(0, 4).text().startswith("notifié le") and "électronique" in view.letters_table.item(0, 4).text()
    assert "Choix de la mesure de compensation attendu" in view.clock_label.text()


def test_a_late_acknowledgement_asks_for_confirmation_and_says_why(qtbot, store, tmp_path):
    space = space_for(qtbot, seeded(store))
    space.open_dossier(D2)
    view = space.dossier
    view.issue_letter("accuse_reception")
    settle(qtbot)
    box = view.late_box
    qtbot.waitExposed(box)
    assert "L.112-6" in box.informativeText() and "1er octobre 2026" in box.informativeText()
    box.grab().save(str(shots(tmp_path) / "late_letter_confirmation.png"))
    qtbot.keyClick(box, Qt.Key.Key_Return)  # the default answer: not issued
    assert not box.isVisible() and register.letters_of(store, "aude", D2) == []
    view.issue_letter("accuse_reception")
    settle(qtbot)
    box = view.late_box
    qtbot.waitExposed(box)
    next(b for b in box.buttons() if b.text() == "Émettre quand même").click()
    settle(qtbot)
    qtbot.waitUntil(lambda: len(register.letters_of(store, "aude", D2)) == 1)
    for widget in QApplication.topLevelWidgets():
        if type(widget).__name__ == "LetterPreview":
            widget.close()


def test_epreuve_sessions_window_creates_and_convenes_with_the_keyboard(qtbot, store, tmp_path):
    space = space_for(qtbot, seeded(store))
    dialog = space.show_epreuves()
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    new = dialog.new_session()
    qtbot.waitExposed(new)
    new.profession.setCurrentIndex(new.profession.findData("infirmier"))
    qtbot.keyClicks(new.address, "Cite administrative, 31000 Toulouse, salle 12")
    qtbot.keyClicks(new.bring, "une piece d'identite")
    new.capacity.setValue(2)
    new.grab().save(str(shots(tmp_path) / "epreuve_new_session.png"))
    qtbot.keyClick(new.address, Qt.Key.Key_Return)
    settle(qtbot)
    assert not new.isVisible() and new.session_id
    assert dialog.table.item(0, 2).text() == "2" and dialog.table.item(0, 3).text() == "0"
    convoke = dialog.convoke(0)
    qtbot.waitExposed(convoke)
    assert convoke.list.count() == 1 and D3 == convoke.list.item(0).data(Qt.ItemDataRole.UserRole)  # not D1: no choice yet
    qtbot.keyClick(convoke.list, Qt.Key.Key_Space)
    convoke.grab().save(str(shots(tmp_path) / "epreuve_convoke.png"))
    qtbot.keyClick(convoke.list, Qt.Key.Key_Return)
    settle(qtbot)
    assert not convoke.isVisible() and convoke.convened == [D3]
    assert dialog.table.item(0, 3).text() == "1"
    dialog.grab().save(str(shots(tmp_path) / "epreuve_sessions.png"))
    # the convocation is then issued from the dossier, with the session's date, hour and place
    letter = register.issue(store, AGENT, SETTINGS, "aude", "convocation_epreuve", D3, TODAY)
    assert letter.reference
    dgos = EpreuveSessionsDialog(store, Actor("dgos", "dgos"), TODAY)
    qtbot.addWidget(dgos)
    assert dgos.table.rowCount() == 1 and not dgos.new_button.isVisible() and not dgos.convoke_button.isVisibleTo(dgos)
