"""The Dossiers space: the queue, a dossier opened from it, and the bulk actions on a selection."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QPushButton, QStackedWidget

from aude_desktop.casework.bulk import BulkReport
from aude_desktop.casework.views.bulk_dialogs import ChoiceDialog, menu_button, run_on_selection
from aude_desktop.dossiers import bulk, commission, queue
from aude_desktop.dossiers.views.bulk_dialogs import NewSessionDialog, SessionAvisDialog
from aude_desktop.dossiers.views.queue_view import QueueView
from aude_desktop.workspace import Workspace


class DossiersSpace(QStackedWidget):
    """`actor()` gives who works here (None before any sign-in on this machine)."""

    changed = Signal()  # local commands were applied: the status bar has more pending work

    def __init__(self, store, actor, login: str = "", today: date | None = None, settings=None, national=None, parent=None):
        super().__init__(parent)
        self.national = national  # () -> the signed-in session, for the national duplicate index
        self.setObjectName("page_dossiers")
        self.setAccessibleName("Dossiers")
        self.store, self.actor = store, actor
        self.today = today or date.today()
        self.queue = QueueView(store, login, self.today)
        self.settings = settings
        self._dossier = None  # the dossier view, built when a dossier is first opened (cold start)
        self.addWidget(self.queue)
        self.queue.open_dossier.connect(self.open_dossier)
        self.last_report: BulkReport | None = None
        self._build_bulk_buttons()

    def _build_bulk_buttons(self) -> None:
        self.new_button = QPushButton("Nouveau dossier…")
        self.new_button.setObjectName("newDossierButton")
        self.new_button.setAccessibleName("Nouveau dossier (Ctrl+N)")
        self.new_button.setToolTip("Enregistrer une demande reçue par courrier (Ctrl+N)")
        self.new_button.clicked.connect(self.new_dossier)
        shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.new_dossier)
        self.queue.actions_bar.addWidget(self.new_button)
        self.bulk_button = menu_button("Actions sur la sélection", "bulkButton", (
            ("Attribuer…", self.bulk_assign),
            ("Envoyer les accusés de réception…", self.bulk_acknowledge),
            ("Inscrire en commission…", self.bulk_schedule),
            ("Émettre un courrier pour chacun…", self.bulk_letters),
        ))
        self.sessions_button = menu_button("Séances de commission", "sessionsButton", (
            ("Nouvelle séance…", self.new_session),
            ("Afficher l’ordre du jour d’une séance…", self.show_agenda),
            ("Enregistrer les avis d’une séance…", self.session_avis),
        ))
        self.epreuves_button = QPushButton("Sessions d’épreuve…")
        self.epreuves_button.setObjectName("epreuvesButton")
        self.epreuves_button.setAccessibleName("Sessions de l’épreuve d’aptitude")
        self.epreuves_button.clicked.connect(self.show_epreuves)
        self.queue.actions_bar.addWidget(self.sessions_button)
        self.queue.actions_bar.addWidget(self.epreuves_button)
        self.queue.actions_bar.addWidget(self.bulk_button)
        self.refresh_permissions()

    @property
    def dossier(self):
        if self._dossier is None:
            from aude_desktop.dossiers.views.dossier_view import DossierView

            self._dossier = DossierView(self.store, self.actor, self.today, self.settings)
            self.addWidget(self._dossier)
            self._dossier.back.connect(self.show_queue)
            self._dossier.changed.connect(lambda _id: self.changed.emit())
        return self._dossier

    def refresh_permissions(self) -> None:
        # A supervisor reads: the edit actions are absent, not merely disabled.
        actor = self.actor()
        editable = actor is not None and actor.role == "agent_dreets"
        self.bulk_button.setVisible(editable)
        self.new_button.setVisible(editable)
        self.sessions_button.setVisible(editable)

    def show_epreuves(self):
        from aude_desktop.dossiers.views.epreuve_dialogs import EpreuveSessionsDialog

        dialog = EpreuveSessionsDialog(self.store, self.actor(), self.today, self)
        dialog.finished.connect(lambda _r: (self.queue.refresh(), self.changed.emit()))
        dialog.open()
        return dialog

    # -- navigation -----------------------------------------------------------------------------

    def open_dossier(self, dossier_id: str) -> None:
        """Once the annotation typed on the dossier shown is saved (never lose it), `dossier_id` opens."""
        self.dossier.leave(lambda: self._open(dossier_id))

    def _open(self, dossier_id: str) -> None:
        if not self.dossier.show_dossier(dossier_id):
            return
        self.queue.mark_seen([dossier_id])
        self.setCurrentWidget(self.dossier)
        self.dossier.tabs.setFocus()

    def show_queue(self) -> None:
        """Once the annotation is saved; refused, the view stays with the text and the reason under it."""
        if self._dossier is not None:
            self._dossier.leave(self._show_queue)
        else:
            self._show_queue()

    def _show_queue(self) -> None:
        self.queue.refresh()
        self.setCurrentWidget(self.queue)
        self.queue.table.setFocus()

    def refresh(self) -> None:
        self.refresh_permissions()
        if self._dossier is not None and self.currentWidget() is self._dossier:
            self._dossier.reload()
        else:
            self.queue.refresh()

    def new_dossier(self) -> str | None:
        """The Nouveau dossier window; the new dossier opens once saved (its AR due date already in the queue)."""
        from aude_desktop.dossiers.views.new_dossier import NewDossierDialog

        actor = self.actor()
        if actor is None or actor.role != "agent_dreets":
            return None
        dialog = NewDossierDialog(self.store, actor, self.today, self.national, self)
        dialog.open_existing.connect(self.open_dossier)
        if not dialog.exec():
            return None
        self.changed.emit()
        self.queue.refresh()
        self.open_dossier(dialog.dossier_id)
        return dialog.dossier_id

    # -- bulk -----------------------------------------------------------------------------------

    def _selection(self) -> list[str] | None:
        ids = self.queue.selected_ids()
        if not ids:
            QMessageBox.information(self, "Aucune sélection", "Sélectionnez d’abord des dossiers dans la file (Maj ou Ctrl + clic).")
            return None
        return ids

    def _run(self, title: str, work):
        return run_on_selection(self, title, work)

    def bulk_assign(self) -> None:
        ids = self._selection()
        actor = self.actor()
        if not ids or actor is None:
            return
        dialog = ChoiceDialog("Attribuer les dossiers", "Agent", [(actor.login, f"Moi-même ({actor.login})"), ("", "Personne")],
                              self.today, editable=True, parent=self)
        if dialog.exec():
            store, agent = self.store, dialog.value()
            self._run("Attribution", lambda p: bulk.assign(store, actor, ids, agent, on_progress=p))

    def bulk_acknowledge(self) -> None:
        ids = self._selection()
        actor = self.actor()
        if not ids or actor is None:
            return
        dialog = ChoiceDialog("Accusés de réception", "", None, self.today, with_date=True, parent=self)
        if dialog.exec():
            store, on = self.store, dialog.date()
            self._run("Accusés de réception", lambda p: bulk.acknowledge(store, actor, ids, on, on_progress=p))

    def _session_choice(self, title: str) -> str | None:
        with self.store.session() as s:
            choices = commission.upcoming_choices(s, None, self.today)
        if not choices:
            QMessageBox.information(self, title, "Aucune séance à venir : créez d’abord une séance (Séances de commission › Nouvelle séance).")
            return None
        dialog = ChoiceDialog(title, "Séance", choices, self.today, parent=self)
        return dialog.value() if dialog.exec() else None

    def bulk_letters(self) -> None:
        """E.g. all the acknowledgements of the day: one registered letter per dossier, a report."""
        from aude_desktop.letters.templates import templates
        from aude_desktop.settings import Settings

        ids = self._selection()
        actor = self.actor()
        if not ids or actor is None:
            return
        choices = [(kind, t.title) for kind, t in templates("aude").items()]
        dialog = ChoiceDialog("Courriers pour la sélection", "Courrier", choices, self.today, parent=self)
        if dialog.exec():
            settings, kind, today, workspace = (self.settings or Settings)(), dialog.value(), self.today, Workspace(self.store)
            self._run("Courriers", lambda p: workspace.issue_letters(actor, settings, "aude", kind, ids, today, on_progress=p))

    def bulk_schedule(self) -> None:
        ids = self._selection()
        actor = self.actor()
        if not ids or actor is None:
            return
        session_id = self._session_choice("Inscrire en commission")
        if session_id:
            store = self.store
            self._run("Inscription en commission", lambda p: bulk.schedule(store, actor, ids, session_id, on_progress=p))

    def new_session(self) -> None:
        actor = self.actor()
        if actor is not None:
            NewSessionDialog(self.store, actor, self.today, self).exec()

    def show_agenda(self) -> None:
        session_id = self._session_choice("Ordre du jour")
        if session_id:
            saved = queue.SavedQueue("Ordre du jour de la séance", queue.QueueFilter(session_id=session_id))
            self.queue.show_saved(saved)

    def session_avis(self) -> None:
        actor = self.actor()
        session_id = self._session_choice("Avis de la séance") if actor else None
        if not session_id:
            return
        dialog = SessionAvisDialog(self.store, session_id, self.today, self)
        if dialog.exec() and dialog.pending:
            store, avis, on = self.store, dialog.avis(), dialog.date()
            self._run("Avis de la séance", lambda p: bulk.record_session_avis(store, actor, avis, on, on_progress=p))
