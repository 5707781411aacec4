"""Small widgets every view uses: selectable labels, read-only tables filled from plain rows."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QTableWidget,
    QTableWidgetItem,
)

from aude_desktop.frtext import rich_text
from aude_desktop.ui.i18n import FRENCH


def selectable_label(text: str = "", name: str = "", accessible: str = "", plain: bool = False) -> QLabel:
    """A label whose text can be selected and copied; `accessible` names it for screen readers
    while it is still empty (selectable labels take the focus). `plain`: a stored value shown as
    typed, never read as rich text (« <b> » in a name stays « <b> »)."""
    label = QLabel(text)
    if plain:
        label.setTextFormat(Qt.TextFormat.PlainText)
    if accessible:
        label.setAccessibleName(accessible)
    label.setWordWrap(True)
    # A value starting in Arabic or Hebrew would otherwise be right-aligned, away from its caption;
    # the text itself keeps its own direction.
    label.setAlignment(Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def show_whole_text(box: QComboBox, widest: int = 360) -> None:
    """A drop-down as wide as its current choice (up to `widest`, then elided with the whole text as
    tooltip), and its list as wide as its longest item: no filter reads « Toutes les échéance »."""
    def fit(_index: int = 0) -> None:
        option = QStyleOptionComboBox()
        box.initStyleOption(option)
        text = box.fontMetrics().horizontalAdvance(box.currentText())
        size = box.style().sizeFromContents(QStyle.ContentsType.CT_ComboBox, option,
                                            QSize(text, box.fontMetrics().height()), box)
        box.setMinimumWidth(min(widest, size.width()))
        box.setToolTip(box.currentText())

    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(4)
    box.setMaximumWidth(widest)
    longest = max((box.fontMetrics().horizontalAdvance(box.itemText(i)) for i in range(box.count())), default=0)
    box.view().setMinimumWidth(longest + 40)
    box.currentIndexChanged.connect(fit)
    fit()


def readonly_table(headers: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move inside): no keyboard trap
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def fill_table(table: QTableWidget, rows: list[tuple]) -> None:
    """Counts read « 11 368 » (French thousands separator), right-aligned like any figure column."""
    # Columns sized to their contents are sized once, after the filling: replacing a cell re-measured
    # every row of its column (refilling 60 rows of 8 columns took half a second on the GUI thread).
    header = table.horizontalHeader()
    modes = [header.sectionResizeMode(c) for c in range(table.columnCount())]
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            count = isinstance(value, int) and not isinstance(value, bool)
            item = QTableWidgetItem(FRENCH.toString(value) if count else "—" if value in (None, "") else str(value))
            if count:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setToolTip(item.text())
            table.setItem(r, c, item)
    for column, mode in enumerate(modes):
        header.setSectionResizeMode(column, mode)


CLOCK_BACKGROUND = {"overdue": "#fde2e1", "soon": "#fff4d6"}


def show_clock(label: QLabel, clock, error: str = "") -> None:
    """The next legal date in words (days left as text), tinted only as a second cue."""
    if clock is None:
        text, status = f"Échéance incalculable : {error}", "overdue"
    elif clock.days_left is None:  # suspended or no date: the label already says so
        text, status = clock.next_label, clock.status
    else:
        text, status = f"{clock.next_label} — {clock.status_label}", clock.status
    flags = "".join(f"<br>⚠ {rich_text(flag)}" for flag in getattr(clock, "flags", ()) or ())
    label.setText(f"<b>Échéance légale :</b> {rich_text(text)}{flags}")
    label.setStyleSheet(f"background: {CLOCK_BACKGROUND.get(status, '#eef3f8')}; border-radius: 4px;")
