"""The Conventions space: the authority's queue and a convention opened from it."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox, QStackedWidget

from aude_desktop.casework.views.bulk_dialogs import ChoiceDialog, menu_button, run_on_selection
from aude_desktop.casework.views.queue_view import FilterBox, FilteredQueueView
from aude_desktop.conventions import bulk, queue
from aude_desktop.conventions.states import REGIME_LABELS, STATE_LABELS
from aude_desktop.conventions.views.convention_view import ConventionView
from aude_desktop.workspace import Workspace


class ConventionQueueView(FilteredQueueView):
    noun = "convention(s)"

    def __init__(self, store, today: date | None = None, parent=None):
        super().__init__(
            store, today, source=queue, saved=queue.saved_queues(),
            boxes=(
                FilterBox("state_box", "Filtrer par état", "Tous les états", tuple((label, s.value) for s, label in STATE_LABELS.items())),
                FilterBox("regime_box", "Filtrer par régime", "Tous les régimes", tuple((label, r.value) for r, label in REGIME_LABELS.items())),
                FilterBox("deadline_box", "Filtrer par échéance", "Toutes les échéances",
                          tuple((label, key) for key, label in queue.DEADLINE_FILTERS.items() if key)),
            ),
            heading="Conventions d’avantages", placeholder="Rechercher : entreprise, bénéficiaire, RPPS, numéro… (Ctrl+F)",
            name="page_conventions", accessible="File des conventions", table_name="Conventions",
            widths=(140, 190, 200, 150, 88, 88), default_filter=queue.ConventionFilter(),
            sort_aliases={"deadline": "next_due_on"}, parent=parent,
        )

    def make_filter(self, text: str, values: dict[str, str], saved: queue.ConventionFilter) -> queue.ConventionFilter:
        return queue.ConventionFilter(text=text, states=(values["state_box"],) if values["state_box"] else saved.states,
                                      regime=values["regime_box"], deadline=values["deadline_box"],
                                      urgent=saved.urgent, unseen=saved.unseen, authority=saved.authority)

    def box_values(self, f: queue.ConventionFilter) -> dict[str, str]:
        return {"state_box": f.states[0] if len(f.states) == 1 else "", "regime_box": f.regime, "deadline_box": f.deadline}


class ConventionsSpace(QStackedWidget):
    changed = Signal()

    def __init__(self, store, actor, today: date | None = None, settings=None, parent=None):
        super().__init__(parent)
        self.setObjectName("page_conventions")
        self.setAccessibleName("Conventions")
        self.store = store
        self.queue = ConventionQueueView(store, today)
        self.settings = settings
        self.convention = ConventionView(store, actor, today, settings)
        self.addWidget(self.queue)
        self.addWidget(self.convention)
        self.queue.opened.connect(self.open_convention)
        self.convention.back.connect(self.show_queue)
        self.convention.changed.connect(lambda _id: self.changed.emit())
        self.actor = actor
        self.today = today or date.today()
        self.last_report = None  # the latest bulk action's per-item report
        self.bulk_button = menu_button("Actions sur la sélection", "bulkButton", (
            ("Accuser réception des demandes d’autorisation…", lambda: self._bulk_dated("Accusés de réception", bulk.acknowledge)),
            ("Enregistrer les déclarations…", lambda: self._bulk_dated("Enregistrement des déclarations", bulk.register)),
            ("Émettre les mêmes recommandations…", self.bulk_recommend),
            ("Émettre un courrier pour chacune…", self.bulk_letters),
        ))
        self.queue.actions_bar.addWidget(self.bulk_button)
        self.refresh_permissions()

    def refresh_permissions(self) -> None:
        actor = self.actor()
        self.bulk_button.setVisible(actor is not None and actor.role in ("ordre", "ars"))

    def _selection(self) -> list[str] | None:
        ids = self.queue.selected_ids()
        if not ids:
            QMessageBox.information(self, "Aucune sélection", "Sélectionnez d’abord des conventions dans la file (Maj ou Ctrl + clic).")
            return None
        return ids

    def _bulk_dated(self, title: str, action) -> None:
        ids, actor = self._selection(), self.actor()
        if not ids or actor is None:
            return
        dialog = ChoiceDialog(title, "", None, self.today, with_date=True, parent=self)
        if dialog.exec():
            store, on = self.store, dialog.date()
            self._run(title, lambda p: action(store, actor, ids, on, on_progress=p))

    def bulk_recommend(self) -> None:
        ids, actor = self._selection(), self.actor()
        if not ids or actor is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Recommandations", "Recommandations adressées à chaque entreprise :")
        if ok and text.strip():
            store, today, text = self.store, self.today, text.strip()
            self._run("Recommandations", lambda p: bulk.recommend(store, actor, ids, today, text, on_progress=p))

    def bulk_letters(self) -> None:
        from aude_desktop.letters.templates import templates
        from aude_desktop.settings import Settings

        ids, actor = self._selection(), self.actor()
        if not ids or actor is None:
            return
        dialog = ChoiceDialog("Courriers pour la sélection", "Courrier", [(k, t.title) for k, t in templates("eps").items()],
                              self.today, parent=self)
        if dialog.exec():
            settings, kind, today, workspace = (self.settings or Settings)(), dialog.value(), self.today, Workspace(self.store)
            self._run("Courriers", lambda p: workspace.issue_letters(actor, settings, "eps", kind, ids, today, on_progress=p))

    def _run(self, title: str, work):
        return run_on_selection(self, title, work)

    def open_convention(self, convention_id: str) -> None:
        if not self.convention.show_convention(convention_id):
            return
        self.queue.mark_seen([convention_id])
        self.setCurrentWidget(self.convention)
        self.convention.tabs.setFocus()

    def show_queue(self) -> None:
        self.queue.refresh()
        self.setCurrentWidget(self.queue)
        self.queue.table.setFocus()

    def refresh(self) -> None:
        self.refresh_permissions()
        if self.currentWidget() is self.convention:
            self.convention.reload()
        else:
            self.queue.refresh()
