"""What the bulk actions of both queues share: a cancellable progress dialog, the menu of bulk
actions, the per-item report, and the dialog asking for a date or a choice first."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMenu,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from aude_desktop.casework import bulk
from aude_desktop.casework.views.action_dialog import date_edit
from aude_desktop.casework.views.dialogs import dialog_buttons


def run_with_progress(parent, title: str, work) -> bulk.BulkReport:
    """`work(on_progress)`: a cancellable progress dialog; items already done stay done."""
    dialog = QProgressDialog(title, "Interrompre", 0, 100, parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)

    def progress(done: int, total: int) -> bool:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        dialog.setLabelText(f"{title} : {done} / {total}")
        QApplication.processEvents()
        return not dialog.wasCanceled()

    try:
        return work(progress)
    finally:
        dialog.close()


def menu_button(text: str, name: str, entries) -> QPushButton:
    """A button opening a menu of (label, slot) entries (the bulk actions of a queue)."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(text)
    menu = QMenu(button)
    for label, slot in entries:
        menu.addAction(label, slot)
    button.setMenu(menu)
    return button


def run_and_report(parent, title: str, work) -> bulk.BulkReport:
    """Run a bulk action with its progress dialog, then show what happened to each item."""
    report = run_with_progress(parent, title, work)
    ReportDialog(report, parent).open()
    return report


class ReportDialog(QDialog):
    """What was done on each dossier and why the others were refused."""

    def __init__(self, report: bulk.BulkReport, parent=None):
        super().__init__(parent)
        self.setWindowTitle(report.action)
        self.setAccessibleName(f"Compte rendu : {report.action}")
        self.resize(760, 420)
        summary = QLabel(f"<b>{report.summary()}</b>")
        summary.setObjectName("reportSummary")
        self.table = QTableWidget(len(report.items), 3)
        self.table.setTabKeyNavigation(False)
        self.table.setAccessibleName("Résultat par dossier")
        self.table.setHorizontalHeaderLabels(("Dossier", "Résultat", "Détail"))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, item in enumerate(report.items):
            for column, text in enumerate((item.reference, "Réussi" if item.ok else "Refusé", item.message)):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)


class ChoiceDialog(QDialog):
    """A date or a choice to confirm before a bulk action (the agent to assign, the session…)."""

    def __init__(self, title: str, label: str, choices: list[tuple[str, str]] | None, today: date,
                 with_date: bool = False, editable: bool = False, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        form = QFormLayout()
        self.choice = QComboBox()
        self.choice.setEditable(editable)
        self.choice.setAccessibleName(label)
        for key, text in choices or []:
            self.choice.addItem(text, key)
        self.day = date_edit(today)
        self.day.setAccessibleName("Date")
        if choices is not None:
            form.addRow(label, self.choice)
        if with_date:
            form.addRow("Date", self.day)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(dialog_buttons(self, "Appliquer"))

    def value(self) -> str:
        index = self.choice.currentIndex()
        if self.choice.isEditable() and self.choice.currentText() != self.choice.itemText(index):
            return self.choice.currentText().strip()
        return self.choice.currentData() or ""

    def date(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())
