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
from tests.support.jobs import settle

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
    settle(qtbot)
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


def test_round_ticks_french_numbers_and_cnom_column_only_for_conventions(qtbot, window, store):
    from PySide6.QtCharts import QValueAxis
    from PySide6.QtCore import QLocale, Qt

    from aude_desktop.supervision.views.overview_view import IMPORTED_HEADER, nice_axis
    from aude_desktop.ui.widgets import fill_table

    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload))) for r in generate_records(900, 900, seed=4, today=TODAY)
               if r.kind in ("dossier", "convention")]
    with store.session() as s:
        materialize.materialize(s, records)
    overview = window.supervision
    overview.today = TODAY
    overview.refresh()
    settle(qtbot)
    assert overview.eps.stale and not overview.aude.stale  # a hidden tab is drawn when chosen, not after each sync
    for panel in (overview.aude, overview.eps):
        overview.tabs.setCurrentWidget(panel)
        assert not panel.stale
        for chart in (panel.bars.chart(), panel.months.chart()):
            axis = next(a for a in chart.axes(Qt.Orientation.Vertical) if isinstance(a, QValueAxis))
            step = (axis.max() - axis.min()) / (axis.tickCount() - 1)
            assert axis.min() == 0 and step in {m * 10 ** p for m in (1, 2, 5) for p in range(6)}, (axis.max(), axis.tickCount())
            assert chart.localizeNumbers()
    headers = [overview.aude.table.horizontalHeaderItem(c).text() for c in range(overview.aude.table.columnCount())]
    assert IMPORTED_HEADER not in headers  # the CNOM sends doctors' conventions, never dossiers
    eps_headers = [overview.eps.table.horizontalHeaderItem(c).text() for c in range(overview.eps.table.columnCount())]
    assert eps_headers[-1] == IMPORTED_HEADER
    french = QLocale(QLocale.Language.French, QLocale.Country.France)
    table = overview.aude.table
    assert table.item(0, 1).text() == french.toString(overview.figures.aude_by_region[overview.aude.keys[0]].total)
    fill_table(table, [("Île-de-France", 11368, 4948)])
    assert table.item(0, 1).text() == "11\u202f368" and table.item(0, 2).text() == "4\u202f948"
    axis = QValueAxis()
    for top, expected in ((4948, (5000, 6)), (1237, (1500, 4)), (7, (8, 5)), (0, (1, 2)), (26429, (30000, 4))):
        nice_axis(axis, top)
        assert (axis.max(), axis.tickCount()) == expected, top
