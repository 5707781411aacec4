"""A dialog whose confirmation is a command run on the serial worker: the window stays live while it
runs, a refusal is shown inline in French and the dialog stays open with everything typed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from aude_desktop.casework.views.dialogs import ValidatingDialog
from aude_desktop.ui.serial_worker import french_message, serial_worker


class WorkerDialog(ValidatingDialog):
    """Subclasses give `prepare()`: it reads the widgets (here, on the GUI thread) and returns the work
    for the worker (a callable that touches no widget) or a French reason to refuse at once; and
    `applied(result)`: back on the GUI thread, None closes the dialog, a French message keeps it open."""

    job = None

    def prepare(self) -> Callable[[], object] | str:
        raise NotImplementedError

    def applied(self, result) -> str | None:
        return None

    @property
    def busy(self) -> bool:
        return self.job is not None and not self.job.finished

    def accept(self) -> None:
        if self.busy:
            return  # a second Entrée while the first one runs
        work = self.prepare()
        if isinstance(work, str):
            self.show_error(work)
            return
        self._enable(False)
        self.error.hide()
        self.job = serial_worker().submit(lambda _progress: work(), done=self._done, failed=self._failed, owner=self)

    def reject(self) -> None:
        if self.busy:
            return  # Échap cannot take back a command already handed to the worker: its answer is awaited
        super().reject()

    def _enable(self, enabled: bool) -> None:
        """Busy: the buttons wait for the worker's answer, the pointer says so; the fields stay readable."""
        for box in self.findChildren(QDialogButtonBox):
            box.setEnabled(enabled)
        if enabled:
            self.unsetCursor()
        else:
            self.setCursor(Qt.CursorShape.BusyCursor)

    def _done(self, result) -> None:
        self._enable(True)
        problem = self.applied(result)
        if problem:
            self.show_error(problem)
        else:
            QDialog.accept(self)

    def _failed(self, exc: BaseException) -> None:
        self._enable(True)
        self.show_error(french_message(exc))
