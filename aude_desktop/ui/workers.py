"""Background work for the GUI: the GUI thread never waits on the network or a long query.

Results come back through signals carrying plain data (reports, messages), never ORM objects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QThread, Signal

log = logging.getLogger(__name__)


class Task(QThread):
    """Runs `work(report_progress)` in a thread; emits succeeded(result) or failed(French message)."""

    progress = Signal(str, int, int)  # phase, pages, records
    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Callable, parent=None):
        super().__init__(parent)
        self.work = work

    def run(self) -> None:
        from aude_desktop.sync.http import ApiError  # requests: not needed to show the first window

        try:
            result = self.work(lambda phase, pages=0, records=0: self.progress.emit(phase, pages, records))
        except ApiError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 — reported to the user, logged with its trace
            log.exception("background task failed")
            self.failed.emit(f"Erreur inattendue : {type(exc).__name__}. Le détail est dans le journal.")
        else:
            self.succeeded.emit(result)
