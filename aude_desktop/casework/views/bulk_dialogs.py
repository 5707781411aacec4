"""What the bulk actions of both queues share: a cancellable progress dialog, the menu of bulk
actions, the per-item report, and the dialog asking for a date or a choice first."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from aude_desktop.casework import bulk
from aude_desktop.casework.views.action_dialog import date_edit
from aude_desktop.casework.views.dialogs import dialog_buttons
from aude_desktop.ui.serial_worker import french_message, serial_worker


def run_with_progress(parent, title: str, work, finished=None):
    """`work(on_progress)` on the serial worker, behind a cancellable progress dialog (items already
    done stay done); `finished(report)` on the GUI thread, with None if the work failed (the French
    reason is shown). Returns the job."""
    dialog = QProgressDialog(title, "Interrompre", 0, 100, parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)

    def progressed(done: int, total: int) -> None:
        if dialog.maximum() != max(total, 1):
            dialog.setMaximum(max(total, 1))
        dialog.setValue(done)
        dialog.setLabelText(f"{title} : {done} / {total}")

    def done(report) -> None:
        dialog.close()
        if finished is not None:
            finished(report)

    def failed(exc: BaseException) -> None:
        dialog.close()
        QMessageBox.warning(parent, title, french_message(exc))
        if finished is not None:
            finished(None)

    job = serial_worker().submit(work, done=done, failed=failed, progressed=progressed, owner=parent)
    dialog.canceled.connect(job.cancel)
    return job


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


def run_and_report(parent, title: str, work, finished=None):
    """Run a bulk action on the serial worker with its progress dialog, then show what happened to
    each item; `finished(report or None)` afterwards. Returns the job."""
    def show(report) -> None:
        if report is not None:
            ReportDialog(report, parent).open()
        if finished is not None:
            finished(report)

    return run_with_progress(parent, title, work, show)


def run_on_selection(space, title: str, work):
    """A bulk action of a space (its `queue`, `changed`, `last_report`): `work(on_progress)` on the
    serial worker (it reads no widget: values are taken before), then the report, the refreshed queue
    and the status bar. Returns the job."""
    def finished(report) -> None:
        if report is not None:
            space.last_report = report
        space.queue.refresh()  # what was done before a failure stays done: shown
        space.changed.emit()

    return run_and_report(space, title, work, finished)


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
