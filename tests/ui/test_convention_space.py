"""The Conventions space on demo conventions of one order: lazy queue, search (company, RPPS), the
« tacite sous 7 jours » queue checked against the rows, the convention view and its steps."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from aude_desktop.conventions import queue
from aude_desktop.conventions.models import Convention, ConventionLists
from aude_desktop.conventions.views.space import ConventionQueueView, ConventionsSpace
from aude_desktop.domain.commands import Actor
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records
from tests.support.jobs import settle

TODAY = date(2026, 11, 23)
ORDER = Actor("ordre.inf", "ordre", None, "ORDRE-INF")


@pytest.fixture
def loaded(store):
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload))) for r in generate_records(0, 3000, seed=8, today=TODAY)
               if r.kind == "convention" and r.authority in ("ORDRE-INF", "CNOM")]
    with store.session() as s:
        materialize.materialize(s, records)
    return store, records


def test_queue_model_search_and_the_tacit_queue(qtbot, qtmodeltester, loaded):
    store, records = loaded
    view = ConventionQueueView(store, TODAY)
    qtbot.addWidget(view)
    assert view.model.total == len(records)
    qtmodeltester.check(view.model)
    company = records[0][3]["company"]["name"]
    view.search.setText(company.split()[0].lower())
    view.apply_filters()
    assert 0 < view.model.total <= len(records) and all(r.company for r in view.model.rows)
    with store.session() as s:
        rpps = next(b["rpps"] for lists in s.scalars(select(ConventionLists.beneficiaries)) for b in lists if b.get("rpps"))
    view.search.setText(rpps)
    view.apply_filters()
    assert view.model.total >= 1
    view.search.setText("")
    view.saved_box.setCurrentIndex([q.name for q in view.saved].index("Autorisation tacite sous 7 jours"))
    with store.session() as s:
        expected = s.scalars(select(Convention.reference).where(
            Convention.regime == "autorisation", Convention.next_due_on >= TODAY,
            Convention.next_due_on <= TODAY + timedelta(days=7))).all()
    assert sorted(r.reference for r in view.model.rows) == sorted(expected)
    assert all(r.deadline.startswith("dans ") for r in view.model.rows)


def test_open_a_convention_see_its_regime_and_record_a_step(qtbot, loaded):
    store, _records = loaded
    space = ConventionsSpace(store, lambda: ORDER, TODAY)
    qtbot.addWidget(space)
    space.resize(1280, 800)
    space.show()
    with store.session() as s:
        target = s.scalars(select(Convention.id).where(Convention.regime == "autorisation", Convention.state == "en_instruction",
                                                       Convention.authority == "ORDRE-INF")).first()
    space.open_convention(target)
    view = space.convention
    assert space.currentWidget() is view
    assert "Régime calculé : Demande d'autorisation" in view.regime_label.text()
    assert "arrêté du 7 août 2020" in view.regime_label.text()
    checks = [view.avantages.item(r, 5).text() for r in range(view.avantages.rowCount())]
    assert any(c.startswith("au-delà") for c in checks)
    assert "action_convention.start_instruction" not in [view.actions_row.itemAt(i).widget().objectName()
                                                         for i in range(view.actions_row.count()) if view.actions_row.itemAt(i).widget()]
    decide = view.open_action("convention.decide")
    decide.widgets["kind"].setCurrentIndex(decide.widgets["kind"].findData("refus"))
    decide.accept()
    settle(qtbot)
    assert decide.isVisible() and "motivé" in decide.error.text()
    decide.widgets["motifs"].setPlainText("Rémunération disproportionnée.")
    decide.accept()
    settle(qtbot)
    assert not decide.isVisible()
    with store.session() as s:
        assert s.get(Convention, target).state == "refusee"
        assert s.scalars(select(OutboxEntry.name).where(OutboxEntry.entity_id == target).order_by(OutboxEntry.seq)).all() == [
            "convention.decide"]
    # the fifteen days run from the notification of the refusal: not dated until it is entered
    assert "Notification à saisir" in view.clock_label.text() and "quinze jours" in view.clock_label.text()


def test_cnom_imports_and_supervisors_get_no_action(qtbot, loaded):
    store, _records = loaded
    space = ConventionsSpace(store, lambda: ORDER, TODAY)
    qtbot.addWidget(space)
    with store.session() as s:
        cnom = s.scalars(select(Convention.id).where(Convention.source == "cnom_import")).first()
        mine = s.scalars(select(Convention.id).where(Convention.authority == "ORDRE-INF")).first()
    assert space.bulk_button.isVisibleTo(space)  # an order instructs: bulk steps offered
    space.open_convention(cnom)
    assert space.convention.actions_row.count() == 0 and "lecture seule" in space.convention.summary.text()
    supervisor = ConventionsSpace(store, lambda: Actor("dgos", "dgos"), TODAY)
    qtbot.addWidget(supervisor)
    assert not supervisor.bulk_button.isVisibleTo(supervisor)  # absent for a supervisor, not merely disabled
    supervisor.open_convention(mine)
    assert supervisor.convention.actions_row.count() == 0
    qtbot.keyClick(supervisor.convention.tabs, Qt.Key.Key_Escape)
    assert queue.COLUMNS[0] == "reference"
