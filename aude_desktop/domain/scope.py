"""Who sees what, defined once. The server derives from it the columns it stores beside each record
and the SQL of its change feed, record reads, counts and file downloads (central_api/scope.py); the
client keeps what it pulls by it (sync/scope.py); docs/PROTOCOL.md's table is printed from it.

Each record kind is scoped one way:
- by a column its own payload names: the `region` of a dossier, the `authority` of a convention;
- by its parent (a pièce, a letter, a Transparence Santé status): the server copies the parent's
  columns onto the child when it stores it; the client keeps a child once it holds the parent;
- private (annotations): their author only, on a record the author sees (the parent's columns too);
- everyone (rulesets) or national (the Transparence Santé company table: DGOS only).
A role reads by one column: DREETS agents by region, orders and ARS by instructing authority, DGOS
everything, read-only. A company's API key reads its filings and their letters by SIREN. A scope
value that is missing (an agent without a region) matches nothing.

Actors are duck-typed (login, role, region, authority) so that this module imports nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Protocol

REGION, AUTHORITY, COMPANY, OWNER = "region", "authority", "company", "owner"
COLUMNS = (REGION, AUTHORITY, OWNER, COMPANY)  # stored beside each record on the server
PARENT, PRIVATE, EVERYONE, NATIONAL = "parent", "private", "everyone", "national"


@dataclass(frozen=True)
class KindScope:
    by: str  # REGION, AUTHORITY, PARENT, PRIVATE, EVERYONE or NATIONAL
    parents: tuple[tuple[str, str], ...] = ()  # (payload key, parent kind): the first key present wins
    server_only: bool = False  # written by the server's imports, never by a command
    company: bool = False  # also read by its company (and mandated firms) through the company channel


KINDS: dict[str, KindScope] = {
    "dossier": KindScope(REGION),
    "commission_session": KindScope(REGION),
    "epreuve_session": KindScope(REGION),
    "convention": KindScope(AUTHORITY, company=True),
    "piece": KindScope(PARENT, (("dossier_id", "dossier"),)),
    "letter": KindScope(PARENT, (("dossier_id", "dossier"), ("convention_id", "convention")), company=True),
    "transparence": KindScope(PARENT, (("convention_id", "convention"),), server_only=True),
    "annotation": KindScope(PRIVATE, (("dossier_id", "dossier"), ("convention_id", "convention"))),
    "ruleset": KindScope(EVERYONE, server_only=True),
    "transparence_company": KindScope(NATIONAL, server_only=True),
}
ROLES = {"agent_dreets": REGION, "ordre": AUTHORITY, "ars": AUTHORITY, "dgos": NATIONAL}
PARENT_KINDS = tuple(dict.fromkeys(kind for scope in KINDS.values() for _key, kind in scope.parents))


class Reader(Protocol):
    login: str
    role: str
    region: str | None
    authority: str | None


def instructing_authority(actor: Reader) -> str | None:
    """The EPS authority an order or ARS user instructs for (eps.md §2); None for other roles."""
    if actor.role == "ordre":
        return actor.authority
    if actor.role == "ars":
        return f"ARS-{actor.region}" if actor.region else None
    return None


@cache
def columns_of(kind: str) -> frozenset[str]:
    """The scope columns a record of `kind` can carry (a letter: its dossier's or its convention's)."""
    scope = KINDS.get(kind)
    if scope is None:
        return frozenset()
    own = {scope.by} if scope.by in (REGION, AUTHORITY) else set()
    return frozenset(own.union(*(columns_of(parent) for _key, parent in scope.parents)))


@cache
def kinds_read_by(column: str, *, private: bool = False) -> tuple[str, ...]:
    """Kinds a role reading by `column` may see (private ones apart: they also need the author)."""
    return tuple(kind for kind, scope in KINDS.items()
                 if column in columns_of(kind) and (scope.by == PRIVATE) == private)


@dataclass(frozen=True)
class Clause:
    """Records of one of `kinds` whose stored columns equal these values: the unit the server turns
    into SQL and `sees` evaluates in Python, so both read one list."""

    kinds: tuple[str, ...]
    equal: tuple[tuple[str, str | tuple[str, ...]], ...] = ()  # a tuple of values: any of them
    # Every kind but `kinds`: DGOS's clause says "all but the private ones" this way, so that its SQL
    # walks the cursor index instead of gathering every record by kind to sort them.
    negate: bool = False

    def covers(self, kind: str) -> bool:
        return (kind not in self.kinds) if self.negate else (kind in self.kinds)


def scope_value(actor: Reader) -> str | None:
    column = ROLES.get(actor.role)
    if column == REGION:
        return actor.region or None
    if column == AUTHORITY:
        return instructing_authority(actor) or None
    return None


def clauses(actor: Reader) -> tuple[Clause, ...]:
    """What `actor` may receive, as clauses joined by OR."""
    return _clauses(actor.login, actor.role, scope_value(actor))


@lru_cache(maxsize=256)  # asked once per record of a pull: built once per user
def _clauses(login: str, role: str, value: str | None) -> tuple[Clause, ...]:
    out = [Clause(tuple(k for k, s in KINDS.items() if s.by == EVERYONE))]
    column = ROLES.get(role)
    private = tuple(k for k, s in KINDS.items() if s.by == PRIVATE)
    if column == NATIONAL:
        out.append(Clause(private, negate=True))
        out.append(Clause(private, ((OWNER, login),)))
    elif column is not None and value is not None:
        out.append(Clause(kinds_read_by(column), ((column, value),)))
        out.append(Clause(kinds_read_by(column, private=True), ((column, value), (OWNER, login))))
    return tuple(c for c in out if c.kinds)


def company_clauses(sirens: list[str]) -> tuple[Clause, ...]:
    """What a company's API key reads: its filings and their letters, for itself and its mandants."""
    kinds = tuple(k for k, s in KINDS.items() if s.company)
    values = tuple(siren for siren in sirens if siren)
    return (Clause(kinds, ((COMPANY, values),)),) if values else ()


def _equal(found: str | None, value: str | tuple[str, ...]) -> bool:
    return found in value if isinstance(value, tuple) else found == value


def matches(found: tuple[Clause, ...], kind: str, columns: dict[str, str | None]) -> bool:
    for clause in found:  # loops, not any(all(...)): a pull asks this of every record
        if clause.covers(kind):
            for column, value in clause.equal:
                if not _equal(columns.get(column), value):
                    break
            else:
                return True
    return False


def sees(actor: Reader, kind: str, columns: dict[str, str | None]) -> bool:
    """May `actor` see a record of `kind` stored with these scope columns (server side)."""
    return matches(clauses(actor), kind, columns)


def may_write(actor: Reader, kind: str) -> bool:
    """May the role write records of `kind` at all (which record is then checked by `sees`)."""
    column = ROLES.get(actor.role)
    scope = KINDS.get(kind)
    return column in (REGION, AUTHORITY) and scope is not None and not scope.server_only and column in columns_of(kind)


# -- the columns of one record ---------------------------------------------------------------------


def parent_of(kind: str, payload: dict | None) -> tuple[str, str] | None:
    """(kind, id) of the record a child belongs to, None for a record with its own scope."""
    for key, parent_kind in KINDS[kind].parents if kind in KINDS else ():
        value = (payload or {}).get(key)
        if isinstance(value, str) and value:
            return parent_kind, value
    return None


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def own_columns(kind: str, payload: dict, author: str | None = None) -> dict[str, str | None]:
    """The columns a record's own payload gives (all of them for a record with its own scope)."""
    scope = KINDS.get(kind)
    columns = dict.fromkeys(COLUMNS)
    if scope is None:
        return columns
    if scope.by in (REGION, AUTHORITY):
        columns[scope.by] = _text(payload.get(scope.by))
    if scope.company and not scope.parents and not payload.get("read_only"):
        # Imported CNOM conventions (read-only) are not the company's filings here.
        company = payload.get("company")
        columns[COMPANY] = _text(company.get("siren")) if isinstance(company, dict) else None
    if scope.by == PRIVATE:
        columns[OWNER] = author
    return columns


def stored_columns(kind: str, payload: dict, author: str | None,
                   parent_columns: Callable[[str, str], dict | None]) -> dict[str, str | None] | None:
    """The scope columns the server stores beside a record; a child takes its parent's, read through
    `parent_columns(kind, id)` (None when the parent is absent: then None, and the write is refused)."""
    columns = own_columns(kind, payload, author)
    scope = KINDS.get(kind)
    if scope is None or not scope.parents:
        return columns
    parent = parent_of(kind, payload)
    found = parent_columns(*parent) if parent else None
    if found is None:
        return None
    for column in (REGION, AUTHORITY) + ((COMPANY,) if scope.company else ()):
        columns[column] = found.get(column)
    return columns


# -- the client: what a pull keeps -----------------------------------------------------------------


def may_hold(actor: Reader, kind: str, payload: dict | None) -> bool:
    """The client's check of a record's own rule; a child's parent is checked apart (`child_verdict`
    in sync/scope.py): a child is kept once its parent is held, so it needs no column of its own."""
    if payload is None:
        return True  # a deletion reveals nothing
    scope = KINDS.get(kind)
    if scope is None:
        return False
    if scope.by == PRIVATE and payload.get("author") != actor.login:
        return False
    if not scope.parents:
        return sees(actor, kind, own_columns(kind, payload, actor.login))
    # Its parent decides (`child_verdict`): a child is in scope exactly when its parent is.
    return ROLES.get(actor.role) == NATIONAL or parent_of(kind, payload) is not None


def needs_parent(actor: Reader, kind: str) -> bool:
    """A child waits for its parent, except for DGOS, who sees every parent."""
    return bool(KINDS.get(kind) and KINDS[kind].parents) and ROLES.get(actor.role) != NATIONAL


# -- the table of docs/PROTOCOL.md -----------------------------------------------------------------

TABLE_ROLES = (("DREETS agent", "agent_dreets"), ("order", "ordre"), ("ARS", "ars"), ("DGOS", "dgos"))


def _scoped_by(kind: str) -> str:
    scope = KINDS[kind]
    parents = " or ".join(f"its {parent} (`{key}`)" for key, parent in scope.parents)
    return {REGION: "its `region`", AUTHORITY: "its `authority`", PARENT: parents,
            PRIVATE: f"its author, on {parents.replace('its ', 'a ')} they see",
            EVERYONE: "everyone signed in", NATIONAL: "national"}[scope.by]


def _cell(role: str, kind: str) -> str:
    column, scope = ROLES[role], KINDS[kind]
    read = column == NATIONAL or scope.by == EVERYONE or column in columns_of(kind)
    if not read:
        return "—"
    what = {REGION: "its region", AUTHORITY: "its authority", NATIONAL: "all"}[column]
    if scope.by == EVERYONE:
        what = "all"
    elif scope.by == PRIVATE:
        what = "own"
    rights = "read, write" if may_write(_Role(role), kind) else "read"
    return f"{what}: {rights}"


@dataclass(frozen=True)
class _Role:
    role: str
    login: str = ""
    region: str | None = None
    authority: str | None = None


def markdown_table() -> str:
    """The per-kind table of who sees what (docs/PROTOCOL.md holds it; a test compares)."""
    head = ["kind", "scoped by", *(label for label, _role in TABLE_ROLES), "company (API key)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for kind, scope in KINDS.items():
        cells = [f"`{kind}`", _scoped_by(kind), *(_cell(role, kind) for _label, role in TABLE_ROLES),
                 "its SIREN or a mandant's: read" if scope.company else "—"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
