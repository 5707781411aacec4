"""The DGOS overview: bars per region / authority (hover shows the values, a click opens the matching
queue, read-only), inflow and outflow per month, the table of figures and its export."""

from __future__ import annotations

import math
from datetime import date, datetime

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QLocale, QPointF, Qt, Signal
from PySide6.QtGui import QCursor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.conventions.states import REGIME_LABELS
from aude_desktop.rules.reference import authorities, professions, regions
from aude_desktop.supervision import export, transparence
from aude_desktop.supervision.overview import GroupFigures, Overview, compute
from aude_desktop.ui.i18n import FRENCH
from aude_desktop.ui.serial_worker import french_message, lookup_worker
from aude_desktop.ui.widgets import fill_table, readonly_table

TABLE_HEADERS = ("", "Total", "En cours", "En retard", "Sous 15 jours", "Décisions implicites (échecs)",
                 "Délai médian (j)", "90e centile (j)")
IMPORTED_HEADER = "Import CNOM"  # conventions only: the CNOM sends doctors' conventions, never dossiers
BARS = (("En retard", "overdue"), ("Sous 15 jours", "due_soon"), ("Autres en cours", "other"))


def _value(g: GroupFigures, key: str) -> int:
    return g.open - g.overdue - g.due_soon if key == "other" else getattr(g, key)


def nice_axis(axis: QValueAxis, top: float, ticks: int = 5) -> None:
    """0 to a round top in round steps (1, 2 or 5 × 10^n): « 0, 1 000, 2 000… », never « 1 237 »."""
    raw = max(1.0, top) / ticks
    power = 10 ** max(0, math.floor(math.log10(raw)))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = max(1, math.ceil(max(1.0, top) / step))
    axis.setRange(0, count * step)
    axis.setTickCount(count + 1)
    axis.setLabelFormat("%.0f")


def _chart() -> QChart:
    chart = QChart()
    chart.setLocale(FRENCH)
    chart.setLocalizeNumbers(True)  # axis labels « 5 000 », in French
    return chart


def _small_font():
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPointSizeF(max(6.5, font.pointSizeF() * 0.75))
    return font


class GroupPanel(QWidget):
    """One dimension (regions, or authorities): the bars, the months, the table, the export."""

    drill = Signal(str, str, str)  # dimension (queue filter field), group key, deadline ("overdue", "soon" or "")

    def __init__(self, title: str, dimensions: dict[str, tuple[str, dict[str, str]]], max_bars: int = 18,
                 imported: bool = False, implicit: str = "", parent=None):
        """`dimensions`: name shown → (queue filter field, labels of the keys), e.g. « Par région »;
        `imported`: a column counts the CNOM's imported conventions; `implicit`: what silence gave, if
        not an implicit decision."""
        super().__init__(parent)
        self.title, self.max_bars, self.imported = title, max_bars, imported
        self.headers = TABLE_HEADERS + ((IMPORTED_HEADER,) if imported else ())
        if implicit:
            self.headers = tuple(implicit if h == TABLE_HEADERS[5] else h for h in self.headers)
        self.dimensions = dimensions
        self.figures: dict[str, dict[str, GroupFigures]] = {}
        self.monthly: list[tuple[str, int, int]] = []
        self.dimension_box = QComboBox()
        self.dimension_box.setAccessibleName(f"{title} : regrouper")
        self.dimension_box.addItems(list(dimensions))
        self.dimension_box.currentIndexChanged.connect(lambda _i: self._show())
        self.field, self.labels = next(iter(dimensions.values()))
        self.groups: dict[str, GroupFigures] = {}
        self.keys: list[str] = []
        self.stale = False  # figures received, not drawn yet (a hidden tab is drawn when shown)
        self.bars = QChartView()
        self.bars.setAccessibleName(f"{title} : dossiers en cours, en retard et sous 15 jours")
        self.bars.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.bars.setMinimumHeight(300)
        self.months = QChartView()
        self.months.setAccessibleName(f"{title} : entrées et sorties par mois")
        self.months.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.months.setMinimumHeight(220)
        self.table = readonly_table(self.headers, f"{title} : chiffres")
        self.table.cellActivated.connect(lambda row, _c: self._drill_row(row))
        self.export_button = QPushButton("Exporter le tableau…")
        self.export_button.setAccessibleName(f"Exporter le tableau : {title}")
        self.export_button.clicked.connect(self.export_table)
        hint = QLabel("Cliquez sur une barre (ou Entrée sur une ligne du tableau) pour ouvrir la file correspondante.")
        hint.setStyleSheet("color: #555;")
        row = QHBoxLayout()
        row.addWidget(self.dimension_box)
        row.addWidget(hint, 1)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        charts = QHBoxLayout()
        charts.addWidget(self.bars, 3)
        charts.addWidget(self.months, 2)
        layout.addLayout(charts, 3)
        layout.addLayout(row)
        layout.addWidget(self.table, 2)

    def show_figures(self, figures: dict[str, dict[str, GroupFigures]], monthly: list[tuple[str, int, int]],
                     draw: bool = True) -> None:
        """`figures`: dimension name → its groups; `draw` False: kept until `draw_if_stale()` (a tab not
        shown: building its charts cost the GUI thread as much again, twice, after each sync)."""
        self.figures, self.monthly = figures, monthly
        self.stale = True
        if draw:
            self._show()

    def draw_if_stale(self) -> None:
        if self.stale:
            self._show()

    def _show(self) -> None:
        self.stale = False
        name = self.dimension_box.currentText()
        self.field, self.labels = self.dimensions[name]
        groups, monthly = self.figures.get(name, {}), self.monthly
        self.groups = groups
        self.keys = sorted(groups, key=lambda k: -groups[k].open)
        chart = _chart()
        shown = self.keys[: self.max_bars]  # the busiest ones; the table below lists them all
        chart.setTitle(f"{self.title}, {name.lower()} — en cours" + (f" ({len(shown)} plus chargés)" if len(shown) < len(self.keys) else ""))
        series = QStackedBarSeries()
        for label, key in BARS:
            bar_set = QBarSet(label)
            bar_set.append([float(_value(groups[k], key)) for k in shown])
            bar_set.hovered.connect(lambda on, i, b=bar_set: self._hover(on, i, b))
            bar_set.clicked.connect(lambda i, key=key: self.drill.emit(
                self.field, self.keys[i], {"overdue": "overdue", "due_soon": "soon"}.get(key, "")))
            series.append(bar_set)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append([self._short(k) for k in shown])  # codes under the bars; the tooltip names them
        axis_x.setLabelsAngle(-90)
        axis_x.setLabelsFont(_small_font())
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        axis_y = QValueAxis()
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        nice_axis(axis_y, max([0, *(groups[k].open for k in shown)]))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.bars.setChart(chart)
        self.months.setChart(self._months_chart(monthly))
        fill_table(self.table, [
            (self.labels.get(k, k), g.total, g.open, g.overdue, g.due_soon, g.implicit,
             export.french(g.median_days), export.french(g.p90_days)) + ((g.imported or "",) if self.imported else ())
            for k, g in ((k, groups[k]) for k in self.keys)
        ])

    def _months_chart(self, monthly) -> QChart:
        chart = _chart()
        chart.setTitle("Entrées et sorties par mois (24 mois)")
        axis_x = QCategoryAxis()  # one label every three months, « 03/25 »
        axis_x.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        for x in range(0, len(monthly), 3):
            axis_x.append(f"{monthly[x][0][5:]}/{monthly[x][0][2:4]}", x)
        axis_x.setRange(0, max(len(monthly) - 1, 1))
        axis_x.setLabelsAngle(-45)
        axis_x.setLabelsFont(_small_font())
        axis_y = QValueAxis()
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for name, index in (("Entrées", 1), ("Sorties (décisions)", 2)):
            series = QLineSeries()
            series.setName(name)
            for x, row in enumerate(monthly):
                series.append(QPointF(x, row[index]))
            series.hovered.connect(lambda point, on, n=name: on and QToolTip.showText(
                QCursor.pos(), f"{n} : {QLocale().toString(round(point.y()))}"))
            chart.addSeries(series)
            series.attachAxis(axis_y)
        # Attaching a second series does not widen the axis: set it from both, or a peak runs off the top.
        nice_axis(axis_y, max([1, *(max(row[1], row[2]) for row in monthly)]))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        return chart

    def _short(self, key: str) -> str:
        short = key.removeprefix("ORDRE-").removeprefix("ARS-")
        return short if len(short) <= 6 else self.labels.get(key, key)[:6]

    def _hover(self, on: bool, index: int, bar_set: QBarSet) -> None:
        if on and 0 <= index < len(self.keys):
            key = self.keys[index]
            QToolTip.showText(QCursor.pos(), f"{self.labels.get(key, key)} — {bar_set.label()} : "
                              f"{QLocale().toString(int(bar_set.at(index)))}")

    def _drill_row(self, row: int) -> None:
        if 0 <= row < len(self.keys):
            self.drill.emit(self.field, self.keys[row], "")

    def table_rows(self) -> list[tuple]:
        self.draw_if_stale()
        return [(self.labels.get(k, k), g.total, g.open, g.overdue, g.due_soon, g.implicit, g.median_days, g.p90_days)
                + ((g.imported,) if self.imported else ()) for k, g in ((k, self.groups[k]) for k in self.keys)]

    def export_table(self, path: str | None = None) -> str | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Exporter le tableau", f"{self.title}.xlsx",
                                                  "Classeur Excel (*.xlsx);;CSV pour Excel (*.csv)")
        if not path:
            return None
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        title = f"{self.title} {self.dimension_box.currentText().lower()}"
        headers = (title, *self.headers[1:])
        export.write(path, fmt, title, "vue d'ensemble nationale", headers, self.table_rows(), extracted_at=datetime.now())
        return path


class OverviewView(QWidget):
    """`open_queue(kind, key, deadline)` is connected by the window to the read-only queues."""

    open_queue = Signal(str, str, str, str)  # "dossiers" | "conventions", filter field, key, deadline

    def __init__(self, store, today: date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("page_supervision")
        self.setAccessibleName("Supervision nationale")
        self.store = store
        self.today = today or date.today()
        self.summary = QLabel()
        self.summary.setObjectName("supervisionSummary")
        self.summary.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Procédures")
        self.aude = GroupPanel("Dossiers", {
            "Par région": ("region", {k: r.label for k, r in regions().items()}),
            "Par profession": ("profession", {k: p.label for k, p in professions().items()}),
        })
        self.eps = GroupPanel("Conventions", {
            "Par autorité": ("authority", {k: a.label for k, a in authorities().items()}),
            "Par régime": ("regime", {k: str(v) for k, v in REGIME_LABELS.items()}),
        }, max_bars=15, imported=True)
        self.lps = GroupPanel("Déclarations LPS", {
            "Par région": ("region", {k: r.label for k, r in regions().items()}),
            "Par profession": ("profession", {k: p.label for k, p in professions().items()}),
        }, implicit="Prestation possible par silence")
        self.tabs.addTab(self.aude, "&Autorisations d’exercice (AUDE)")
        self.tabs.addTab(self.lps, "&Libre prestation de services (LPS)")
        self.tabs.addTab(self.eps, "&Conventions (EPS)")
        self.transparence = readonly_table(transparence.HEADERS, "Écarts entre EPS et Transparence Santé, par entreprise")
        self.tabs.addTab(self.transparence, "&Transparence Santé")
        self.tabs.currentChanged.connect(lambda _i: self._draw_current())
        self.aude.drill.connect(lambda field, key, deadline: self.open_queue.emit("dossiers", field, key, deadline))
        self.eps.drill.connect(lambda field, key, deadline: self.open_queue.emit("conventions", field, key, deadline))
        refresh = QPushButton("Actualiser")
        refresh.setAccessibleName("Actualiser la vue d’ensemble")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel("<h2>Supervision nationale</h2>"))
        top.addStretch(1)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.figures: Overview | None = None
        self._computing = self._again = False
        self.refresh()

    def refresh(self) -> None:
        """The national figures are computed off the GUI thread (a second or so over the national
        copy) and shown when ready; a refresh asked meanwhile runs once the current one is done."""
        if self._computing:
            self._again = True
            return
        self._computing, self._again = True, False
        store, today = self.store, self.today

        def work(_progress):
            with store.session() as s:
                return compute(s, today), transparence.company_rows(s)

        lookup_worker().submit(work, done=self._show, failed=self._unavailable, owner=self)

    def _computed(self) -> None:
        self._computing = False
        if self._again:
            self.refresh()

    def _draw_current(self) -> None:
        current = self.tabs.currentWidget()
        if isinstance(current, GroupPanel):
            current.draw_if_stale()

    def _unavailable(self, exc: BaseException) -> None:
        self._computed()
        QMessageBox.warning(self, "Supervision", f"Chiffres indisponibles : {french_message(exc)}")

    def _show(self, result) -> None:
        self._computed()
        self.figures, rows = result
        f = self.figures
        aude_open = sum(g.open for g in f.aude_by_region.values())
        aude_implicit = sum(g.implicit for g in f.aude_by_region.values())
        out_of_scope = sum(g.out_of_scope for g in f.aude_by_region.values())
        partial = sum(g.partial_access for g in f.aude_by_region.values())
        eps_open = sum(g.open for g in f.eps_by_authority.values())
        eps_tacit = sum(g.implicit for g in f.eps_by_authority.values())
        n = QLocale().toString
        self.summary.setText(
            f"Au {self.today:%d/%m/%Y} : <b>{n(aude_open)}</b> dossier(s) en cours, dont <b>{n(aude_implicit)}</b> devenu(s) "
            f"décision implicite faute de décision expresse ; <b>{n(out_of_scope)}</b> clos hors champ (reconnaissance "
            f"automatique), <b>{n(partial)}</b> demande(s) d'accès partiel ; <b>{n(eps_open)}</b> convention(s) en cours, dont "
            f"<b>{n(eps_tacit)}</b> autorisée(s) tacitement faute de décision. Conventions des médecins (CNOM) comprises, "
            "marquées « Import CNOM ». "
            f"Libre prestation de services, comptée à part : <b>{n(sum(g.open for g in f.lps_by_region.values()))}</b> "
            f"déclaration(s) en cours, dont <b>{n(sum(g.implicit for g in f.lps_by_region.values()))}</b> où la prestation "
            "est devenue possible faute de réponse dans le délai.")
        self.aude.show_figures({"Par région": f.aude_by_region, "Par profession": f.aude_by_profession}, f.aude_monthly,
                               draw=False)
        self.eps.show_figures({"Par autorité": f.eps_by_authority, "Par régime": f.eps_by_regime}, f.eps_monthly,
                              draw=False)
        self.lps.show_figures({"Par région": f.lps_by_region, "Par profession": f.lps_by_profession}, f.lps_monthly,
                              draw=False)
        self._draw_current()  # the others when their tab is chosen
        fill_table(self.transparence, rows or [("Aucune comparaison reçue : le serveur n'a pas encore importé "
                                                "l'export Transparence Santé.", "", "", "", "", "", "")])
