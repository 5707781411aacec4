"""The dossier queue on synced data: lazy pages, search without accents, filters, SQL sort, model tests."""

from __future__ import annotations

import json
from datetime import date

import pytest
from PySide6.QtCore import Qt

from aude_desktop.casework.views.queue_view import PAGE, QueueModel
from aude_desktop.dossiers import queue
from aude_desktop.dossiers.views.queue_view import SORT_ALIASES, QueueView
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records

TODAY = date(2026, 11, 23)


@pytest.fixture
def loaded(store):
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload)))
               for r in generate_records(900, 0, seed=21, today=TODAY) if r.kind == "dossier"]
    records[0][3]["applicant"]["last_name"] = "Nguyễn-Quéméner"
    records[0][3]["applicant"]["first_names"] = "Élodie Bérénice"
    with store.session() as s:
        materialize.materialize(s, records)
    return store, records


def test_model_passes_qtmodeltester_and_fetches_lazily(qtmodeltester, loaded):
    store, records = loaded
    model = QueueModel(store, TODAY, source=queue, default_filter=queue.QueueFilter(), sort_aliases=SORT_ALIASES)
    assert model.total == len(records) and model.rowCount() == PAGE
    qtmodeltester.check(model)
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == len(records)
    qtmodeltester.check(model)


def test_default_sort_is_the_next_legal_date_with_undated_last(loaded):
    store, _records = loaded
    model = QueueModel(store, TODAY, source=queue, default_filter=queue.QueueFilter(), sort_aliases=SORT_ALIASES)
    while model.canFetchMore():
        model.fetchMore()
    dates = [r.next_due_on for r in model.rows]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated) and dated
    assert all(d is None for d in dates[len(dated):])
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [r.reference for r in model.rows] == sorted((r.reference for r in model.rows), reverse=True)


def test_accent_insensitive_search_and_filters(qtbot, loaded):
    store, records = loaded
    view = QueueView(store, "agent.occ", TODAY)
    qtbot.addWidget(view)
    view.search.setText("elodie quemener")
    view.apply_filters()
    assert view.model.total == 1 and view.model.rows[0].name == "NGUYỄN-QUÉMÉNER Élodie Bérénice"
    view.search.clear()
    view.deadline_box.setCurrentIndex(view.deadline_box.findData("overdue"))
    overdue = view.model.rows
    assert overdue and all(r.deadline_status == "overdue" for r in overdue)
    # an acknowledgement is late; an implicit decision, once its date passed, has arisen
    assert all(r.deadline.startswith("acquise il y a" if r.state in ("Complet — en instruction", "Inscrit en commission", "Avis rendu")
                                     else "dépassée de") for r in overdue)
    with store.session() as s:
        assert view.model.total == queue.count(s, queue.QueueFilter(deadline="overdue"), TODAY)
    view.saved_box.setCurrentIndex([q.name for q in view.saved].index("En attente de pièces"))
    assert view.model.rows and {r.state for r in view.model.rows} == {"En attente de pièces"}
    assert view.count_label.text().endswith("dossier(s)")


def test_opening_a_dossier_by_keyboard(qtbot, loaded):
    store, _records = loaded
    view = QueueView(store, "agent.occ", TODAY)
    qtbot.addWidget(view)
    view.show()
    view.table.setFocus()
    view.table.selectRow(0)
    view.table.setCurrentIndex(view.model.index(0, 0))
    with qtbot.waitSignal(view.open_dossier) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [view.model.rows[0].id]


def test_ctrl_f_goes_to_the_search_box(qtbot, loaded):
    store, _records = loaded
    view = QueueView(store, "agent.occ", TODAY)
    qtbot.addWidget(view)
    view.show()
    view.activateWindow()
    qtbot.waitActive(view)
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus, timeout=2000)
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.search.hasFocus(), timeout=2000)


def test_export_runs_in_the_background_and_matches_the_list(qtbot, loaded, tmp_path):
    import csv

    store, _records = loaded
    view = QueueView(store, "agent.occ", TODAY)
    qtbot.addWidget(view)
    view.deadline_box.setCurrentIndex(view.deadline_box.findData("overdue"))
    path = tmp_path / "retards.csv"
    task = view.export_queue(str(path))
    assert task.wait(30_000)  # the thread ends; its signals reach the view through the event loop
    qtbot.waitUntil(lambda: "exportée(s)" in view.count_label.text(), timeout=5000)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert len(rows) - 3 == view.model.total > 0
    assert "échéance : Échéance dépassée" in rows[0][0] and "exportée(s)" in view.count_label.text()
