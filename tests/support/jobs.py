"""Waiting for the serial worker in GUI tests: the event loop keeps running while its jobs finish."""

from __future__ import annotations


def settle(qtbot, timeout: int = 30_000) -> None:
    """Until every job submitted to the serial worker (and to the read-only look-ups' worker) has run
    and called back on the GUI thread."""
    from aude_desktop.ui.serial_worker import lookup_worker, serial_worker

    qtbot.waitUntil(lambda: not serial_worker().busy and not lookup_worker().busy, timeout=timeout)
