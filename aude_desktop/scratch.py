"""Throw-away folders (demo profiles, demo server databases, gallery profiles) removed on exit.

Qt-free: the GUI, `aude-central serve --demo` and the gallery share it. A folder made here is removed
when the process ends normally, on an uncaught exception, on SIGTERM and on Ctrl+C (SIGINT): the
signals are turned into a normal Python exit so `finally` blocks and `atexit` run. Only SIGKILL
(or a power cut) can leave one behind.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

_lock = threading.Lock()
_folders: list[Path] = []
_callbacks: list[Callable[[], None]] = []


def scratch_dir(prefix: str) -> Path:
    """A new private temporary folder, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    with _lock:
        _folders.append(folder)
    return folder


def on_exit(callback: Callable[[], None]) -> None:
    """Runs before the folders are removed (e.g. stop a child process that writes in one)."""
    with _lock:
        _callbacks.append(callback)


def stop_children() -> None:
    """Runs the exit callbacks now (last registered first), once each."""
    with _lock:
        callbacks, _callbacks[:] = list(reversed(_callbacks)), []
    for callback in callbacks:
        with contextlib.suppress(Exception):  # one failing stop must not keep the folders
            callback()


def clean_up() -> None:
    """Runs the exit callbacks, then removes the folders. Idempotent."""
    stop_children()
    with _lock:
        folders, _folders[:] = list(_folders), []
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(clean_up)


def exit_on_signals(handler: Callable[[int], None] | None = None) -> None:
    """SIGTERM and SIGINT end the process through a normal exit (status 128 + signal number).

    `handler(signum)` replaces the default action (the GUI asks its event loop to quit instead of
    raising in the middle of a Qt call). Call from the main thread.
    """
    def default(signum: int) -> None:
        raise SystemExit(128 + signum)

    act = handler or default
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: act(number))
