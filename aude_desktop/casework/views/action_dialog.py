"""One dialog for every workflow step of both procedures, drawn from its form (casework/forms.py).

The command runs when the agent confirms, on the serial worker (ui/serial_worker.py); a refusal
(French message from the workflow) is shown inline and the dialog stays open with everything typed,
so nothing is lost and nothing is saved half-way.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aude_desktop.casework import forms
from aude_desktop.casework.views.dialogs import dialog_buttons
from aude_desktop.domain.commands import CommandRejected
from aude_desktop.ui.worker_dialog import WorkerDialog


def date_edit(day: date) -> QDateEdit:
    editor = QDateEdit(QDate(day.year, day.month, day.day))
    editor.setCalendarPopup(True)
    editor.setDisplayFormat("dd/MM/yyyy")
    return editor


class ActionDialog(WorkerDialog):
    """`run(args)` applies the command (locally, queued for the server) or raises CommandRejected; it
    runs on the serial worker, so it touches no widget. The dialog closes once it has succeeded."""

    def __init__(self, form: forms.Form, run, *, today: date, defaults: dict | None = None,
                 sessions: list[tuple[str, str]] | None = None, parent=None):
        super().__init__(parent)
        self.form, self.run = form, run
        self.setWindowTitle(form.title)
        self.setAccessibleName(form.title)
        self.setMinimumWidth(560)
        self.widgets: dict[str, QWidget] = {}
        layout = QFormLayout()
        defaults = defaults or {}
        for f in form.fields:
            widget = self._widget(f, today, defaults.get(f.key), sessions or [])
            widget.setAccessibleName(f.label)
            if f.help:
                widget.setToolTip(f.help)
            self.widgets[f.key] = widget
            caption = QLabel(f.label + ("" if not f.required else " *"))
            caption.setBuddy(widget)
            layout.addRow(caption, widget)
            if f.templates:
                layout.addRow("", self._templates_button(widget, f.templates))
            if f.help:
                hint = QLabel(f.help)
                hint.setWordWrap(True)
                hint.setStyleSheet("color: #555;")
                layout.addRow("", hint)
        root = QVBoxLayout(self)
        root.addLayout(layout)
        root.addWidget(self.error)
        self.buttons = dialog_buttons(self, form.button)
        root.addWidget(self.buttons)
        self.result_id: str | None = None

    def _widget(self, f: forms.Field, today: date, default, sessions) -> QWidget:
        if f.kind == "date":
            return date_edit(default or today)
        if f.kind in ("multiline", "lines"):
            editor = QPlainTextEdit("\n".join(default) if isinstance(default, list) else (default or ""))
            editor.setTabChangesFocus(True)
            editor.setMaximumHeight(90)
            return editor
        if f.kind in ("choice", "session"):
            box = QComboBox()
            if not f.required:
                box.addItem("—", "")
            for key, label in (sessions if f.kind == "session" else f.choices):
                box.addItem(label, key)
            if default is not None:
                box.setCurrentIndex(max(0, box.findData(default)))
            return box
        if f.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(default))
            return box
        return QLineEdit("" if default is None else str(default))

    def _templates_button(self, editor: QPlainTextEdit, source: str) -> QPushButton:
        """Motif templates: those of the chosen decision (`by_kind`) or a fixed list of motifs.json."""
        button = QPushButton("Insérer un motif type…")
        button.setAccessibleName("Insérer un motif type")
        menu = QMenu(button)

        def fill() -> None:
            menu.clear()
            key = (self.values().get("kind") or "") if source == "by_kind" else source
            for text in forms.motif_templates().get(key, []):
                menu.addAction(text[:90] + ("…" if len(text) > 90 else ""), lambda t=text: editor.appendPlainText(t))
            if menu.isEmpty():
                menu.addAction("Aucun motif type pour cette décision").setEnabled(False)

        menu.aboutToShow.connect(fill)
        button.setMenu(menu)
        return button

    def values(self) -> dict:
        out = {}
        for key, widget in self.widgets.items():
            if isinstance(widget, QDateEdit):
                d = widget.date()
                out[key] = date(d.year(), d.month(), d.day())
            elif isinstance(widget, QPlainTextEdit):
                out[key] = widget.toPlainText()
            elif isinstance(widget, QComboBox):
                out[key] = widget.currentData()
            elif isinstance(widget, QCheckBox):
                out[key] = widget.isChecked()
            else:
                out[key] = widget.text()
        return out

    def prepare(self):
        try:
            args = forms.to_args(self.form, self.values())
        except CommandRejected as exc:
            return exc.message
        return lambda: self.run(args)

    def applied(self, result_id) -> None:
        self.result_id = result_id
