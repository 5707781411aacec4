"""The dossier queue (the shared record queue: casework/views/queue_view.py)."""

from __future__ import annotations

from datetime import date

from aude_desktop.casework.views.queue_view import FilterBox, FilteredQueueView
from aude_desktop.dossiers import queue
from aude_desktop.dossiers.lps import LPS_STATE_LABELS
from aude_desktop.dossiers.states import STATE_LABELS
from aude_desktop.rules.reference import professions

SORT_ALIASES = {"deadline": "next_due_on", "profession": "reference"}


class QueueView(FilteredQueueView):
    """The DREETS agent's queue of dossiers."""

    noun = "dossier(s)"

    def __init__(self, store, login: str = "", today: date | None = None, parent=None):
        super().__init__(
            store, today, source=queue, saved=queue.saved_queues(login),
            boxes=(
                FilterBox("state_box", "Filtrer par état", "Tous les états", tuple((label, s.value) for s, label in STATE_LABELS.items())
                          + tuple((label, s.value) for s, label in LPS_STATE_LABELS.items())),
                FilterBox("profession_box", "Filtrer par profession", "Toutes les professions",
                          tuple((spec.label, code) for code, spec in sorted(professions().items(), key=lambda item: item[1].label))),
                FilterBox("deadline_box", "Filtrer par échéance", "Toutes les échéances",
                          tuple((label, key) for key, label in queue.DEADLINE_FILTERS.items() if key)),
            ),
            heading="Autorisations d’exercice", placeholder="Rechercher : nom, référence, diplôme, pays… (Ctrl+F)",
            name="page_dossiers", accessible="File des dossiers", table_name="Dossiers", widths=(160, 175, 170, 165, 82, 90),
            default_filter=queue.QueueFilter(), sort_aliases=SORT_ALIASES, parent=parent,
        )
        self.open_dossier = self.opened

    def make_filter(self, text: str, values: dict[str, str], saved: queue.QueueFilter) -> queue.QueueFilter:
        return queue.QueueFilter(text=text, states=(values["state_box"],) if values["state_box"] else (),
                                 profession=values["profession_box"], deadline=values["deadline_box"],
                                 assigned_to=saved.assigned_to, unseen=saved.unseen, session_id=saved.session_id,
                                 region=saved.region, route=saved.route)

    def box_values(self, f: queue.QueueFilter) -> dict[str, str]:
        return {"state_box": f.states[0] if f.states else "", "profession_box": f.profession, "deadline_box": f.deadline}
