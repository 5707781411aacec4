"""The Qt binding must not eat Python's shared objects: PySide6 6.12.0 on Python 3.11 dropped a
reference to True on every signal emitted and to None on every void call, so a working session
aborted (« Fatal Python error: bool_dealloc ») after a few hundred signals. pyproject.toml keeps
PySide6 below 6.12; this checks, in a fresh process, the binding actually installed."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
app = QCoreApplication([])
class Source(QObject):
    changed = Signal(int)
source, received = Source(), []
source.changed.connect(received.append)
timer = QTimer()
before = sys.getrefcount(True), sys.getrefcount(None)
for i in range(2000):  # more than True's references at start: the faulty binding aborts here
    source.changed.emit(i)
    timer.setInterval(10)
after = sys.getrefcount(True), sys.getrefcount(None)
print(len(received), before[0] - after[0], before[1] - after[1])
"""


def test_signals_and_void_calls_leave_true_and_none_alone():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    received, true_lost, none_lost = (int(x) for x in result.stdout.split())
    assert received == 2000
    assert abs(true_lost) < 50 and abs(none_lost) < 50, (true_lost, none_lost)
