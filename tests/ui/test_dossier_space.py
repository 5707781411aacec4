"""The Dossiers space with the keyboard: open a file from the queue, record a step, refusals shown
inline, annotations saved as typed, « nouveau » markers, and read-only profiles without actions."""

from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.casework.views.bulk_dialogs import ReportDialog
from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers import bulk, queue
from aude_desktop.dossiers.models import Dossier
from aude_desktop.dossiers.views.space import DossiersSpace
from aude_desktop.store.models import Annotation, OutboxEntry, UnseenChange
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records
from tests.support.jobs import settle

TODAY = date(2026, 11, 23)
AGENT = Actor("agent.occ", "agent_dreets", "OCC")


@pytest.fixture
def loaded(store):
    return load_dossiers(store)


def load_dossiers(store):
    """300 demo dossiers of Occitanie and the agent who works on them, as a sync would leave them."""
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload)))
               for r in generate_records(300, 0, seed=5, today=TODAY) if r.kind == "dossier"]
    for _k, _i, _v, p in records:
        p["region"] = "OCC"
    with store.session() as s:
        materialize.materialize(s, records)
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    return store, records


def space_for(qtbot, store, actor=AGENT):
    from aude_desktop.letters.samples import sample_settings

    space = DossiersSpace(store, lambda: actor, "agent.occ", TODAY, settings=sample_settings)
    qtbot.addWidget(space)
    space.resize(1280, 800)
    space.show()
    space.activateWindow()
    qtbot.waitActive(space)
    return space


def first_received(store) -> str:
    with store.session() as s:
        return s.scalars(select(Dossier.id).where(Dossier.state == "recu").order_by(Dossier.reference)).first()


def test_keyboard_opens_a_dossier_from_the_queue_and_escape_returns(qtbot, loaded):
    store, _records = loaded
    space = space_for(qtbot, store)
    table = space.queue.table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=2000)
    table.setCurrentIndex(space.queue.model.index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert space.currentWidget() is space.dossier
    reference = space.queue.model.rows[0].reference
    assert reference in space.dossier.title.text()
    assert "Échéance légale" in space.dossier.clock_label.text()
    qtbot.waitUntil(space.dossier.tabs.hasFocus, timeout=2000)
    qtbot.keyClick(space.dossier.tabs, Qt.Key.Key_Escape)
    assert space.currentWidget() is space.queue


def acknowledge_dialog(qtbot, store):
    """The space, a received dossier opened in it, and its « accusé de réception » step dialog."""
    space = space_for(qtbot, store)
    dossier_id = first_received(store)
    space.open_dossier(dossier_id)
    return space, dossier_id, space.dossier.open_action("dossier.acknowledge")


def test_recording_a_step_changes_the_file_and_a_refused_date_keeps_the_dialog_open(qtbot, loaded):
    store, _records = loaded
    space, dossier_id, dialog = acknowledge_dialog(qtbot, store)
    assert dialog.widgets["missing"].toPlainText()  # the checklist's missing pièces are proposed
    received = space.dossier.detail.received_on
    dialog.widgets["on"].setDate(dialog.widgets["on"].date().addYears(-5))
    dialog.accept()
    settle(qtbot)
    assert dialog.isVisible() and "ne peut pas précéder" in dialog.error.text()
    assert dialog.widgets["missing"].toPlainText()  # nothing typed is lost
    dialog.widgets["on"].setDate(dialog.widgets["on"].date().addYears(5))
    dialog.widgets["missing"].setPlainText("")
    dialog.accept()
    settle(qtbot)
    assert not dialog.isVisible()
    with store.session() as s:
        assert s.get(Dossier, dossier_id).state == "complet"
        assert s.scalars(select(OutboxEntry.name).where(OutboxEntry.entity_id == dossier_id)).all() == ["dossier.acknowledge"]
    assert "Complet" in space.dossier.summary.text() and received


def test_annotation_is_saved_as_it_is_typed(qtbot, loaded):
    store, _records = loaded
    space = space_for(qtbot, store)
    dossier_id = first_received(store)
    space.open_dossier(dossier_id)
    space.dossier.tabs.setCurrentIndex(5)
    qtbot.keyClicks(space.dossier.annotation, "Appeler le demandeur, piece g")
    qtbot.waitUntil(lambda: space.dossier.annotation_state.text() == "Annotation enregistrée sur ce poste.", timeout=5000)
    with store.session() as s:
        note = s.scalars(select(Annotation).where(Annotation.dossier_id == dossier_id)).one()
        assert note.text == "Appeler le demandeur, piece g" and note.author == "agent.occ"


def test_new_marker_until_opened_and_mark_all_seen(qtbot, loaded):
    store, records = loaded
    with store.session() as s:
        s.add_all([UnseenChange(entity_id=records[i][1], entity_kind="dossier") for i in range(3)])
    space = space_for(qtbot, store)
    view = space.queue
    view.saved_box.setCurrentIndex([q.name for q in view.saved].index("Nouveautés depuis ma dernière consultation"))
    assert view.model.total == 3
    row = view.model.rows[0]
    assert view.model.data(view.model.index(0, 0)).startswith("● ") and row.unseen
    space.open_dossier(row.id)
    space.show_queue()
    settle(qtbot)  # the marker is removed on the serial worker; the queue on screen follows
    assert view.model.total == 2
    view.mark_all_seen()
    settle(qtbot)
    assert view.model.total == 0


def test_a_supervisor_gets_no_edit_action_at_all(qtbot, loaded):
    store, _records = loaded
    space = space_for(qtbot, store, Actor("dgos.sup", "dgos"))
    assert not space.bulk_button.isVisible() and not space.sessions_button.isVisible()
    space.open_dossier(first_received(store))
    assert space.dossier.actions_row.count() == 0


def test_bulk_report_lists_every_dossier(qtbot, loaded):
    store, _records = loaded
    with store.session() as s:
        ids = s.scalars(select(Dossier.id).order_by(Dossier.reference).limit(6)).all()
    report = bulk.acknowledge(store, AGENT, list(ids), TODAY)
    dialog = ReportDialog(report)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 6
    assert {dialog.table.item(r, 1).text() for r in range(6)} <= {"Réussi", "Refusé"}
    assert queue.count  # the queue module stays importable beside the views


def test_issue_a_letter_preview_it_reissue_unchanged_and_correct_it(qtbot, loaded, tmp_path):
    from aude_desktop.letters import compose
    from aude_desktop.letters.batch import issue_many
    from aude_desktop.letters.samples import sample_settings
    from aude_desktop.sync.materialize import dump_dossier

    store, _records = loaded
    space = space_for(qtbot, store)
    with store.session() as s:
        dossier_id = next(i for i in s.scalars(select(Dossier.id).order_by(Dossier.reference))
                          if "accuse_reception" in compose.applicable("aude", dump_dossier(s, i)))
    space.open_dossier(dossier_id)
    view = space.dossier
    view.issue_letter("accuse_reception", confirm_late=True)  # confirmed if late (dialog: test_letters_clock_views)
    settle(qtbot)
    first = view.letter_preview
    qtbot.addWidget(first)
    assert first.pages() >= 1 and "émis et enregistré" in first.note.text()
    reference = view.letter_lines[0].reference
    assert view.letters_table.item(0, 0).text() == reference and view.letters_table.item(0, 3).text() == "en vigueur"
    view.issue_letter("accuse_reception")
    settle(qtbot)
    again = view.letter_preview
    qtbot.addWidget(again)
    assert "déjà été émis" in again.note.text() and again.pdf == first.pdf
    saved = again.save_as(str(tmp_path / "copie.pdf"))
    assert open(saved, "rb").read() == first.pdf
    view.correct_letter(0, confirm_late=True)
    settle(qtbot)
    qtbot.addWidget(view.letter_preview)
    statuses = [line.status for line in view.letter_lines]
    assert statuses == [f"remplacé par {view.letter_lines[1].reference}", f"en vigueur (remplace {reference})"]
    report = issue_many(store, AGENT, sample_settings(), "aude", "accuse_reception", [dossier_id, "inconnu"], TODAY)  # registered: no window asked
    assert [i.ok for i in report.items] == [True, False] and "réutilisé" in report.items[0].message


def test_a_dossier_is_moved_to_another_region_from_its_view(qtbot, loaded, tmp_path):
    store, _records = loaded
    space = space_for(qtbot, store)
    with store.session() as s:
        dossier_id = s.scalars(select(Dossier.id).where(Dossier.state == "recu", Dossier.profession == "infirmier")
                               .order_by(Dossier.reference)).first()
    space.open_dossier(dossier_id)
    button = space.dossier.findChild(type(space.bulk_button), "action_dossier.move_region")
    assert button is not None and button.text() == "Transfert à une autre région…"
    space.grab().save(str(tmp_path / "dossier.png"))
    dialog = space.dossier.open_action("dossier.move_region")
    box = dialog.widgets["region"]
    box.setCurrentIndex(box.findData("OCC"))
    dialog.widgets["reason"].setPlainText("Domicile en Occitanie")
    dialog.accept()
    settle(qtbot)
    assert dialog.isVisible() and "relève déjà de cette région" in dialog.error.text()
    box.setCurrentIndex(box.findData("IDF"))
    dialog.widgets["reason"].setPlainText("")
    dialog.accept()
    settle(qtbot)
    assert dialog.isVisible() and "Motif du transfert" in dialog.error.text()
    dialog.widgets["reason"].setPlainText("Le demandeur réside à Paris depuis mars")
    dialog.grab().save(str(tmp_path / "transfert.png"))
    dialog.accept()
    settle(qtbot)
    assert not dialog.isVisible()
    with store.session() as s:
        assert s.get(Dossier, dossier_id).region == "IDF"
        entry = s.scalars(select(OutboxEntry).where(OutboxEntry.entity_id == dossier_id)).one()
        assert entry.name == "dossier.move_region" and entry.base_version == 1
        assert entry.args["reason"] == "Le demandeur réside à Paris depuis mars"
