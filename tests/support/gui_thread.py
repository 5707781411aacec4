"""Catching a command run, or the local store written, on the GUI thread: every domain command goes
through `catalog.execute` (run_command, Workspace.run, intake.register, scans.receive, letters/register
all reach it through sync/local.apply_command), so wrapping it sees them all; every write of the store
is an INSERT, UPDATE or DELETE that SQLAlchemy's `before_cursor_execute` sees (markers, users…).

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


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# Opening the store (migrations, a backup restored at the agent's request) comes before any window.
OPENING = {("aude_desktop.store.database", "open_store"), ("aude_desktop.store.backups", "open_or_restore")}


def opening_store(frame) -> bool:
    while frame is not None:
        if (frame.f_globals.get("__name__", ""), frame.f_code.co_name) in OPENING:
            return True
        frame = frame.f_back
    return False


def fault(what: str, frame) -> str | None:
    """The report of `what` done at `frame`, or None when it is not a fault."""
    if not on_gui_thread():
        return None
    where = window_frame(frame)
    if where is None:
        return None
    stack = "".join(traceback.format_stack(frame, limit=8))
    return f"{what} on the GUI thread by {where}:\n{stack}"


class CommandsOnGuiThread:
    """Installed around `catalog.execute` for one test; `faults` lists each command a window ran on
    the GUI thread, with where."""

    def __init__(self, execute):
        self.execute = execute
        self.faults: list[str] = []

    def __call__(self, name, *args, **kwargs):
        found = fault(f"command « {name} » run", sys._getframe(1))
        if found:
            self.faults.append(found)
        return self.execute(name, *args, **kwargs)

    def statement(self, _conn, _cursor, statement: str, *_args) -> None:
        """SQLAlchemy's `before_cursor_execute` on every engine: a write of the store."""
        verb = statement.lstrip()[:7].upper()
        if verb.startswith(WRITES):
            found = fault(f"store written ({verb.split()[0]})", sys._getframe(1))
            if found and not opening_store(sys._getframe(1)):
                self.faults.append(found)
