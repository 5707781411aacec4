"""Épreuve d'aptitude sessions: the list of the region's sessions, a new session, and convening
the applicants who chose the épreuve. DGOS and other read-only profiles see the list only."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
)

from aude_desktop.casework.views.action_dialog import date_edit
from aude_desktop.casework.views.dialogs import dialog_buttons, form_row
from aude_desktop.domain.commands import CommandRejected
from aude_desktop.dossiers import epreuves
from aude_desktop.rules.calendar import format_date_fr
from aude_desktop.rules.reference import professions
from aude_desktop.ui.serial_worker import french_message, serial_worker
from aude_desktop.ui.widgets import fill_table, readonly_table
from aude_desktop.ui.worker_dialog import WorkerDialog
from aude_desktop.workspace import Workspace

HEADERS = ("Date et heure", "Lieu", "Places", "Convoqués", "État")


class EpreuveSessionsDialog(QDialog):
    def __init__(self, store, actor, today: date, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.today = store, actor, today
        self.setWindowTitle("Sessions de l’épreuve d’aptitude")
        self.setAccessibleName("Sessions de l’épreuve d’aptitude")
        self.resize(820, 420)
        self.table = readonly_table(HEADERS, "Sessions de l’épreuve d’aptitude")
        self.new_button = QPushButton("&Nouvelle session…")
        self.new_button.setAccessibleName("Créer une session d’épreuve")
        self.new_button.clicked.connect(self.new_session)
        self.convoke_button = QPushButton("&Convoquer des demandeurs…")
        self.convoke_button.setAccessibleName("Convoquer des demandeurs à la session sélectionnée")
        self.convoke_button.clicked.connect(lambda: self.convoke(self.table.currentRow()))
        self.cancel_button = QPushButton("&Annuler la session…")
        self.cancel_button.setAccessibleName("Annuler la session sélectionnée")
        self.cancel_button.clicked.connect(lambda: self.cancel_session(self.table.currentRow()))
        close = QPushButton("&Fermer")
        close.setAccessibleName("Fermer la liste des sessions")
        close.clicked.connect(self.accept)
        editable = actor is not None and actor.role == "agent_dreets"
        note = QLabel("Les sessions de votre région ; les demandeurs convoqués reçoivent la « Convocation à l’épreuve », "
                      "à émettre depuis leur dossier." if editable else "Consultation seulement : les sessions sont créées par les DREETS.")
        note.setWordWrap(True)
        row = QHBoxLayout()
        for button in (self.new_button, self.convoke_button, self.cancel_button):
            button.setVisible(editable)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.refresh()
        self.table.setFocus()

    def refresh(self) -> None:
        region = self.actor.region if self.actor is not None and self.actor.role == "agent_dreets" else None
        with self.store.session() as s:
            self.lines = epreuves.sessions(s, region)
        fill_table(self.table, [(x.label, x.address, str(x.capacity), str(x.convened), "annulée" if x.cancelled else "ouverte")
                                for x in self.lines] or [("Aucune session d’épreuve.", "", "", "", "")])
        if self.lines:
            self.table.selectRow(0)

    def _selected(self, row: int) -> epreuves.SessionLine | None:
        if not 0 <= row < len(self.lines):
            QMessageBox.information(self, "Session", "Sélectionnez d’abord une session dans la liste.")
            return None
        return self.lines[row]

    def new_session(self):
        dialog = NewEpreuveSessionDialog(self.store, self.actor, self.today, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def convoke(self, row: int):
        line = self._selected(row)
        if line is None:
            return None
        dialog = ConvokeDialog(self.store, self.actor, line, self)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        return dialog

    def cancel_session(self, row: int) -> bool:
        """Asked, then cancelled on the serial worker; the table follows once it is done."""
        line = self._selected(row)
        if line is None:
            return False
        answer = QMessageBox.question(self, "Annuler la session", f"Annuler la session du {line.label} ? "
                                      f"{line.convened} demandeur(s) convoqué(s) devront être prévenus et convoqués à une autre session.")
        if answer != QMessageBox.StandardButton.Yes:
            return False
        workspace, actor = Workspace(self.store), self.actor
        serial_worker().submit(lambda _progress: workspace.run(actor, "epreuve.cancel", {"id": line.id}),
                               done=lambda _id: self.refresh(), owner=self,
                               failed=lambda exc: QMessageBox.warning(self, "Annuler la session", french_message(exc)))
        return True


class NewEpreuveSessionDialog(WorkerDialog):
    """Date, hour, place, capacity and what to bring: what the convocation prints."""

    def __init__(self, store, actor, today: date, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Nouvelle session d’épreuve")
        self.setAccessibleName("Nouvelle session d’épreuve")
        form = QFormLayout()
        self.profession = form_row(form, "&Profession", QComboBox(), "Profession")
        for code, spec in sorted(professions().items(), key=lambda item: item[1].label):
            self.profession.addItem(spec.label, code)
        first = QDate(today.year, today.month, today.day).addMonths(2)
        self.day = form_row(form, "&Date de l’épreuve", date_edit(today), "Date de l’épreuve")
        self.day.setDate(first)
        self.day.setMinimumDate(QDate(today.year, today.month, today.day))
        self.time = form_row(form, "&Heure", QTimeEdit(QTime(9, 0)), "Heure de convocation")
        self.time.setDisplayFormat("HH:mm")
        self.address = form_row(form, "&Lieu (adresse)", QLineEdit(), "Adresse du lieu de l’épreuve")
        self.capacity = form_row(form, "&Nombre de places", QSpinBox(), "Nombre de places")
        self.capacity.setRange(1, epreuves.MAX_CAPACITY)
        self.capacity.setValue(20)
        self.bring = form_row(form, "À &apporter", QPlainTextEdit(), "Pièces et matériel à apporter")
        self.bring.setTabChangesFocus(True)
        self.bring.setPlaceholderText("une pièce d’identité en cours de validité et la présente convocation")
        self.bring.setFixedHeight(70)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Créer la session"))
        self.session_id: str | None = None

    def prepare(self):
        d, t = self.day.date(), self.time.time()
        payload = {"profession": self.profession.currentData(), "region": self.actor.region,
                   "session_on": date(d.year(), d.month(), d.day()).isoformat(), "starts_at": t.toString("HH:mm"),
                   "address": self.address.text().strip(), "capacity": self.capacity.value(),
                   "bring": self.bring.toPlainText().strip() or None}
        workspace, actor = Workspace(self.store), self.actor
        return lambda: workspace.run(actor, "epreuve.create", {"payload": payload})

    def applied(self, session_id) -> None:
        self.session_id = session_id


class ConvokeDialog(WorkerDialog):
    """The applicants this session may convene (épreuve chosen or imposed), ticked with Espace."""

    def __init__(self, store, actor, line: epreuves.SessionLine, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.line = store, actor, line
        self.setWindowTitle("Convoquer à l’épreuve")
        self.setAccessibleName(f"Convoquer à la session du {format_date_fr(line.session_on)}")
        with store.session() as s:
            candidates = epreuves.candidates(s, line.id)
        free = line.capacity - line.convened
        intro = QLabel(f"Session du {line.label} — {line.address}. Places libres : {free}.\n"
                       "Seuls les demandeurs qui ont choisi l’épreuve (ou à qui elle est imposée) sont proposés ; "
                       "cochez-les avec la barre d’espace.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Demandeurs à convoquer")
        for dossier_id, label in candidates:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, dossier_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        if not candidates:
            self.list.addItem("Aucun demandeur en attente de l’épreuve pour cette profession.")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Convoquer"))
        self.convened: list[str] = []
        self.list.setFocus()
        self.list.setCurrentRow(0)

    def checked(self) -> list[str]:
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def prepare(self):
        chosen = self.checked()
        if not chosen:
            return "Cochez au moins un demandeur (barre d’espace)."
        workspace, actor, session_id = Workspace(self.store), self.actor, self.line.id

        def work() -> tuple[list[str], list[str]]:
            convened, refused = [], []
            for dossier_id in chosen:
                try:
                    workspace.run(actor, "epreuve.convoke", {"id": session_id, "dossier_id": dossier_id})
                    convened.append(dossier_id)
                except CommandRejected as exc:
                    refused.append(exc.message)
            return convened, refused

        return work

    def applied(self, result) -> str | None:
        convened, refused = result
        self.convened += convened
        # Those convened stay convened (and leave the list); the refusals are listed, the dialog stays open on them.
        for i in reversed(range(self.list.count())):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) in self.convened:
                self.list.takeItem(i)
        return " ".join(dict.fromkeys(refused)) or None
