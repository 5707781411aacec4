"""What the dossier view and the convention view share: the header (back, title, summary, legal
clock), the buttons of the steps the record allows, the step dialogs and running their command."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTabWidget, QVBoxLayout, QWidget

from aude_desktop.dossiers.views.action_dialog import ActionDialog
from aude_desktop.sync.commands import CommandRejected
from aude_desktop.sync.local import run_command
from aude_desktop.ui.widgets import selectable_label


class RecordView(QWidget):
    """`actor()` returns who acts (None when nobody ever signed in here: steps then say so).
    Subclasses set `forms` (command → Form), `editors` (roles that may act) and fill `tabs`."""

    back = Signal()
    changed = Signal(str)  # a command was applied to this record

    forms: dict = {}
    editors: tuple[str, ...] = ()
    noun = "dossiers"

    def __init__(self, store, actor, today: date | None, *, name: str, accessible: str, back_to: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(accessible)
        self.store, self.actor = store, actor
        self.today = today or date.today()
        self.detail = None
        self.back_button = QPushButton("← Retour à la file")
        self.back_button.setAccessibleName(back_to)
        self.back_button.setToolTip("Retour à la file (Échap)")
        self.back_button.clicked.connect(self.back.emit)
        self.title = selectable_label(name=f"{name}Title")
        self.summary = selectable_label(name=f"{name}Summary")
        self.clock_label = selectable_label(name="clockLabel")
        self.clock_label.setAccessibleName("Prochaine échéance légale")
        self.clock_label.setContentsMargins(8, 6, 8, 6)
        self.actions_row = QHBoxLayout()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(f"Volets : {accessible.lower()}")
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.back.emit)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        self.header = QVBoxLayout(self)
        self.header.setContentsMargins(16, 12, 16, 12)
        self.header.addLayout(top)
        self.header.addWidget(self.summary)
        self.header.addWidget(self.clock_label)

    def finish_layout(self, *extra: QWidget) -> None:
        """Widgets between the clock and the step buttons (the regime explanation…), then the tabs."""
        for widget in extra:
            self.header.addWidget(widget)
        self.header.addLayout(self.actions_row)
        self.header.addWidget(self.tabs, 1)

    def render_actions(self, available: list[str], read_only: bool = False) -> None:
        while self.actions_row.count():
            item = self.actions_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        actor = self.actor()
        if actor is None or actor.role not in self.editors or read_only:
            return  # read-only profiles get no step at all (the server would refuse them anyway)
        for name in available:
            if name in self.forms:
                title = self.forms[name].title
                button = QPushButton(title + "…")
                button.setObjectName(f"action_{name}")
                button.setAccessibleName(title)
                button.clicked.connect(lambda _=False, n=name: self.open_action(n))
                self.actions_row.addWidget(button)
        self.actions_row.addStretch(1)

    def action_options(self, name: str) -> dict:
        """Defaults and choices of a step's dialog (`defaults`, `sessions`)."""
        return {}

    def prepare_args(self, name: str, args: dict) -> dict:
        return args

    def open_action(self, name: str) -> ActionDialog:
        dialog = ActionDialog(self.forms[name], lambda args: self.run(name, args), today=self.today, parent=self,
                              **self.action_options(name))
        dialog.accepted.connect(self.reload)
        dialog.open()
        return dialog

    def run(self, name: str, args: dict) -> str:
        actor = self.actor()
        if actor is None:
            raise CommandRejected("non_connecte", f"Connectez-vous une première fois sur ce poste pour instruire des {self.noun}.")
        result = run_command(self.store, actor, name, self.prepare_args(name, dict(args, id=self.detail.id)))
        self.changed.emit(self.detail.id)
        return result

    def reload(self) -> None:
        raise NotImplementedError
