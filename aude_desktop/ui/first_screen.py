"""The first screen: the window as it was when it last closed — its navigation and the first page
of its queue — painted before the rest of the application is loaded, then replaced by the main
window as soon as the store is open (app.py).

The rows come from the encrypted database (store/first_page.py: kept as the window closed, deleted
by any later opening of the store, so never older than the data) and go through the window's own
table model and queue view; their deadlines are recomputed for today. Imports Qt, the shared queue
view and nothing of SQLAlchemy: that is the point (bench/bench_cold_start.py).
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from PySide6.QtWidgets import QMainWindow, QPushButton

from aude_desktop.casework.first_page import FrozenSource
from aude_desktop.casework.views.queue_view import FilterBox, FilteredQueueView

OPENING = "Ouverture de la base locale…"


class FrozenQueueView(FilteredQueueView):
    """The queue view over a kept page: its filters wait for the live window."""

    def __init__(self, payload: dict, today: date, parent=None) -> None:
        look = payload["look"]
        self.noun = look["noun"]
        super().__init__(
            None, today, source=FrozenSource(payload, today), saved=[SimpleNamespace(name=look["saved"])],
            boxes=tuple(FilterBox(f"box_{n}", label, label, ()) for n, label in enumerate(look["boxes"])),
            heading=look["heading"], placeholder=look["placeholder"], name="first_page",
            accessible="File des dossiers (ouverture en cours)", table_name="Dossiers", widths=tuple(look["widths"]),
            default_filter=None, sort_aliases={}, parent=parent)
        for text in look.get("actions", ()):  # the space's own buttons, where the window has them
            self.actions_bar.addWidget(QPushButton(text))
        for widget in (self.saved_box, self.search, *self.boxes.values(), *self._space_buttons(),
                       self.export_button, self.seen_button):
            widget.setEnabled(False)  # what is typed here would be lost when the live window comes

    def make_filter(self, text, values, saved):
        return None


class FirstScreen(QMainWindow):
    def __init__(self, payload: dict, title: str, today: date | None = None) -> None:
        super().__init__()
        from aude_desktop.ui.navigation import MENUS, beside_navigation, navigation_list

        self.setWindowTitle(title)
        self.resize(1280, 800)
        self.navigation = navigation_list()
        self.queue = FrozenQueueView(payload, today or date.today())
        self.setCentralWidget(beside_navigation(self.navigation, self.queue))
        self.navigation.setCurrentRow(0)
        for title in MENUS:
            self.menuBar().addMenu(title).setEnabled(False)
        self.statusBar().showMessage(OPENING)
