"""One cold start, in a fresh process: `bare` shows an empty PySide6 QMainWindow, `floor` the same
after importing what any start of the app needs (SQLAlchemy's ORM, the keyring's backends), `app
PROFILE` runs `aude-desktop --profile PROFILE` itself. Either way the process prints `painted` on stdout at the
first paint that matters (the bare window; the app's first queue with rows in it) and ends there
(os._exit: what a start costs, not a shutdown), so the parent times the whole start from exec,
interpreter included.

For the app, the first line is `painted <epoch seconds> <window class>` at the first queue with rows
on screen (the first screen's, ui/first_screen.py, when the profile kept one; else the main
window's), the second `live <epoch seconds>` when the main window's own queue is painted.
`modules` (after the profile) prints, instead, the names in sys.modules at the first paint: what
the first screen or window imported (tests/ui/test_cold_start_imports.py).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys


def on_first_paint(app, seen, report) -> None:
    """At the first paint accepted by `seen` (an application-wide filter): report, then end."""
    from PySide6.QtCore import QEvent, QObject

    paint = QEvent.Type.Paint

    class FirstPaint(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == paint and seen(watched):
                report()
                sys.stdout.flush()
                os._exit(0)
            return False

    app.first_paint = FirstPaint()  # kept alive by the application
    app.installEventFilter(app.first_paint)


def queue_with_rows(widget) -> bool:
    from PySide6.QtWidgets import QTableView

    view = widget.parent()
    return (isinstance(view, QTableView) and widget is view.viewport() and view.isVisible()
            and view.model() is not None and view.model().rowCount() > 0)


class WatchShow(importlib.abc.MetaPathFinder):
    """Calls `on_show` when the app first shows one of its windows (the first screen or the main
    window), without importing Qt before the app does (PySide6 hooks every later import, so
    importing it first would slow the app's own)."""

    WINDOWS = {"aude_desktop.ui.first_screen": "FirstScreen", "aude_desktop.ui.main_window": "MainWindow"}

    def __init__(self, on_show) -> None:
        self.on_show = on_show
        self.waiting = dict(self.WINDOWS)

    def find_spec(self, name, path, target=None):
        if name not in self.waiting:
            return None
        window_class = self.waiting.pop(name)
        sys.meta_path.remove(self)  # the real spec, without finding ourselves again
        try:
            spec = importlib.util.find_spec(name)
        finally:
            if self.waiting:
                sys.meta_path.insert(0, self)
        load, on_show = spec.loader.exec_module, self.on_show

        def exec_module(module) -> None:
            load(module)
            cls = getattr(module, window_class)
            show = cls.show

            def shown(window) -> None:
                on_show()
                show(window)

            cls.show = shown

        spec.loader.exec_module = exec_module
        return spec


def main(argv: list[str]) -> int:
    if argv[0] in ("bare", "floor"):
        if argv[0] == "floor":
            import keyring
            import sqlalchemy.orm  # noqa: F401

            keyring.get_keyring()
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication, QMainWindow

        # As app.main does, before the QApplication exists.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
        window = QMainWindow()
        window.resize(1280, 800)
        on_first_paint(app, lambda w: w is window, lambda: print("painted"))
        window.show()
        return app.exec()
    import time

    modules = argv[2:] == ["modules"]
    painted: list[str] = []

    def seen(widget) -> bool:
        if not queue_with_rows(widget):
            return False
        if not painted:  # the first queue with rows on screen: the first screen's, or the main window's
            painted.append(type(widget.window()).__name__)
            print("\n".join(sorted(sys.modules)) if modules else f"painted {time.time():.6f} {painted[0]}", flush=True)
            if modules:
                return True
        # The main window's own queue, on its store: the start is over.
        return type(widget.window()).__name__ == "MainWindow"

    def report() -> None:
        if not modules:
            print(f"live {time.time():.6f}")

    installed: list[bool] = []

    def install() -> None:
        if installed:
            return
        installed.append(True)
        from PySide6.QtWidgets import QApplication

        on_first_paint(QApplication.instance(), seen, report)

    sys.meta_path.insert(0, WatchShow(install))
    from aude_desktop.app import main as app_main

    print(f"the app ended ({app_main(['--profile', argv[1]])}) before its first queue was painted", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
