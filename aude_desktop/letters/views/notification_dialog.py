"""Entering the notification date of a decision letter: the day on the notice of receipt of the
registered letter, or the day of reading of an electronic notification. Keyboard first: the date
field has the focus, Entrée records (on the serial worker), Échap cancels; a refusal is shown inline,
nothing is lost."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout

from aude_desktop.casework.views.action_dialog import date_edit
from aude_desktop.casework.views.dialogs import dialog_buttons, form_row
from aude_desktop.letters import register
from aude_desktop.letters.notification import MODES
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.ui.worker_dialog import WorkerDialog
from aude_desktop.workspace import Workspace


class NotificationDialog(WorkerDialog):
    def __init__(self, store, actor, line: register.LetterLine, today: date, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.line = store, actor, line
        self.setWindowTitle("Date de notification")
        self.setAccessibleName(f"Date de notification du courrier {line.reference}")
        intro = QLabel(f"{line.title} — {line.reference}, émis le {format_date_fr(line.issued_on)}.\n"
                       "Les délais qui courent « à compter de la notification » (choix de la mesure, épreuve, "
                       "convention modifiée, recours) seront calculés à partir de cette date.")
        intro.setWordWrap(True)
        form = QFormLayout()
        self.day = form_row(form, "&Date de notification", date_edit(today), "Date de notification")
        self.day.setMinimumDate(QDate(line.issued_on.year, line.issued_on.month, line.issued_on.day))
        self.day.setMaximumDate(QDate(today.year, today.month, today.day))
        self.mode = form_row(form, "&Mode", QComboBox(), "Mode de notification")
        for code, label in MODES.items():
            self.mode.addItem(label[:1].upper() + label[1:], code)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Enregistrer la notification"))
        self.day.setFocus()

    def chosen_day(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

    def prepare(self):
        workspace, actor, letter_id = Workspace(self.store), self.actor, self.line.letter_id
        day, mode = self.chosen_day(), self.mode.currentData()
        return lambda: workspace.notify_letter(actor, letter_id, day, mode)
