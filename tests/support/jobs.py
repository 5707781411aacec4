"""Waiting for the serial worker in GUI tests: the event loop keeps running while its jobs finish."""

from __future__ import annotations

import threading
from contextlib import contextmanager


def settle(qtbot, timeout: int = 30_000) -> None:
    """Until every job submitted to the serial worker (and to the read-only look-ups' worker) has run
    and called back on the GUI thread."""
    from aude_desktop.ui.serial_worker import lookup_worker, serial_worker

    qtbot.waitUntil(lambda: not serial_worker().busy and not lookup_worker().busy, timeout=timeout)


@contextmanager
def worker_held():
    """The serial worker busy with a job that waits until the block ends: what is submitted meanwhile
    queues behind it, so a test sees a window while its command is still running (no timing)."""
    from aude_desktop.ui.serial_worker import serial_worker

    gate = threading.Event()
    serial_worker().submit(lambda _progress: gate.wait(60))
    try:
        yield
    finally:
        gate.set()
