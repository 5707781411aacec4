"""The DGOS overview: its bars carry the overview's figures, a click opens the matching queue
(read-only for a supervisor), the table exports as it reads."""

from __future__ import annotations

import json
from datetime import date

from openpyxl import load_workbook
from PySide6.QtCharts import QStackedBarSeries

from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records

TODAY = date(2026, 11, 23)


def test_bars_drill_down_and_export(qtbot, window, store, tmp_path):
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload))) for r in generate_records(900, 900, seed=4, today=TODAY)
               if r.kind in ("dossier", "convention")]
    with store.session() as s:
        materialize.materialize(s, records)
    remember_user(store, UserInfo("dgos", "Superviseur DGOS", "dgos"))
    window.settings.last_user = "dgos"
    window.refresh_status()  # permissions follow the (offline) user: a supervisor
    overview = window.supervision
    overview.today = TODAY
    overview.refresh()
    panel = overview.aude
    series = panel.bars.chart().series()[0]
    assert isinstance(series, QStackedBarSeries)
    overdue = series.barSets()[0]
    first = panel.keys[0]
    assert overdue.label() == "En retard" and overdue.at(0) == overview.figures.aude_by_region[first].overdue
    assert panel.table.rowCount() == len(overview.figures.aude_by_region)

    overdue.clicked.emit(0)  # what a click on the first bar does
    assert window.current_space() == "dossiers"
    queue = window.dossiers.queue
    assert queue.model.filter.region == first and queue.model.filter.deadline == "overdue"
    assert queue.model.total == overview.figures.aude_by_region[first].overdue
    assert not window.dossiers.bulk_button.isVisibleTo(window.dossiers)  # a supervisor reads only

    panel.dimension_box.setCurrentText("Par profession")
    top = panel.keys[0]
    assert panel.bars.chart().series()[0].barSets()[2].at(0) == (
        overview.figures.aude_by_profession[top].open - overview.figures.aude_by_profession[top].overdue
        - overview.figures.aude_by_profession[top].due_soon)
    panel.bars.chart().series()[0].barSets()[2].clicked.emit(0)
    assert queue.model.filter.profession == top and queue.model.filter.region == ""
    assert queue.profession_box.currentData() == top  # the filter shows in the boxes, and can be changed there
    panel.dimension_box.setCurrentText("Par région")

    path = panel.export_table(str(tmp_path / "regions.xlsx"))
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[2][:4] == ("Dossiers par région", "Total", "En cours", "En retard")
    assert len(rows) == 3 + len(overview.figures.aude_by_region)
    assert sum(r[1] for r in rows[3:]) == sum(g.total for g in overview.figures.aude_by_region.values())
