"""Catching a command run on the GUI thread: every domain command goes through `catalog.execute`
(run_command, Workspace.run, intake.register, scans.receive, letters/register all reach it through
sync/local.apply_command), so wrapping it sees them all.

A call is a fault when it runs on the main thread while a QApplication exists and window code is on
the stack (a module of `aude_desktop/**/views/`, `aude_desktop/ui/` or `aude_desktop/app.py`): a
slot made the GUI thread wait for SQLite. Tests and scripts that seed data before a window shows
(the fixtures, the gallery's set-up, the CLI) call commands on the main thread legitimately: no
window frame is on their stack.
"""

from __future__ import annotations

import sys
import threading
import traceback

# Drivers, not windows: they seed demo data the way a test fixture does, then show the windows.
DRIVERS = ("aude_desktop.ui.gallery", "aude_desktop.ui.gallery_demo", "aude_desktop.ui.gallery_lps")


def is_window_code(module: str) -> bool:
    if module in DRIVERS:
        return False
    return (module == "aude_desktop.app" or module.startswith("aude_desktop.ui.")
            or (module.startswith("aude_desktop.") and ".views." in module))


def window_frame(frame) -> str | None:
    """The innermost window-code function on the stack above `frame`, as « module.function »."""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if is_window_code(module):
            return f"{module}.{frame.f_code.co_name}"
        frame = frame.f_back
    return None


def on_gui_thread() -> bool:
    if threading.current_thread() is not threading.main_thread():
        return False
    widgets = sys.modules.get("PySide6.QtWidgets")
    return widgets is not None and widgets.QApplication.instance() is not None


class CommandsOnGuiThread:
    """Installed around `catalog.execute` for one test; `faults` lists each command a window ran on
    the GUI thread, with where."""

    def __init__(self, execute):
        self.execute = execute
        self.faults: list[str] = []

    def __call__(self, name, *args, **kwargs):
        if on_gui_thread():
            where = window_frame(sys._getframe(1))
            if where is not None:
                stack = "".join(traceback.format_stack(sys._getframe(1), limit=8))
                self.faults.append(f"« {name} » run on the GUI thread by {where}:\n{stack}")
        return self.execute(name, *args, **kwargs)
