"""The authority's queue of conventions: filters, accent-insensitive search (company, beneficiary,
RPPS, number) and SQL sort. Qt-free: light rows, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, select, text
from sqlalchemy.orm import Session

from aude_desktop.casework import queues
from aude_desktop.conventions.models import Company, Convention
from aude_desktop.conventions.states import REGIME_LABELS, STATE_LABELS, ConventionState, Regime
from aude_desktop.rules.soon import SOON_DAYS, deadline_text

DEADLINE_FILTERS = {
    "": "Toutes les échéances",
    "overdue": "Échéance dépassée",
    "tacit7": "Autorisation tacite sous 7 jours",
    "soon": "Échéance sous 15 jours",
    "later": "Échéance plus lointaine",
    "notification": "Notification à saisir",
}
SORTS = {
    "next_due_on": Convention.next_due_on,
    "reference": Convention.reference,
    "filed_on": Convention.filed_on,
    "company": Company.name,
    "state": Convention.state,
    "regime": Convention.regime,
}
COLUMNS = ("reference", "company", "regime", "state", "filed_on", "next_due_on", "deadline")
HEADERS = ("Référence", "Entreprise", "Régime", "État", "Déposée le", "Échéance", "Délai")


@dataclass(frozen=True)
class ConventionFilter:
    text: str = ""
    states: tuple[str, ...] = ()
    regime: str = ""
    urgent: bool = False
    deadline: str = ""
    unseen: bool = False
    authority: str = ""  # supervision drill-down


@dataclass(frozen=True)
class ConventionRow:
    id: str
    reference: str
    company: str
    regime: str
    state: str
    filed_on: date
    next_due_on: date | None
    deadline: str
    deadline_status: str
    unseen: bool = False
    urgent: bool = False
    imported: bool = False  # doctors' conventions imported from the CNOM (read-only)


@dataclass(frozen=True)
class SavedQueue:
    name: str
    filter: ConventionFilter
    sort: str = "next_due_on"


def saved_queues() -> list[SavedQueue]:
    open_autorisation = (ConventionState.RECUE.value, ConventionState.INCOMPLETE.value, ConventionState.EN_INSTRUCTION.value,
                         ConventionState.MODIFIEE_RECUE.value, ConventionState.URGENCE_NON_JUSTIFIEE.value)
    return [
        SavedQueue("Toutes les conventions", ConventionFilter()),
        SavedQueue("Autorisation tacite sous 7 jours", ConventionFilter(regime=Regime.AUTORISATION.value, deadline="tacit7")),
        SavedQueue("Demandes d’autorisation en cours", ConventionFilter(regime=Regime.AUTORISATION.value, states=open_autorisation)),
        SavedQueue("Déclarations à enregistrer", ConventionFilter(regime=Regime.DECLARATION.value, states=(ConventionState.RECUE.value,))),
        SavedQueue("Régime à déterminer", ConventionFilter(regime=Regime.INDETERMINE.value)),
        SavedQueue("Urgentes", ConventionFilter(urgent=True)),
        SavedQueue("Notification à saisir", ConventionFilter(deadline="notification")),
        SavedQueue("Nouveautés depuis ma dernière consultation", ConventionFilter(unseen=True)),
    ]


def _filtered(query: Select, f: ConventionFilter, today: date, walk_order_index: bool = False) -> Select:
    conditions = []
    if f.states:
        conditions.append(Convention.state.in_(f.states))
    if f.regime:
        conditions.append(Convention.regime == f.regime)
    if f.urgent:
        conditions.append(Convention.urgent.is_(True))
    if f.authority:
        conditions.append(Convention.authority == f.authority)
    if f.deadline == "overdue":
        conditions.append(Convention.next_due_on < today)
    elif f.deadline in ("tacit7", "soon"):
        days = 7 if f.deadline == "tacit7" else SOON_DAYS
        conditions.append(and_(Convention.next_due_on >= today, Convention.next_due_on <= today + timedelta(days=days)))
    elif f.deadline == "later":
        conditions.append(Convention.next_due_on > today + timedelta(days=SOON_DAYS))
    elif f.deadline == "notification":
        conditions.append(awaiting_notification())
    if f.unseen:
        conditions.append(queues.unseen(Convention))
    found = queues.search_condition(Convention, f.text, walk_order_index)
    if found is not None:
        conditions.append(found)
    return query.where(*conditions) if conditions else query


def awaiting_notification():
    return queues.awaiting_notification(Convention, "convention_id", func.json_extract(Convention.extra, "$.events"),
                                        ConventionState.CLOSE.value)


def count(session: Session, f: ConventionFilter, today: date) -> int:
    return session.scalar(_filtered(select(func.count()).select_from(Convention), f, today)) or 0


def page(session: Session, f: ConventionFilter, today: date, sort: str = "next_due_on", descending: bool = False,
         offset: int = 0, limit: int = 200, total: int | None = None) -> list[ConventionRow]:
    key = SORTS.get(sort, Convention.next_due_on)
    order = key.desc() if descending else key.asc()
    query = (
        select(Convention.id, Convention.reference, Company.name, Convention.regime, Convention.state,
               Convention.filed_on, Convention.next_due_on, Convention.urgent, Convention.source,
               queues.unseen(Convention).label("unseen"))
        .outerjoin(Company, Company.id == Convention.company_id)
    )
    walk = sort == "next_due_on" and not descending and total is not None and total > queues.WALK_INDEX_ABOVE
    # Ties by reference in the same direction, so a descending date sort reads its own index.
    tie = Convention.reference.desc() if descending and sort == "next_due_on" else Convention.reference
    undated_last = [text("(conventions.next_due_on IS NULL)")] if sort == "next_due_on" else []
    query = _filtered(query, f, today, walk).order_by(*undated_last, order, tie)
    out = []
    rows = session.execute(query.offset(offset).limit(limit)).all()
    to_notify = queues.among(session, Convention, [r.id for r in rows], awaiting_notification())  # the page only
    for r in rows:
        # The authority's only dated step is the tacit authorisation: past, it has arisen.
        deadline, status = deadline_text(r.next_due_on, today, arises=True, to_notify=r.id in to_notify)
        regime = REGIME_LABELS.get(Regime(r.regime), r.regime) if r.regime in Regime._value2member_map_ else r.regime
        state = (STATE_LABELS.get(ConventionState(r.state), r.state)
                 if r.state in ConventionState._value2member_map_ else r.state)
        out.append(ConventionRow(
            r.id, r.reference, r.name or "—", regime + (" · urgente" if r.urgent else ""),
            state + (" · import CNOM" if r.source == "cnom_import" else ""), r.filed_on, r.next_due_on,
            deadline, status, bool(r.unseen), bool(r.urgent), r.source == "cnom_import",
        ))
    return out


def mark_seen(session: Session, ids: list[str] | None = None) -> None:
    queues.mark_seen(session, "convention", ids)
