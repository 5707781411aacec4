"""The Nouveau dossier window driven as an agent: Ctrl+N, refusals inline with nothing typed lost,
the non-EU explanation, the region proposal and its reason, the pièces checklist, the duplicate
warning, and the new dossier in the queue with its AR due date at once."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import intake
from aude_desktop.dossiers.models import Dossier, Piece
from aude_desktop.dossiers.views.new_dossier import NewDossierDialog
from tests.support.jobs import settle
from tests.ui.test_dossier_space import space_for

TODAY = date.today()
AGENT = Actor("agent.occ", "agent_dreets", "OCC")


def fill(dialog: NewDossierDialog, qtbot, **values) -> None:
    for key, text in values.items():
        widget = dialog.widgets[key]
        if hasattr(widget, "currentData"):
            widget.setCurrentIndex(widget.findData(text))
        elif hasattr(widget, "setChecked"):
            widget.setChecked(bool(text))
        elif hasattr(widget, "setPlainText"):
            widget.setPlainText(text)
        else:
            widget.clear()
            widget.insert(text)  # as typed (qtbot.keyClicks cannot type « ễ » offscreen)


def applicant(dialog, qtbot, **changes) -> None:
    values = dict(civility="F", last_name="Nguyễn", first_names="Élodie", birth_date="04/03/1990", nationality="belge",
                  postal_code="34000", city="Montpellier", email="elodie@example.org", profession="infirmier",
                  situation="ue_reglemente", diploma_title="Bachelier infirmier", diploma_country="Belgique")
    values.update(changes)
    fill(dialog, qtbot, **values)


def check_piece(dialog, code: str) -> None:
    for i in range(dialog.pieces.count()):
        if dialog.pieces.item(i).data(Qt.ItemDataRole.UserRole) == code:
            dialog.pieces.item(i).setCheckState(Qt.CheckState.Checked)


def test_refusals_inline_keep_what_was_typed_and_the_dossier_is_saved(qtbot, store, tmp_path):
    dialog = NewDossierDialog(store, AGENT, TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.widgets["received_on"].text() == f"{TODAY:%d/%m/%Y}"  # receipt date defaults to today
    applicant(dialog, qtbot, received_on="01/01/2099")
    dialog.accept()
    assert dialog.isVisible() and "dans le futur" in dialog.error.text()
    assert dialog.focusWidget() is dialog.widgets["received_on"] or dialog.widgets["received_on"].hasFocus()
    assert dialog.widgets["last_name"].text() == "Nguyễn" and dialog.widgets["email"].text() == "elodie@example.org"
    fill(dialog, qtbot, received_on=f"{TODAY:%d/%m/%Y}", email="pas une adresse")
    dialog.accept()
    assert "Courriel" in dialog.error.text() and dialog.widgets["first_names"].text() == "Élodie"
    # the non-EU situation is explained before saving; the checklist follows the situation
    fill(dialog, qtbot, email="elodie@example.org", situation="hors_ue")
    assert dialog.non_eu.isVisible() and "irrecevable" in dialog.non_eu.text()
    fill(dialog, qtbot, situation="ue_non_reglemente")
    assert not dialog.non_eu.isVisible()
    codes = [dialog.pieces.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dialog.pieces.count())]
    assert "h" in codes and "i" not in codes
    # a region other than the proposed one asks for a reason
    assert "Occitanie" in dialog.region_hint.text()
    fill(dialog, qtbot, region="BRE")
    dialog.accept()
    assert "Motif du choix de région" in dialog.error.text() and dialog.widgets["region_reason"].isEnabled()
    fill(dialog, qtbot, region="OCC")
    check_piece(dialog, "a")
    check_piece(dialog, "h")
    dialog.grab().save(str(tmp_path / "nouveau-dossier.png"))
    dialog.accept()
    settle(qtbot)  # written on the serial worker
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error.text()
    with store.session() as s:
        d = s.get(Dossier, dialog.dossier_id)
        assert intake.is_provisional(d.reference) and d.next_due_on is not None  # the AR due date at once
        assert {p.code for p in s.query(Piece).filter(Piece.dossier_id == d.id)} == {"a", "h"}


def test_ctrl_n_in_the_dossiers_space_and_duplicate_warning(qtbot, store):
    seen: dict = {}
    space = space_for(qtbot, store)

    def first(dialog: NewDossierDialog) -> None:
        applicant(dialog, qtbot)
        dialog.accept()
        settle(qtbot)
        seen["first"] = dialog.error.text()
        if dialog.isVisible():
            dialog.reject()  # a refusal here must fail the test, not hang it

    def second(dialog: NewDossierDialog) -> None:
        applicant(dialog, qtbot, last_name="NGUYEN", first_names="elodie marie")
        dialog.check_duplicates()
        seen["warning"] = dialog.duplicates_label.text()
        dialog.accept()
        seen["refusal"] = dialog.error.text()
        fill(dialog, qtbot, duplicate_reason="Nouvelle demande, autre profession")
        fill(dialog, qtbot, profession="ergotherapeute")
        dialog.accept()
        settle(qtbot)
        seen["second"] = dialog.error.text() if dialog.isVisible() else ""
        if dialog.isVisible():
            dialog.reject()

    for step in (first, second):
        space.activateWindow()
        qtbot.waitActive(space)
        space.queue.table.setFocus()
        qtbot.waitUntil(space.queue.table.hasFocus, timeout=2000)
        QTimer.singleShot(0, lambda step=step: step(QApplication.activeModalWidget()))
        qtbot.keyClick(space.queue.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert space.currentWidget() is space.dossier, seen
        space.show_queue()
    assert "(provisoire)" in seen["warning"] and "Occitanie" in seen["warning"]
    assert "déjà un dossier" in seen["refusal"]
    with store.session() as s:
        assert s.query(Dossier).count() == 2
