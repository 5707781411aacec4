"""The dossier queue: a lazily fetched table (pages of 200 rows) with search, filters and SQL sort."""

from __future__ import annotations

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

from aude_desktop.dossiers import queue
from aude_desktop.dossiers.states import STATE_LABELS
from aude_desktop.rules.reference import professions

PAGE = 200
ROOT = QModelIndex()  # the invisible root of a flat table
STATUS_COLOURS = {"overdue": "#fde2e1", "soon": "#fff4d6"}
NEW_MARK = "● "


class QueueModel(QAbstractTableModel):
    def __init__(self, store, today: date | None = None, parent=None):
        super().__init__(parent)
        self.store = store
        self.today = today or date.today()
        self.filter = queue.QueueFilter()
        self.sort_key, self.descending = "next_due_on", False
        self.rows: list[queue.QueueRow] = []
        self.total = 0
        self._fetching = False
        self.reload()

    # -- loading --------------------------------------------------------------------------------

    def reload(self) -> None:
        self.beginResetModel()
        with self.store.session() as s:
            self.total = queue.count(s, self.filter, self.today)
            self.rows = queue.page(s, self.filter, self.today, self.sort_key, self.descending, 0, PAGE, self.total)
        self.endResetModel()

    def set_filter(self, f: queue.QueueFilter) -> None:
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
            with self.store.session() as s:
                more = queue.page(s, self.filter, self.today, self.sort_key, self.descending, len(self.rows), PAGE, self.total)
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
        return 0 if parent.isValid() else len(queue.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(queue.HEADERS):
            return queue.HEADERS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        row = self.rows[index.row()]
        column = queue.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(row, column)
            if isinstance(value, date):
                return QLocale().toString(value, QLocale.FormatType.ShortFormat)
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
        key = queue.COLUMNS[column] if 0 <= column < len(queue.COLUMNS) else "next_due_on"
        self.sort_key = {"deadline": "next_due_on", "profession": "reference"}.get(key, key)
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class QueueView(QWidget):
    """Saved queues, search (accent-insensitive), filters by state and deadline, the table."""

    open_dossier = Signal(str)

    def __init__(self, store, login: str = "", today: date | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("page_dossiers")
        self.setAccessibleName("File des dossiers")
        self.model = QueueModel(store, today, self)
        self.saved = queue.saved_queues(login)
        self.saved_box = QComboBox()
        self.saved_box.setAccessibleName("Files enregistrées")
        self.saved_box.addItems([q.name for q in self.saved])
        self.saved_box.setMaximumWidth(260)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Rechercher : nom, référence, diplôme, pays… (Ctrl+F)")
        self.search.setAccessibleName("Rechercher un dossier")
        self.search.setClearButtonEnabled(True)
        self.state_box = QComboBox()
        self.state_box.setAccessibleName("Filtrer par état")
        self.state_box.addItem("Tous les états", "")
        for state, label in STATE_LABELS.items():
            self.state_box.addItem(label, state.value)
        self.profession_box = QComboBox()
        self.profession_box.setAccessibleName("Filtrer par profession")
        self.profession_box.addItem("Toutes les professions", "")
        for code, spec in sorted(professions().items(), key=lambda item: item[1].label):
            self.profession_box.addItem(spec.label, code)
        self.profession_box.setMaximumWidth(230)
        self.deadline_box = QComboBox()
        self.deadline_box.setAccessibleName("Filtrer par échéance")
        for key, label in queue.DEADLINE_FILTERS.items():
            self.deadline_box.addItem(label, key)
        self.count_label = QLabel()
        self.count_label.setObjectName("queueCount")
        self.table = QTableView()
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName("Dossiers")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        for column, width in enumerate((160, 175, 170, 165, 82, 90)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda index: self.open_dossier.emit(self.model.data(index, Qt.ItemDataRole.UserRole)))

        self.find_shortcut = find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(lambda: (self.search.setFocus(), self.search.selectAll()))

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(200)
        self.debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self.debounce.start)
        self.state_box.currentIndexChanged.connect(self.apply_filters)
        self.deadline_box.currentIndexChanged.connect(self.apply_filters)
        self.profession_box.currentIndexChanged.connect(self.apply_filters)
        self.saved_box.currentIndexChanged.connect(self.apply_saved)
        self.seen_button = QPushButton("Tout marquer comme vu")
        self.seen_button.setAccessibleName("Tout marquer comme vu")
        self.seen_button.setToolTip("Retire les marques « ● nouveau » de tous les dossiers")
        self.seen_button.clicked.connect(self.mark_all_seen)
        self.actions_bar = QHBoxLayout()  # the dossiers space adds the bulk actions here

        self.search.setMinimumWidth(260)
        for box in (self.saved_box, self.state_box, self.profession_box, self.deadline_box):
            # Long labels must not squeeze the search box: the popup still shows them in full.
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(14)
        bar = QHBoxLayout()
        for widget, stretch in ((self.saved_box, 0), (self.search, 1), (self.state_box, 0),
                                (self.profession_box, 0), (self.deadline_box, 0)):
            bar.addWidget(widget, stretch)
        self.actions_bar.addWidget(self.count_label, 1)
        self.actions_bar.addWidget(self.seen_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(QLabel("<h2>Autorisations d’exercice</h2>"))
        layout.addLayout(bar)
        layout.addLayout(self.actions_bar)
        layout.addWidget(self.table, 1)
        self._update_count()

    def apply_saved(self, index: int) -> None:
        saved = self.saved[index]
        self.model.filter = saved.filter
        self.model.sort_key = saved.sort
        boxes = (self.state_box, self.deadline_box, self.profession_box)
        for box in boxes:
            box.blockSignals(True)
        self.state_box.setCurrentIndex(max(0, self.state_box.findData(saved.filter.states[0] if saved.filter.states else "")))
        self.deadline_box.setCurrentIndex(max(0, self.deadline_box.findData(saved.filter.deadline)))
        self.profession_box.setCurrentIndex(max(0, self.profession_box.findData(saved.filter.profession)))
        for box in boxes:
            box.blockSignals(False)
        self.model.reload()
        self._update_count()

    def show_saved(self, saved: queue.SavedQueue) -> None:
        """Show a queue opened from elsewhere (a session's agenda), kept in the list for this session."""
        self.saved.append(saved)
        self.saved_box.addItem(saved.name)
        self.saved_box.setCurrentIndex(len(self.saved) - 1)

    def apply_filters(self) -> None:
        state = self.state_box.currentData()
        saved = self.saved[self.saved_box.currentIndex()].filter
        self.model.set_filter(queue.QueueFilter(
            text=self.search.text(), states=(state,) if state else (),
            profession=self.profession_box.currentData() or "",
            deadline=self.deadline_box.currentData() or "", assigned_to=saved.assigned_to,
            unseen=saved.unseen, session_id=saved.session_id,
        ))
        self._update_count()

    def selected_ids(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r].id for r in rows if r < len(self.model.rows)]

    def mark_all_seen(self) -> None:
        with self.model.store.session() as s:
            queue.mark_seen(s)
        self.refresh()

    def _update_count(self) -> None:
        self.count_label.setText(f"{QLocale().toString(self.model.total)} dossier(s)")

    def refresh(self) -> None:
        self.model.reload()
        self._update_count()
