"""One cold start, in a fresh process: `bare` shows an empty PySide6 QMainWindow, `floor` the same
after importing what any start of the app needs (SQLAlchemy's ORM, the keyring's backends), `app
PROFILE` runs `aude-desktop --profile PROFILE` itself. Either way the process prints `painted` on stdout at the
first paint that matters (the bare window; the app's first queue with rows in it) and ends there
(os._exit: what a start costs, not a shutdown), so the parent times the whole start from exec,
interpreter included.

`modules` (after the profile) prints, instead, the names in sys.modules once the queue is painted:
what the first window imported (tests/ui/test_cold_start_imports.py).
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


class WatchMainWindow(importlib.abc.MetaPathFinder):
    """Installs the probe when the app shows its main window, without importing Qt before the app
    does (PySide6 hooks every later import, so importing it first would slow the app's own)."""

    def __init__(self, on_show) -> None:
        self.on_show = on_show

    def find_spec(self, name, path, target=None):
        if name != "aude_desktop.ui.main_window":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load, on_show = spec.loader.exec_module, self.on_show

        def exec_module(module) -> None:
            load(module)
            show = module.MainWindow.show

            def shown(window) -> None:
                on_show()
                show(window)

            module.MainWindow.show = shown

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
    if argv[2:] == ["modules"]:
        def report() -> None:
            print("\n".join(sorted(sys.modules)))
    else:
        def report() -> None:
            print("painted")

    def install() -> None:
        from PySide6.QtWidgets import QApplication

        on_first_paint(QApplication.instance(), queue_with_rows, report)

    sys.meta_path.insert(0, WatchMainWindow(install))
    from aude_desktop.app import main as app_main

    print(f"the app ended ({app_main(['--profile', argv[1]])}) before its first queue was painted", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
