"""The one serial worker: commands, bulk actions and letter batches run here, in the order they were
asked, one at a time, never on the GUI thread.

One thread, not a pool: commands on the same record must apply in the order the agent gave them, and
SQLite takes one writer at a time anyway. Each job opens its own sessions (through the workspace
façade); results come back to the GUI thread through signals, as plain data or the exception raised
(a French refusal the dialog shows), never ORM instances. A job whose window was closed meanwhile
still runs (the agent asked for it) but calls nothing back on the dead window.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QEventLoop, QObject, QThread, Signal
from shiboken6 import isValid

from aude_desktop.domain.commands import CommandRejected
from aude_desktop.store.database import StoreWriteError

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 0.1
UNEXPECTED = "Erreur inattendue : {name}. Le détail est dans le journal."


def french_message(exc: BaseException) -> str:
    """What the agent reads about a job that failed: the refusal's own words, or where to look."""
    if isinstance(exc, CommandRejected):
        return exc.message
    if isinstance(exc, StoreWriteError) or _api_error(exc) or _letter_refusal(exc):
        return str(exc)
    return UNEXPECTED.format(name=type(exc).__name__)


def _api_error(exc: BaseException) -> bool:
    http = sys.modules.get("aude_desktop.sync.http")  # not loaded (it brings requests): no network call was made
    return http is not None and isinstance(exc, http.ApiError)


def _letter_refusal(exc: BaseException) -> bool:
    compose = sys.modules.get("aude_desktop.letters.compose")  # not loaded: no letter was attempted
    return compose is not None and isinstance(exc, compose.LetterNotApplicable)


@dataclass(eq=False)
class Job:
    """`work(progress)` runs on the worker; `progress(done, total)` returns False once cancelled.
    The callbacks run on the GUI thread: `done(result)`, `failed(exception)`, `progressed(done, total)`."""

    work: Callable[[Callable[[int, int], bool]], object]
    done: Callable[[object], None] | None = None
    failed: Callable[[BaseException], None] | None = None
    progressed: Callable[[int, int], None] | None = None
    owner: QObject | None = None  # callbacks are skipped once this widget is gone
    id: int = field(default_factory=itertools.count(1).__next__)
    finished: bool = False
    _cancel: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        """Once called back: drop the work and the callbacks. They often hold the window that holds
        this job (`self.job = …`); left as a cycle, Python's collector may free that window on
        whatever thread it runs — the worker's — where Qt must never delete a widget."""
        self.work = self.done = self.failed = self.progressed = self.owner = None

    def cancel(self) -> None:
        """Items already done stay done; the job stops before the next one."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Thread(QThread):
    progressed = Signal(int, int, int)  # job id, done, total
    ended = Signal(int, bool, object)  # job id, succeeded, result or exception

    def __init__(self) -> None:
        super().__init__()
        self.jobs: queue.Queue[Job | None] = queue.Queue()

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            shown = [float("-inf")]

            def progress(done: int, total: int, job: Job = job, shown: list = shown) -> bool:
                # A few updates a second are all a progress bar shows; one signal per item of a
                # 500-item batch would only keep the GUI thread busy repainting it.
                now = time.monotonic()
                if done >= total or now - shown[0] >= PROGRESS_EVERY_S:
                    shown[0] = now
                    self.progressed.emit(job.id, done, total)
                return not job.cancelled

            try:
                result = job.work(progress)
            except Exception as exc:  # noqa: BLE001 — handed to the GUI thread, which tells the agent
                if french_message(exc) == UNEXPECTED.format(name=type(exc).__name__):
                    log.exception("job of the serial worker failed")  # the trace the message points to
                self.ended.emit(job.id, False, exc)
            else:
                self.ended.emit(job.id, True, result)


class SerialWorker(QObject):
    """Lives on the GUI thread; its thread runs the jobs. `idle` when the queue is empty again."""

    idle = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[int, Job] = {}
        self.thread = _Thread()
        self.thread.progressed.connect(self._progressed)
        self.thread.ended.connect(self._ended)
        self.thread.start()

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def submit(self, work, *, done=None, failed=None, progressed=None, owner: QObject | None = None) -> Job:
        job = Job(work, done, failed, progressed, owner)
        self.jobs[job.id] = job
        self.thread.jobs.put(job)
        return job

    def _alive(self, job: Job) -> bool:
        return job.owner is None or isValid(job.owner)

    def _progressed(self, job_id: int, done: int, total: int) -> None:
        job = self.jobs.get(job_id)
        if job is not None and job.progressed is not None and self._alive(job):
            job.progressed(done, total)

    def _ended(self, job_id: int, succeeded: bool, outcome: object) -> None:
        job = self.jobs.pop(job_id)
        job.finished = True
        try:
            if not self._alive(job):
                return
            if succeeded and job.done is not None:
                job.done(outcome)
            elif not succeeded:
                if job.failed is not None:
                    job.failed(outcome)
                else:
                    log.warning("job of the serial worker failed unreported: %s", type(outcome).__name__)
        finally:
            job.release()
            if not self.jobs:
                self.idle.emit()

    def wait(self) -> None:
        """Until every job has run and called back (an event loop turns meanwhile): for the gallery
        and scripts that drive the windows, never for a slot answering the agent."""
        if self.busy:
            loop = QEventLoop()
            self.idle.connect(loop.quit)
            loop.exec()
            self.idle.disconnect(loop.quit)

    def stop(self) -> None:
        """Let the queued jobs finish (the agent asked for them), then end the thread."""
        if self.thread.isRunning():
            self.thread.jobs.put(None)
            self.thread.wait()


_workers: dict[str, SerialWorker] = {}


def _named(name: str) -> SerialWorker:
    if name not in _workers:
        _workers[name] = worker = SerialWorker()
        atexit.register(worker.stop)
    return _workers[name]


def stop_workers() -> None:
    """Let the queued jobs finish, then end the threads (before the store closes, at exit)."""
    for worker in _workers.values():
        worker.stop()


def serial_worker() -> SerialWorker:
    """The application's one worker for commands, bulk actions and letters, started on first use,
    stopped when the process ends."""
    return _named("commands")


def lookup_worker() -> SerialWorker:
    """Read-only work a window waits for (the national duplicate index, the supervision figures):
    never queued behind a batch of letters, and it changes nothing here."""
    return _named("lookups")
