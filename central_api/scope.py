"""Who sees and who changes what, as SQL: the server is the one place that enforces it, and every
condition here is built from the one definition in aude_desktop/domain/scope.py (its table is in
docs/PROTOCOL.md) — no kind list of its own. Values are bound parameters, never pasted text.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement

from aude_desktop.domain import scope
from aude_desktop.domain.scope import OWNER, Clause, Reader
from central_api.db import Record, ScopeExit


def _equal(column, value) -> ColumnElement[bool]:
    return column.in_(value) if isinstance(value, tuple) else column == value


def _sql(table, found: tuple[Clause, ...]) -> ColumnElement[bool]:
    parts = [and_(table.kind.not_in(c.kinds) if c.negate else table.kind.in_(c.kinds),
                  *(_equal(getattr(table, column), value) for column, value in c.equal)) for c in found]
    return or_(*parts) if parts else false()


def visible(actor: Reader) -> ColumnElement[bool]:
    """SQL condition on `records` for what `actor` may receive."""
    return _sql(Record, scope.clauses(actor))


def exits_visible(actor: Reader) -> ColumnElement[bool] | None:
    """SQL condition on `scope_exits`: the tombstones of records that left the actor's scope (None:
    nothing ever leaves it — DGOS sees every region and authority). Private records leave no
    tombstone there (it would name them to the whole region): the client drops them with their parent."""
    found = tuple(c for c in scope.clauses(actor) if c.equal and all(column != OWNER for column, _v in c.equal))
    return _sql(ScopeExit, found) if found else None


def company_visible(sirens: list[str]) -> ColumnElement[bool]:
    """SQL condition on `records` for what a company's API key reads (its SIREN and its mandants')."""
    return _sql(Record, scope.company_clauses(sirens))


def may_see(actor: Reader, kind: str, region: str | None, authority: str | None, owner: str | None) -> bool:
    """The same rule as `visible`, for one record in Python (mutations, attachments)."""
    return scope.sees(actor, kind, {"region": region, "authority": authority, "owner": owner})


def may_write_kind(actor: Reader, kind: str) -> bool:
    return scope.may_write(actor, kind)
