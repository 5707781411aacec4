"""The agent's queue of dossiers: filters, accent-insensitive search and sorting done in SQL.

Qt-free: the table model asks for counts and pages of light rows (plain tuples), never ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.orm import Session

from aude_desktop.casework import queues
from aude_desktop.dossiers import lps
from aude_desktop.dossiers.intake_rules import reference_label  # noqa: F401 — the queue view shows « (provisoire) »
from aude_desktop.dossiers.models import Applicant, Dossier, DossierLists
from aude_desktop.dossiers.states import DECISION_CLOCK_RUNS, STATE_LABELS, DossierState
from aude_desktop.rules.nos import nos_text
from aude_desktop.rules.reference import professions
from aude_desktop.rules.soon import SOON_DAYS, deadline_text

DEADLINE_FILTERS = {
    "": "Toutes les échéances",
    "overdue": "Échéance dépassée",
    "soon": "Échéance sous 15 jours",
    "later": "Échéance plus lointaine",
    "notification": "Notification à saisir",
}
SORTS = {
    "next_due_on": Dossier.next_due_on,
    "reference": Dossier.reference,
    "received_on": Dossier.received_on,
    "name": Applicant.last_name,
    "state": Dossier.state,
}
COLUMNS = ("reference", "name", "profession", "state", "received_on", "next_due_on", "deadline")
HEADERS = ("Référence", "Demandeur", "Profession", "État", "Reçu le", "Échéance", "Délai")
# Exports add the profession's ANS code (registration bodies name professions by it).
EXPORT_COLUMNS = (*COLUMNS, "nos")
EXPORT_HEADERS = (*HEADERS, "Code NOS (ANS)")


@dataclass(frozen=True)
class QueueFilter:
    text: str = ""
    states: tuple[str, ...] = ()
    profession: str = ""
    deadline: str = ""
    assigned_to: str = ""
    unseen: bool = False  # only what changed since the user last opened it
    session_id: str = ""  # the agenda of one commission session
    region: str = ""  # supervision drill-down (an agent's copy holds one region anyway)
    route: str = ""  # "lps": the libre prestation de services declarations only (their own states)


@dataclass(frozen=True)
class QueueRow:
    id: str
    reference: str
    name: str
    profession: str
    state: str
    received_on: date
    next_due_on: date | None
    deadline: str  # text, never colour alone: « dépassée de 3 j », « dans 12 j »
    deadline_status: str  # overdue | soon | later | none
    unseen: bool = False  # changed by someone else since this user last opened it
    profession_code: str = ""
    # What `deadline` was computed from, besides the dates: the first screen recomputes it for its day.
    arises: bool = False
    to_notify: bool = False

    @property
    def nos(self) -> str:
        profession = professions().get(self.profession_code)
        return nos_text(profession.nos) if profession else ""


@dataclass(frozen=True)
class SavedQueue:
    name: str
    filter: QueueFilter
    sort: str = "next_due_on"


def saved_queues(login: str) -> list[SavedQueue]:
    """The queues every agent starts with (per-user saved queues come with the queue settings)."""
    return [
        SavedQueue("Tous les dossiers", QueueFilter()),
        SavedQueue("Mes dossiers", QueueFilter(assigned_to=login)),
        SavedQueue("Échéance sous 15 jours", QueueFilter(deadline="soon")),
        SavedQueue("Échéance dépassée", QueueFilter(deadline="overdue")),
        SavedQueue("En attente de pièces", QueueFilter(states=(DossierState.INCOMPLET.value,))),
        SavedQueue("À présenter en commission", QueueFilter(states=(DossierState.COMPLET.value,))),
        SavedQueue("Notification à saisir", QueueFilter(deadline="notification")),
        SavedQueue("Nouveautés depuis ma dernière consultation", QueueFilter(unseen=True)),
        SavedQueue("Déclarations LPS", QueueFilter(route=lps.ROUTE)),
    ]


def _filtered(query: Select, f: QueueFilter, today: date, walk_order_index: bool = False) -> Select:
    conditions = []
    if f.states:
        conditions.append(Dossier.state.in_(f.states))
    if f.profession:
        conditions.append(Dossier.profession == f.profession)
    if f.assigned_to:
        conditions.append(Dossier.assigned_to == f.assigned_to)
    if f.region:
        conditions.append(Dossier.region == f.region)
    if f.route == lps.ROUTE:  # by state, so the state index serves it
        conditions.append(Dossier.state.in_(lps.LPS_STATES))
    soon = today + timedelta(days=SOON_DAYS)
    if f.deadline == "overdue":
        conditions.append(Dossier.next_due_on < today)
    elif f.deadline == "soon":
        conditions.append(and_(Dossier.next_due_on >= today, Dossier.next_due_on <= soon))
    elif f.deadline == "later":
        conditions.append(Dossier.next_due_on > soon)
    elif f.deadline == "notification":
        conditions.append(awaiting_notification())
    if f.unseen:
        conditions.append(queues.unseen(Dossier))
    if f.session_id:
        conditions.append(func.json_extract(Dossier.extra, "$.commission.session_id") == f.session_id)
    found = queues.search_condition(Dossier, f.text, walk_order_index)
    if found is not None:
        conditions.append(found)
    return query.where(*conditions) if conditions else query


def awaiting_notification():
    events = select(DossierLists.clock_events).where(DossierLists.dossier_id == Dossier.id).scalar_subquery()
    return queues.awaiting_notification(Dossier, "dossier_id", events, DossierState.CLOS.value)


def count(session: Session, f: QueueFilter, today: date) -> int:
    # No join: every filter is on the dossier itself (names are searched through the FTS index).
    return session.scalar(_filtered(select(func.count()).select_from(Dossier), f, today)) or 0


def page(session: Session, f: QueueFilter, today: date, sort: str = "next_due_on", descending: bool = False,
         offset: int = 0, limit: int = 200, total: int | None = None) -> list[QueueRow]:
    """One page of the queue; `total` (the count the caller already has) picks the faster plan."""
    key = SORTS.get(sort, Dossier.next_due_on)
    order = key.desc() if descending else key.asc()
    query = (
        select(Dossier.id, Dossier.reference, Applicant.last_name, Applicant.first_names, Dossier.profession,
               Dossier.state, Dossier.received_on, Dossier.next_due_on,
               queues.unseen(Dossier).label("unseen"))
        .join(Applicant, Applicant.dossier_id == Dossier.id)
    )
    walk = sort == "next_due_on" and not descending and total is not None and total > queues.WALK_INDEX_ABOVE
    # By date, dossiers without a legal date go last whatever the direction; ties are stable by reference.
    undated_last = [text("(dossiers.next_due_on IS NULL)")] if sort == "next_due_on" else []
    query = _filtered(query, f, today, walk).order_by(*undated_last, order, Dossier.reference)
    rows = session.execute(query.offset(offset).limit(limit)).all()
    # For the page only: as a column, SQLite would evaluate it for every row before a sort.
    to_notify = queues.among(session, Dossier, [r.id for r in rows], awaiting_notification())
    labels = professions()
    out = []
    for r in rows:
        # Where the decision clock runs, a past date is the implicit decision that arose.
        arises = r.state in DECISION_CLOCK_RUNS + lps.LPS_SILENCE_RUNS
        deadline, status = deadline_text(r.next_due_on, today, arises=arises, to_notify=r.id in to_notify)
        out.append(QueueRow(
            r.id, r.reference, f"{(r.last_name or '').upper()} {r.first_names or ''}".strip(),
            labels[r.profession].label if r.profession in labels else r.profession,
            STATE_LABELS.get(DossierState(r.state), r.state) if r.state in DossierState._value2member_map_
            else lps.state_label(r.state) or r.state,
            r.received_on, r.next_due_on, deadline, status, bool(r.unseen), profession_code=r.profession,
            arises=arises, to_notify=r.id in to_notify,
        ))
    return out


def mark_seen(session: Session, dossier_ids: list[str] | None = None) -> None:
    queues.mark_seen(session, "dossier", dossier_ids)
