"""What the dossier and convention queues share: the accent-insensitive search condition, the
« nouveau » marker, and the deadline in words (never colour alone)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, exists, literal_column, text
from sqlalchemy.orm import Session

from aude_desktop.store.models import UnseenChange
from aude_desktop.store.search import match_expression

SOON_DAYS = 15
# Above a page of matches, walking the default-order index until a page is found (12 ms at worst
# on 61,300 dossiers) beats fetching every match by rowid then sorting them (25 ms for 1,600).
WALK_INDEX_ABOVE = 200


def search_condition(model, user_text: str, walk_order_index: bool = False):
    """`model.search_rowid IN (FTS rowids)`: only the rowids, never the index's content columns
    (reading them cost ten times the match itself). None when nothing searchable was typed."""
    expression = match_expression(user_text)
    if not expression:
        return None
    column = literal_column(f"+{model.__tablename__}.search_rowid") if walk_order_index else model.search_rowid
    return column.in_(text("SELECT rowid FROM search_index WHERE search_index MATCH :q").bindparams(q=expression))


def unseen(model):
    return exists().where(UnseenChange.entity_id == model.id)


def mark_seen(session: Session, kind: str, ids: list[str] | None = None) -> None:
    """Opening a record (or « tout marquer comme vu ») removes its « nouveau » marker."""
    query = delete(UnseenChange).where(UnseenChange.entity_kind == kind)
    if ids is not None:
        query = query.where(UnseenChange.entity_id.in_(ids))
    session.execute(query)


def deadline_text(due: date | None, today: date, soon_days: int = SOON_DAYS, arises: bool = False) -> tuple[str, str]:
    """(« dépassée de 3 j » / « dans 12 j » / « — », overdue | soon | later | none).

    `arises`: the date is an implicit decision or a tacit authorisation, which past its date is a
    fact (« acquise il y a 3 j »), not a late task."""
    if due is None:
        return "—", "none"
    left = (due - today).days
    if left < 0:
        return (f"acquise il y a {-left} j" if arises else f"dépassée de {-left} j"), "overdue"
    return f"dans {left} j", "soon" if left <= soon_days else "later"
