"""The Synchronisation space: refused commands (Rejets) and conflicts (Conflits), decided by a person.

Resubmitting, replaying a step and applying a conflict's choices write the store: they run on the
serial worker (ui/serial_worker.py); the page's buttons wait for the answer, a refusal is said in
French, and the conflict dialog stays open with the choices made."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.domain.commands import Actor
from aude_desktop.sync import resolution
from aude_desktop.ui.serial_worker import french_message, serial_worker
from aude_desktop.ui.worker_dialog import WorkerDialog
from aude_desktop.ui.workers import Task

MINE, SERVER, MERGED = "Ma valeur", "Valeur du serveur", "Texte fusionné"


def _text(value) -> str:
    return "—" if value in (None, "") else str(value)


class ConflictDialog(WorkerDialog):
    """Field by field: mine or the server's; free text can be merged and edited. `apply(chosen)`
    runs on the serial worker (it touches no widget); the dialog closes once it has succeeded."""

    def __init__(self, diffs: list[resolution.FieldDiff], apply=None, parent=None):
        super().__init__(parent)
        self.apply = apply
        self.setWindowTitle("Résoudre le conflit")
        self.setAccessibleName("Résoudre le conflit")
        self.diffs = diffs
        self.choices: list[QComboBox] = []
        self.merged: dict[str, QPlainTextEdit] = {}
        grid = QGridLayout()
        for column, title in enumerate(("Champ", MINE, SERVER, "Retenir")):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for row, diff in enumerate(diffs, start=1):
            grid.addWidget(QLabel(resolution.field_label(diff.path)), row, 0)
            grid.addWidget(QLabel(_text(diff.mine)), row, 1)
            grid.addWidget(QLabel(_text(diff.server)), row, 2)
            combo = QComboBox()
            combo.addItems([MINE, SERVER] + ([MERGED] if diff.free_text else []))
            combo.setAccessibleName(f"Valeur à retenir : {resolution.field_label(diff.path)}")
            grid.addWidget(combo, row, 3)
            self.choices.append(combo)
            if diff.free_text:
                editor = QPlainTextEdit(diff.merged())
                editor.setAccessibleName(f"Texte fusionné : {resolution.field_label(diff.path)}")
                editor.setMaximumHeight(70)
                editor.setEnabled(False)
                combo.currentTextChanged.connect(lambda text, e=editor: e.setEnabled(text == MERGED))
                grid.addWidget(editor, row, 4)
                self.merged[diff.path] = editor
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Appliquer mes choix")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Le dossier a été modifié sur le serveur pendant que vous travailliez hors ligne. "
                                "Choisissez, pour chaque champ, la valeur à conserver."))
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def prepare(self):
        apply, chosen = self.apply, self.chosen()
        return lambda: apply(chosen) if apply is not None else None

    def chosen(self) -> dict:
        out = {}
        for diff, combo in zip(self.diffs, self.choices, strict=True):
            if combo.currentText() == MINE:
                out[diff.path] = diff.mine
            elif combo.currentText() == SERVER:
                out[diff.path] = diff.server
            else:
                out[diff.path] = self.merged[diff.path].toPlainText()
        return out


class SyncPage(QWidget):
    changed = Signal()

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.auth = None
        self.setObjectName("page_sync")
        self.setAccessibleName("Synchronisation")
        self.table = QTableWidget(0, 5)
        self.table.setTabKeyNavigation(False)
        self.table.setObjectName("problemsTable")
        self.table.setAccessibleName("Modifications refusées et conflits")
        self.table.setHorizontalHeaderLabels(["Date", "Dossier / convention", "Modification", "Situation", "Motif du serveur"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel()
        self.summary.setObjectName("emptyNote")
        self.resubmit_button = QPushButton("&Renvoyer")
        self.resubmit_button.setAccessibleName("Renvoyer la modification refusée")
        self.resolve_button = QPushButton("Résoudre le &conflit…")
        self.resolve_button.setAccessibleName("Résoudre le conflit")
        self.discard_button = QPushButton("&Abandonner ma modification")
        self.discard_button.setAccessibleName("Abandonner la modification")
        self.resubmit_button.clicked.connect(self.resubmit)
        self.resolve_button.clicked.connect(self.resolve)
        self.discard_button.clicked.connect(self.discard)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        buttons = QHBoxLayout()
        for button in (self.resubmit_button, self.resolve_button, self.discard_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(QLabel("<h2>Synchronisation</h2>"))
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.problems: list[resolution.Problem] = []
        self.job = None  # the latest decision handed to the serial worker
        self.discard_task = None  # asking the server's version of a record given up
        self.refresh()

    def actor(self) -> Actor:
        user = self.auth.user if self.auth else None
        return Actor(user.login, user.role, user.region, user.authority) if user else Actor("", "")

    def refresh(self) -> None:
        self.problems = resolution.problems(self.store)
        self.table.setRowCount(len(self.problems))
        for row, p in enumerate(self.problems):
            state = "Refusée par le serveur" if p.status == "rejected" else "Conflit à arbitrer"
            when = p.created_at.astimezone().strftime("%d/%m/%Y %H:%M")
            for column, text in enumerate((when, p.record, p.label, state, p.reason)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.summary.setText(
            "Aucune modification refusée ni aucun conflit : tout votre travail est accepté ou en attente d’envoi."
            if not self.problems else
            f"{len(self.problems)} modification(s) demandent votre décision. Rien n’est abandonné sans votre accord."
        )
        self._update_buttons()

    def selected(self) -> resolution.Problem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.problems[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        p = None if self.busy else self.selected()  # one decision at a time: the next waits for the answer
        self.resubmit_button.setEnabled(bool(p and p.status == "rejected"))
        self.resolve_button.setEnabled(bool(p and p.status == "conflict"))
        self.discard_button.setEnabled(bool(p and self.auth))

    @property
    def busy(self) -> bool:
        asking = self.discard_task is not None and self.discard_task.isRunning()
        return asking or (self.job is not None and not self.job.finished)

    def resubmit(self):
        p = self.selected()
        if not p or self.busy:
            return None
        store, seq = self.store, p.seq
        return self._apply("Renvoi impossible", lambda: resolution.resubmit(store, seq))

    def resolve(self) -> QDialog | None:
        p = self.selected()
        if not p or self.busy:
            return None
        diffs = resolution.conflict_fields(self.store, p.seq)
        store, actor, seq = self.store, self.actor(), p.seq
        if not diffs:
            answer = QMessageBox.question(
                self, "Conflit", "Cette étape a été faite sur une version plus ancienne du dossier. "
                "La rejouer sur la version du serveur ?")
            if answer == QMessageBox.StandardButton.Yes:
                self._apply("Modification impossible", lambda: resolution.retry_on_server_version(store, actor, seq))
            return None
        dialog = ConflictDialog(diffs, lambda chosen: resolution.resolve_conflict(store, actor, seq, chosen), self)
        dialog.accepted.connect(self._applied)
        dialog.open()
        return dialog

    def _apply(self, title: str, work):
        """`work()` on the serial worker; the buttons wait for its answer."""
        def refused(exc: BaseException) -> None:
            self._applied()
            QMessageBox.warning(self, title, french_message(exc))

        self.job = serial_worker().submit(lambda _progress: work(), done=lambda _r: self._applied(), failed=refused,
                                          owner=self)
        self._update_buttons()
        return self.job

    def _applied(self) -> None:
        self.refresh()
        self.changed.emit()

    def discard(self) -> None:
        """The server's version is asked on a network task; giving up is then written on the serial worker."""
        p = self.selected()
        if not p or not self.auth or self.busy:
            return
        answer = QMessageBox.question(
            self, "Abandonner", f"Abandonner « {p.label} » ? Le dossier reprendra la version du serveur.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        store, seq, fetch = self.store, p.seq, resolution.fetcher(self.auth, self.store)

        def fetched(record) -> None:
            self._apply("Abandon impossible", lambda: resolution.discard_with(store, seq, record))

        def unreachable(message: str) -> None:
            self._update_buttons()
            QMessageBox.warning(self, "Abandon impossible", message)

        task = Task(lambda _r: resolution.server_version(store, seq, fetch), self)
        task.succeeded.connect(fetched)
        task.failed.connect(unreachable)
        task.finished.connect(self._update_buttons)
        self.discard_task = task
        task.start()
        self._update_buttons()
