"""Commission sessions (new session, the avis of a session): the dossiers' own bulk dialogs; what both
queues share is in casework/views/bulk_dialogs.py."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from aude_desktop.casework.views.action_dialog import date_edit
from aude_desktop.casework.views.dialogs import dialog_buttons
from aude_desktop.dossiers import commission, detail
from aude_desktop.dossiers.models import Dossier
from aude_desktop.rules.reference import professions
from aude_desktop.ui.worker_dialog import WorkerDialog
from aude_desktop.workspace import Workspace


class NewSessionDialog(WorkerDialog):
    """A new session of the commission: profession, date, place."""

    def __init__(self, store, actor, today: date, parent=None):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Nouvelle séance de commission")
        self.setAccessibleName("Nouvelle séance de commission")
        self.profession = QComboBox()
        self.profession.setAccessibleName("Profession")
        for code, spec in sorted(professions().items(), key=lambda item: item[1].label):
            if spec.has_commission:
                self.profession.addItem(spec.label, code)
        self.day = date_edit(today)
        self.day.setAccessibleName("Date de la séance")
        self.place = QLineEdit()
        self.place.setAccessibleName("Lieu")
        form = QFormLayout()
        form.addRow("Profession", self.profession)
        form.addRow("Date de la séance", self.day)
        form.addRow("Lieu", self.place)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, "Créer la séance"))
        self.session_id: str | None = None

    def prepare(self):
        d = self.day.date()
        payload = {"profession": self.profession.currentData(), "region": self.actor.region,
                   "session_on": date(d.year(), d.month(), d.day()).isoformat(), "place": self.place.text().strip() or None}
        workspace, actor = Workspace(self.store), self.actor
        return lambda: workspace.run(actor, "commission.create", {"payload": payload})

    def applied(self, session_id) -> None:
        self.session_id = session_id


class SessionAvisDialog(QDialog):
    """The avis of every dossier on a session's agenda, entered in one table."""

    def __init__(self, store, session_id: str, today: date, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Avis de la séance")
        self.setAccessibleName("Avis de la séance")
        self.resize(820, 480)
        with store.session() as s:
            ids = commission.agenda(s, session_id)
            rows = [(i, s.get(Dossier, i)) for i in ids]
            self.pending = [(i, d.reference) for i, d in rows if d.state == "en_commission"]
        self.table = QTableWidget(len(self.pending), 3)
        self.table.setAccessibleName("Avis par dossier")
        self.table.setHorizontalHeaderLabels(("Dossier", "Avis", "Motifs"))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.kinds: list[QComboBox] = []
        for row, (_i, reference) in enumerate(self.pending):
            item = QTableWidgetItem(reference)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, item)
            box = QComboBox()
            box.setAccessibleName(f"Avis pour {reference}")
            for key, label in detail.AVIS_LABELS.items():
                box.addItem(label, key)
            self.table.setCellWidget(row, 1, box)
            self.table.setItem(row, 2, QTableWidgetItem(""))
            self.kinds.append(box)
        self.table.resizeColumnsToContents()
        self.day = date_edit(today)
        self.day.setAccessibleName("Date de la séance")
        form = QFormLayout()
        form.addRow("Date des avis", self.day)
        note = QLabel(f"{len(self.pending)} dossier(s) inscrit(s) attendent un avis." if self.pending
                      else "Aucun dossier de cette séance n’attend d’avis.")
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(dialog_buttons(self, "Enregistrer les avis"))

    def avis(self) -> dict[str, tuple[str, str]]:
        return {i: (self.kinds[row].currentData(), (self.table.item(row, 2).text() if self.table.item(row, 2) else "").strip())
                for row, (i, _ref) in enumerate(self.pending)}

    def date(self) -> date:
        d = self.day.date()
        return date(d.year(), d.month(), d.day())

