"""The record queue of both procedures: a lazily fetched table (pages of 200 rows) with search,
filters and SQL sort, over a queue `source` (dossiers/queue.py or conventions/queue.py)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.ui.widgets import show_whole_text

PAGE = 200
ROOT = QModelIndex()  # the invisible root of a flat table
STATUS_COLOURS = {"overdue": "#fde2e1", "soon": "#fff4d6", "notification": "#e3ecfa"}
NEW_MARK = "● "


class QueueModel(QAbstractTableModel):
    """A lazy table over a queue `source` (dossiers.queue or conventions.queue: count, page,
    COLUMNS, HEADERS, and `reference_label` if its references need one); columns a source cannot
    sort on are mapped by `sort_aliases`."""

    def __init__(self, store, today: date | None = None, parent=None, *, source, default_filter,
                 sort_aliases: dict[str, str]):
        super().__init__(parent)
        self.store = store
        self.source = source
        self.sort_aliases = sort_aliases
        self.today = today or date.today()
        self.filter = default_filter
        self.sort_key, self.descending = "next_due_on", False
        self.rows: list = []
        self.total = 0
        self._fetching = False
        self.reload()

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        self.beginResetModel()
        with self._session() as s:
            self.total = self.source.count(s, self.filter, self.today)
            self.rows = self.source.page(s, self.filter, self.today, self.sort_key, self.descending, 0, PAGE, self.total)
        self.endResetModel()

    def _session(self):
        # A page kept for the first screen (casework/first_page.FrozenSource) reads no store.
        return self.store.session() if self.store is not None else nullcontext()

    def set_filter(self, f) -> None:
        self.filter = f
        self.reload()

    def canFetchMore(self, parent=ROOT) -> bool:  # noqa: N802
        return not parent.isValid() and not self._fetching and len(self.rows) < self.total

    def fetchMore(self, parent=ROOT) -> None:  # noqa: N802
        # Views may call back into fetchMore while rows are being inserted: one page at a time.
        if parent.isValid() or self._fetching:
            return
        self._fetching = True
        try:
            with self._session() as s:
                more = self.source.page(s, self.filter, self.today, self.sort_key, self.descending, len(self.rows), PAGE, self.total)
            if not more:
                self.total = len(self.rows)
                return
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()
        finally:
            self._fetching = False

    # -- table ----------------------------------------------------------------------------------

    def rowCount(self, parent=ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.source.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        headers = self.source.HEADERS
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(headers):
            return headers[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        column = self.source.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(row, column)
            if isinstance(value, date):
                return QLocale().toString(value, QLocale.FormatType.ShortFormat)
            if column == "reference" and hasattr(self.source, "reference_label"):
                value = self.source.reference_label(value)  # « (provisoire) » until the server assigns the definitive one
            if column == "reference" and row.unseen:
                return f"{NEW_MARK}{value}"  # a sign, not only bold type, for what changed
            return "—" if value is None else str(value)
        if role == Qt.ItemDataRole.FontRole and row.unseen:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.BackgroundRole and column == "deadline" and row.deadline_status in STATUS_COLOURS:
            return QColor(STATUS_COLOURS[row.deadline_status])
        if role == Qt.ItemDataRole.ToolTipRole and column == "reference" and row.unseen:
            return "Nouveau : modifié depuis votre dernière consultation"
        if role == Qt.ItemDataRole.ToolTipRole and column == "deadline" and row.next_due_on:
            return f"Prochaine échéance légale : {QLocale().toString(row.next_due_on, QLocale.FormatType.LongFormat)}"
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        columns = self.source.COLUMNS
        key = columns[column] if 0 <= column < len(columns) else "next_due_on"
        sort_key, descending = self.sort_aliases.get(key, key), order == Qt.SortOrder.DescendingOrder
        if (sort_key, descending) == (self.sort_key, self.descending):
            return  # the view asks again when sorting is switched on: the rows are already in this order
        self.sort_key, self.descending = sort_key, descending
        self.reload()


@dataclass(frozen=True)
class FilterBox:
    """A filter combo box: its attribute name, accessible name, first item and (label, value) items."""

    attr: str
    accessible: str
    all_label: str
    items: tuple[tuple[str, str], ...]


class FilteredQueueView(QWidget):
    """Saved queues, an accent-insensitive search (Ctrl+F), filter boxes and the lazy table;
    subclasses say which filter the boxes make (`make_filter`) and show (`box_values`)."""

    opened = Signal(str)  # the id of the record to open (Entrée or double click)
    noun = "élément(s)"

    def __init__(self, store, today: date | None, *, source, saved: list, boxes: tuple[FilterBox, ...], heading: str,
                 placeholder: str, name: str, accessible: str, table_name: str, widths: tuple[int, ...],
                 default_filter, sort_aliases: dict[str, str], parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.heading, self.placeholder, self.widths = heading, placeholder, widths
        self.source = source
        self.model = QueueModel(store, today, self, source=source, default_filter=default_filter, sort_aliases=sort_aliases)
        self.saved = saved
        self.saved_box = QComboBox()
        self.saved_box.setAccessibleName("Files enregistrées")
        self.saved_box.addItems([q.name for q in self.saved])
        self.search = QLineEdit()
        self.search.setPlaceholderText(placeholder)
        self.search.setAccessibleName("Rechercher")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.boxes: dict[str, QComboBox] = {}
        for spec in boxes:
            box = QComboBox()
            box.setAccessibleName(spec.accessible)
            box.addItem(spec.all_label, "")
            for label, value in spec.items:
                box.addItem(label, value)
            box.currentIndexChanged.connect(self.apply_filters)
            self.boxes[spec.attr] = box
            setattr(self, spec.attr, box)
        for box in (self.saved_box, *self.boxes.values()):
            show_whole_text(box)  # the search box takes what the choices leave
        self.count_label = QLabel()
        self.count_label.setObjectName("queueCount")
        self.count_label.setWordWrap(True)  # a long empty-queue hint must not widen the window
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the queue; the arrows move in it
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName(table_name)
        self.table.setModel(self.model)
        # The indicator first: switching sorting on then asks for the order the model loaded in.
        self.table.horizontalHeader().setSortIndicator(source.COLUMNS.index("next_due_on"), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda index: self.opened.emit(self.model.data(index, Qt.ItemDataRole.UserRole)))

        self.find_shortcut = find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(200)
        self.debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self.debounce.start)
        self.saved_box.currentIndexChanged.connect(self.apply_saved)
        self.seen_button = QPushButton("Tout marquer comme vu")
        self.seen_button.setAccessibleName("Tout marquer comme vu")
        self.seen_button.setToolTip("Retire les marques « ● nouveau »")
        self.seen_button.clicked.connect(self.mark_all_seen)
        self.actions_bar = QHBoxLayout()  # the space adds its bulk actions here

        bar = QHBoxLayout()
        bar.addWidget(self.saved_box)
        bar.addWidget(self.search, 1)
        for box in self.boxes.values():
            bar.addWidget(box)
        self.export_button = QPushButton("Exporter…")
        self.export_button.setAccessibleName("Exporter la file avec ses filtres (CSV ou XLSX)")
        self.export_button.clicked.connect(lambda: self.export_queue())
        self.actions_bar.addWidget(self.count_label, 1)
        self.actions_bar.addWidget(self.export_button)
        self.actions_bar.addWidget(self.seen_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(QLabel(f"<h2>{heading}</h2>"))
        layout.addLayout(bar)
        layout.addLayout(self.actions_bar)
        layout.addWidget(self.table, 1)
        self._update_count()

    # -- what subclasses say --------------------------------------------------------------------

    def make_filter(self, text: str, values: dict[str, str], saved):
        raise NotImplementedError

    def box_values(self, saved_filter) -> dict[str, str]:
        raise NotImplementedError

    # -- behaviour ------------------------------------------------------------------------------

    def apply_saved(self, index: int) -> None:
        saved = self.saved[index]
        self.model.filter = saved.filter
        self.model.sort_key = saved.sort
        values = self.box_values(saved.filter)
        for attr, box in self.boxes.items():
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(values.get(attr, ""))))
            box.blockSignals(False)
        self.model.reload()
        self._update_count()

    def show_saved(self, saved) -> None:
        """Show a queue opened from elsewhere (a session's agenda), kept in the list for this session."""
        self.saved.append(saved)
        self.saved_box.addItem(saved.name)
        self.saved_box.setCurrentIndex(len(self.saved) - 1)

    def apply_filters(self) -> None:
        values = {attr: box.currentData() or "" for attr, box in self.boxes.items()}
        self.model.set_filter(self.make_filter(self.search.text(), values, self.saved[self.saved_box.currentIndex()].filter))
        self._update_count()

    def export_queue(self, path: str | None = None):
        """The list as filtered now, in the background with a progress bar (61,300 rows take seconds)."""
        from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

        from aude_desktop.supervision import export
        from aude_desktop.ui.workers import Task

        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Exporter la file", f"{self.saved_box.currentText()}.xlsx",
                                                  "Classeur Excel (*.xlsx);;CSV pour Excel (*.csv)")
        if not path:
            return None
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        total, f, store, today = self.model.total, self.model.filter, self.model.store, self.model.today
        title = self.saved_box.currentText()
        progress = QProgressDialog("Export en cours…", "Interrompre", 0, max(total, 1), self)
        progress.setWindowTitle("Export")
        progress.setMinimumDuration(300)
        task = Task(lambda report: export.write(path, fmt, title, export.describe(f), export.headers_of(self.source),
                                                export.queue_rows(store, self.source, f, today),
                                                on_progress=lambda n: report("export", 0, n) or not progress.wasCanceled()), self)
        task.progress.connect(lambda _phase, _pages, n: progress.setValue(n))
        task.succeeded.connect(lambda n: (progress.close(), self.count_label.setText(
            f"{QLocale().toString(n)} ligne(s) exportée(s) dans {path}" if n else "Export interrompu : aucun fichier écrit.")))
        task.failed.connect(lambda message: (progress.close(), QMessageBox.warning(self, "Export impossible", message)))
        self.export_task = task
        task.start()
        return task

    def look(self) -> dict:
        """What the first screen needs to look like this queue (ui/first_screen.py)."""
        return {"heading": self.heading, "placeholder": self.placeholder, "noun": self.noun,
                "saved": self.saved_box.itemText(0), "boxes": [box.itemText(0) for box in self.boxes.values()],
                "actions": [button.text() for button in self._space_buttons()],
                "widths": [self.table.columnWidth(c) for c in range(len(self.widths))]}

    def _space_buttons(self) -> list[QPushButton]:
        items = (self.actions_bar.itemAt(i).widget() for i in range(self.actions_bar.count()))
        return [w for w in items if isinstance(w, QPushButton) and w not in (self.export_button, self.seen_button)]

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def mark_all_seen(self):
        return self.mark_seen(None)

    def mark_seen(self, ids: list[str] | None):
        """The « nouveau » markers of `ids` (None: all) removed on the serial worker (a write); the
        queue follows once they are, if it is on screen. A marker left on a full disk costs nothing."""
        from aude_desktop.ui.serial_worker import serial_worker

        store, source = self.model.store, self.source

        def forget(_progress) -> None:
            with store.session() as s:
                source.mark_seen(s, ids)

        return serial_worker().submit(forget, done=lambda _r: self.refresh() if self.isVisible() else None,
                                      failed=lambda _exc: None, owner=self)

    def _update_count(self) -> None:
        if self.model.total:
            self.count_label.setText(f"{QLocale().toString(self.model.total)} {self.noun}")
        elif self.search.text() or self.saved_box.currentIndex() or any(b.currentIndex() for b in self.boxes.values()):
            self.count_label.setText("Aucun résultat pour ces filtres.")
        elif self.model.store.status().last_sync is not None:
            self.count_label.setText(f"Aucun élément de cette file dans votre périmètre ({self.noun.replace('(s)', 's')} d’autres services).")
        else:
            self.count_label.setText("Rien sur ce poste pour l’instant : connectez-vous (Fichier › Se connecter) puis synchronisez (F5).")

    def refresh(self) -> None:
        self.model.reload()
        self._update_count()
