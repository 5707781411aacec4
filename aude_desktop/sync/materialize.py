"""Records of the sync protocol (docs/PROTOCOL.md) ⇄ rows of the local typed tables.

`materialize` writes a batch of payloads into the tables in bulk (one DELETE of the children per
table, then one executemany per table) because the initial sync of a national scope is hundreds
of thousands of records; `dump` rebuilds a payload from the rows, so local commands and conflict
views work on the same shape the server speaks. dump(materialize(p)) == p is a tested property.
"""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from aude_desktop.conventions.models import (
    Company,
    Convention,
    ConventionLists,
    TransparenceCompany,
    TransparenceStatus,
)
from aude_desktop.dossiers.models import (
    Applicant,
    CommissionSession,
    Decision,
    Diploma,
    Dossier,
    DossierLists,
    EpreuveSession,
    Piece,
)
from aude_desktop.store import search
from aude_desktop.store.models import Annotation, Letter, Ruleset
from aude_desktop.store.plans import Statement, write_plan

_NS = uuid.UUID("6f1d1c8e-6a8e-4b8f-9a51-2f0f5e4b7a10")


def child_id(*parts: str) -> str:
    """Deterministic id of a row that has no UUID of its own in the payload (32 hex characters)."""
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16, key=_NS.bytes).hexdigest()


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


DOSSIER_SCALARS = (
    "reference", "profession", "specialty", "region", "acces_partiel", "situation", "state",
    "assigned_to",
)
DOSSIER_DATES = ("received_on", "acknowledged_on", "complete_on", "closed_on")
APPLICANT_FIELDS = (
    "last_name", "first_names", "usage_name", "birth_place", "birth_country", "nationality", "sex", "email",
    "phone", "address", "postal_code", "city", "country",
)
DOSSIER_KEYS = set(DOSSIER_SCALARS) | set(DOSSIER_DATES) | {
    "applicant", "diploma", "experiences", "clock_events", "decision"
}

CONVENTION_SCALARS = (
    "reference", "authority", "source", "read_only", "object", "regime", "state", "urgent",
    "signing_region", "assigned_to",
)
CONVENTION_DATES = ("filed_on", "octroi_on", "period_start", "period_end")
CONVENTION_KEYS = set(CONVENTION_SCALARS) | set(CONVENTION_DATES) | {
    "company", "beneficiaries", "avantages", "decision"
}
PIECE_FIELDS = ("dossier_id", "code", "label", "status", "sha256", "filename", "note")


@dataclass
class _Batch:
    """Rows to write for one page, grouped by table, plus the parents whose children are replaced.

    The big kinds (dossiers, conventions, pièces) build their rows as tuples in the order of
    `COLUMNS` (a national first sync is 400,000 of them); the others as dicts of column values."""

    rows: dict[Table, list[dict]]
    tuples: dict[Table, list[tuple]]
    replaced: dict[Table, tuple[Any, list[str]]]  # child table -> (parent column, parent ids)
    documents: list[tuple[int, str]]  # search_index rows: document rowid, text
    now: datetime
    today: date
    now_text: str  # `now` as SQLAlchemy stores a DateTime in SQLite

    @classmethod
    def empty(cls) -> _Batch:
        now = datetime.now(UTC).replace(tzinfo=None)
        return cls({}, {}, {}, [], now, now.date(), now.strftime("%Y-%m-%d %H:%M:%S.%f"))

    def add(self, model, row: dict) -> None:
        self.rows.setdefault(model.__table__, []).append(row)

    def add_tuple(self, model, row: tuple) -> None:
        self.tuples.setdefault(model.__table__, []).append(row)

    def replace_children(self, model, column, parent_id: str) -> None:
        self.replaced.setdefault(model.__table__, (column, []))[1].append(parent_id)


def _items(value, *, keyed: bool = False) -> list[dict]:
    """A payload list stored whole: it must be a list of objects (each with its "id" when commands
    address its items), or the page is refused as unreadable rather than stored half-understood."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) and (not keyed or "id" in item) for item in value):
        raise TypeError("malformed list")
    return value


def _clock_events(value) -> list[dict]:
    events = _items(value)
    for event in events:
        date.fromisoformat(event["on"])  # the legal clock counts from these: unreadable is refused
        if not isinstance(event["kind"], str):
            raise TypeError("malformed clock event")
    return events


def _next_due(p: dict, today: date) -> date | None:
    """The next legal date, stored so queues sort and filter on it in SQL (the clock explains it)."""
    from aude_desktop.rules.deadlines import ClockInputError, aude_clock

    if p.get("state") in ("autorise", "refuse", "irrecevable", "clos", "hors_champ"):
        return None
    try:
        return aude_clock(p.get("clock_events") or [], p["profession"], p["region"], today).next_date
    except (ClockInputError, KeyError):
        return None  # the dossier view shows why; the queue just cannot sort it by date


# A refused convention waits for the company (15 days to file a modified one): no date for the authority.
EPS_DATED_STATES = ("recue", "incomplete", "en_instruction", "modifiee_recue", "urgence_non_justifiee")


def _convention_due(p: dict, today: date) -> date | None:
    """The authority's next date: tacit authorisation (2 months, 3 weeks if urgent, 15 days after a modification)."""
    from aude_desktop.conventions.workflow import clock
    from aude_desktop.rules.deadlines import ClockInputError

    if p.get("state") not in EPS_DATED_STATES or p.get("regime") != "autorisation" or p.get("read_only"):
        return None
    try:
        return clock(p, today).next_date
    except (ClockInputError, KeyError, ValueError):
        return None


COLUMNS = {
    "dossiers": ("id", "version", *DOSSIER_SCALARS, *DOSSIER_DATES, "next_due_on", "search_rowid", "updated_at", "extra"),
    "dossier_lists": ("dossier_id", "experiences", "clock_events"),
    "applicants": ("id", "dossier_id", "birth_date", *APPLICANT_FIELDS),
    "diplomas": ("id", "dossier_id", "is_main", "title", "country", "obtained_on", "issuing_body", "recognised_on"),
    "decisions": ("id", "dossier_id", "kind", "decided_on", "motifs", "required_level", "held_level",
                  "substantial_differences"),
    "conventions": ("id", "version", *CONVENTION_SCALARS, *CONVENTION_DATES, "company_id", "next_due_on", "extra",
                    "updated_at", "search_rowid", "decided_on"),
    "convention_lists": ("convention_id", "beneficiaries", "avantages"),
    "companies": ("id", "name", "siren", "siret", "address"),
    "pieces": ("id", "version", "received_on", *PIECE_FIELDS),
}
# Tables whose rows are found by another key than their (increasing, implicit) primary key.
CONFLICT_KEYS = {"dossier_lists": ["dossier_id"], "convention_lists": ["convention_id"]}
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def _day(value) -> str | None:
    """A payload date, checked and stored as SQLAlchemy stores a Date (AAAA-MM-JJ)."""
    return date.fromisoformat(value).isoformat() if value else None


def _dossier_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    get = p.get
    extra = {k: v for k, v in p.items() if k not in DOSSIER_KEYS}
    decision = get("decision")
    if decision:
        if set(decision) - {"kind", "decided_on", "motifs"}:
            # Measures and future decision details: the payload keeps them whole (dumped back as is).
            extra["decision"] = decision
        batch.add_tuple(Decision, (child_id(record_id, "decision"), record_id, decision["kind"],
                                   _day(decision["decided_on"]), decision.get("motifs"), None, None, None))
    rowid = search.document_rowid("dossier", record_id)
    batch.add_tuple(Dossier, (
        record_id, version, get("reference"), get("profession"), get("specialty"), get("region"),
        int(bool(get("acces_partiel"))), get("situation"), get("state"), get("assigned_to"),
        _day(get("received_on")), _day(get("acknowledged_on")), _day(get("complete_on")), _day(get("closed_on")),
        _iso(_next_due(p, batch.today)), rowid, batch.now_text, _to_json(extra) if extra else None))
    batch.add_tuple(DossierLists, (record_id, _to_json(_items(get("experiences"))), _to_json(_clock_events(get("clock_events")))))
    for model in OWNED_ROWS["dossier"]:
        batch.replace_children(model, model.dossier_id, record_id)
    applicant = get("applicant") or {}
    batch.add_tuple(Applicant, (child_id(record_id, "applicant"), record_id, _day(applicant.get("birth_date")),
                                *map(applicant.get, APPLICANT_FIELDS)))
    diploma = get("diploma") or {}
    if diploma:
        batch.add_tuple(Diploma, (child_id(record_id, "diploma"), record_id, 1, diploma.get("title") or "",
                                  diploma.get("country") or "", _day(diploma.get("obtained_on")),
                                  diploma.get("issuing_body"), _day(diploma.get("recognised_on"))))
    name = f"{applicant.get('first_names') or ''} {applicant.get('last_name') or ''}"
    batch.documents.append(
        (rowid, f"{get('reference')} {name} {diploma.get('title') or ''} {diploma.get('country') or ''}")
    )


def _convention_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    get = p.get
    company = get("company") or {}
    company_id = child_id("company", company.get("siret") or record_id)
    batch.add_tuple(Company, (company_id, company.get("name") or "", company.get("siren"), company.get("siret"),
                              company.get("address")))
    extra = {k: v for k, v in p.items() if k not in CONVENTION_KEYS}
    decision = get("decision")
    if decision is not None:
        extra["decision"] = decision
    beneficiaries = _items(get("beneficiaries"), keyed=True)
    rowid = search.document_rowid("convention", record_id)
    batch.add_tuple(Convention, (
        record_id, version, get("reference"), get("authority"), get("source") or "eps", int(bool(get("read_only"))),
        get("object"), get("regime"), get("state"), int(bool(get("urgent"))), get("signing_region"), get("assigned_to"),
        _day(get("filed_on")), _day(get("octroi_on")), _day(get("period_start")), _day(get("period_end")),
        company_id, _iso(_convention_due(p, batch.today)), _to_json(extra) if extra else None, batch.now_text, rowid,
        _day((decision or {}).get("decided_on"))))
    batch.add_tuple(ConventionLists, (record_id, _to_json(beneficiaries), _to_json(_items(get("avantages"), keyed=True))))
    names = " ".join(f"{b.get('first_name') or ''} {b.get('last_name') or ''} {b.get('name') or ''} {b.get('rpps') or ''}"
                     for b in beneficiaries)
    batch.documents.append(
        (rowid, f"{get('reference')} {company.get('name') or ''} {company.get('siret') or ''} {names}")
    )


def _piece_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    batch.add_tuple(Piece, (record_id, version, _day(p.get("received_on")), *map(p.get, PIECE_FIELDS)))


def _annotation_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    batch.add(
        Annotation,
        {"id": record_id, "version": version, "dossier_id": p.get("dossier_id"),
         "convention_id": p.get("convention_id"), "author": p["author"], "text": p.get("text") or "",
         "updated_at": datetime.fromisoformat(p["updated_at"]) if p.get("updated_at") else batch.now},
    )


def _commission_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    batch.add(
        CommissionSession,
        {"id": record_id, "version": version, "profession": p["profession"], "region": p["region"],
         "session_on": _d(p["session_on"]), "place": p.get("place")},
    )


EPREUVE_FIELDS = ("profession", "region", "starts_at", "address", "capacity", "bring")


def _epreuve_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    batch.add(
        EpreuveSession,
        {"id": record_id, "version": version, **{k: p[k] for k in EPREUVE_FIELDS}, "session_on": _d(p["session_on"]),
         "cancelled": bool(p.get("cancelled")), "convocations": _items(p.get("convocations"))},
    )


def _ruleset_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    from aude_desktop.conventions.thresholds import RulesetError, parse_ruleset

    valid, error = True, None
    try:
        if p.get("kind") != "eps_thresholds":
            raise RulesetError(f"Type de règles inconnu de cette version : « {p.get('kind')} ».")
        parse_ruleset(p)
    except RulesetError as exc:  # kept with its reason; the rules in force do not change
        valid, error = False, str(exc)
    batch.add(
        Ruleset,
        {"id": record_id, "version": version, "kind": str(p.get("kind")), "rules_version": str(p.get("version")),
         "effective_from": str(p.get("effective_from") or ""), "payload": p, "valid": valid, "error": error},
    )


def _letter_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    issued = _d(p.get("issued_on")) or batch.today
    batch.add(
        Letter,
        {"id": record_id, "version": version, "kind": p["kind"], "reference": p["reference"], "dossier_id": p.get("dossier_id"),
         "convention_id": p.get("convention_id"), "sha256": p["sha256"], "issued_by": p.get("issued_by"),
         "issued_at": datetime(issued.year, issued.month, issued.day), "replaces_id": p.get("replaces_id")},
    )


def _transparence_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    batch.add(TransparenceStatus, {"id": record_id, "version": version, "status": str(p.get("status")),
                                   "label": str(p.get("label") or ""), "lines": list(p.get("lines") or [])})


def _transparence_company_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    counts = {k: int(p.get(k) or 0) for k in ("conventions", "filed_not_published", "published_never_filed",
                                               "amount_differs", "ambiguous")}
    batch.add(TransparenceCompany, {"id": record_id, "version": version, "siren": p.get("siren"),
                                    "name": str(p.get("name") or ""), "details": dict(p.get("details") or {}), **counts})


ROW_BUILDERS: dict[str, Callable[[_Batch, str, int, dict], None]] = {
    "dossier": _dossier_rows,
    "convention": _convention_rows,
    "piece": _piece_rows,
    "annotation": _annotation_rows,
    "commission_session": _commission_rows,
    "epreuve_session": _epreuve_rows,
    "ruleset": _ruleset_rows,
    "letter": _letter_rows,
    "transparence": _transparence_rows,
    "transparence_company": _transparence_company_rows,
}
OWNED_ROWS = {"dossier": (Applicant, Diploma, Decision)}  # rows of a record that are not records themselves
LISTS = {"dossier": DossierLists, "convention": ConventionLists}  # one row per record, keyed by its id
MAIN_MODELS = {"dossier": Dossier, "convention": Convention, "piece": Piece, "annotation": Annotation,
               "commission_session": CommissionSession, "epreuve_session": EpreuveSession, "ruleset": Ruleset,
               "letter": Letter, "transparence": TransparenceStatus, "transparence_company": TransparenceCompany}


@dataclass
class Plan:
    """What writing a batch of records takes, as plain SQL: built without the database (so a new
    profile's first sync can build the next page while another process writes this one)."""

    statements: list[Statement]
    count: int  # records of known kinds


def materialize(session: Session, records: Iterable[tuple[str, str, int, dict | None]], *, new: bool = False) -> int:
    """Write (kind, id, version, payload or None for a tombstone) into the local tables.

    Unknown kinds are skipped (a newer server may send kinds this client does not know yet).
    `new`: the caller knows none of these records is stored here yet (a new profile's first sync),
    so there are no children or search documents to delete first.
    """
    plan = build_plan(records, new=new)
    write_plan(session.connection(), plan.statements)
    return plan.count


def build_plan(records: Iterable[tuple[str, str, int, dict | None]], *, new: bool = False) -> Plan:
    batch = _Batch.empty()
    deleted: dict[str, list[str]] = {}
    count = 0
    for kind, record_id, version, payload in records:
        builder = ROW_BUILDERS.get(kind)
        if builder is None:
            continue
        count += 1
        if payload is None:
            deleted.setdefault(kind, []).append(record_id)
        else:
            builder(batch, record_id, version, payload)
    statements: list[Statement] = []
    for kind, ids in deleted.items():
        # A record's own rows go with it, explicitly: the sync writes with foreign keys off.
        for model in OWNED_ROWS.get(kind, ()):
            statements.append((f'DELETE FROM "{model.__tablename__}" WHERE dossier_id = ?', [(i,) for i in ids]))
        if kind in LISTS:
            statements.append((f'DELETE FROM "{LISTS[kind].__tablename__}" WHERE {kind}_id = ?', [(i,) for i in ids]))
        statements.append((f'DELETE FROM "{MAIN_MODELS[kind].__tablename__}" WHERE id = ?', [(i,) for i in ids]))
        statements.append(search.removal_statement(kind, ids))
    if not new:
        for table, (column, parent_ids) in batch.replaced.items():
            statements.append((f'DELETE FROM "{table.name}" WHERE "{column.name}" = ?', [(i,) for i in parent_ids]))
    for table in _parent_first([*batch.tuples, *batch.rows]):
        # Raw executemany of tuples: SQLAlchemy's per-row parameter processing cost more than the
        # encrypted write itself on a national initial sync. Values are converted as SQLAlchemy's
        # SQLite types would store them, so the ORM reads them back unchanged.
        if table in batch.tuples:
            statements.append((_insert_sql(table, COLUMNS[table.name])[0], batch.tuples[table]))
        else:
            sql, columns = _insert_sql(table)
            statements.append((sql, _values(batch.rows[table], columns)))
    statements.extend(search.row_statements(batch.documents, new=new))
    return Plan(statements, count)


def _values(rows: list[dict], columns: list) -> list[tuple]:
    """Rows as parameter lists; only the columns that need a conversion pay for a call."""
    names = [name for name, _conv in columns]
    converted = [(i, conv) for i, (_name, conv) in enumerate(columns) if conv is not _same]
    out = []
    for row in rows:
        values = [row.get(name) for name in names]
        for i, conv in converted:
            if values[i] is not None:
                values[i] = conv(values[i])
        out.append(tuple(values))
    return out


def _iso_date(value):
    return value.isoformat() if value is not None else None


def _sa_datetime(value):
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if value is not None else None


def _as_float(value):
    return float(value) if value is not None else None


def _as_json(value):
    return json.dumps(value, ensure_ascii=False) if value is not None else None


def _as_int(value):
    return int(value) if value is not None else None


def _same(value):
    return value


_CONVERTERS = {"DATE": _iso_date, "DATETIME": _sa_datetime, "NUMERIC": _as_float, "JSON": _as_json, "BOOLEAN": _as_int}
_INSERTS: dict[tuple, tuple[str, list]] = {}


def _insert_sql(table: Table, names: tuple[str, ...] | None = None) -> tuple[str, list]:
    """The upsert of a row of `table`, with every column or with `names` in that order."""
    key = (table.name, names)
    if key not in _INSERTS:
        chosen = table.columns if names is None else [table.columns[name] for name in names]
        columns = [(c.name, _CONVERTERS.get(type(c.type).__visit_name__.upper(), _same)) for c in chosen]
        names = ", ".join(f'"{name}"' for name, _ in columns)
        marks = ", ".join("?" for _ in columns)
        keys = CONFLICT_KEYS.get(table.name) or [c.name for c in table.primary_key.columns]
        updates = ", ".join(f'"{name}" = excluded."{name}"' for name, _ in columns if name not in keys)
        # An upsert, never INSERT OR REPLACE: REPLACE deletes the old row first, and the foreign keys'
        # ON DELETE CASCADE then silently deleted a dossier's pièces and annotations on every update.
        _INSERTS[key] = (
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) '
            f'ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates}',
            columns,
        )
    return _INSERTS[key]


def _parent_first(tables: list[Table]) -> list[Table]:
    order = [Company.__table__, Dossier.__table__, Convention.__table__]
    return [t for t in order if t in tables] + [t for t in tables if t not in order]


# --- rows -> payload -------------------------------------------------------------------------


def dump_dossier(session: Session, record_id: str) -> dict | None:
    d = session.get(Dossier, record_id)
    if d is None:
        return None
    payload: dict[str, Any] = {k: getattr(d, k) for k in DOSSIER_SCALARS}
    payload.update({k: _iso(getattr(d, k)) for k in DOSSIER_DATES})
    a = d.applicant
    payload["applicant"] = {"birth_date": _iso(a.birth_date), **{k: getattr(a, k) for k in APPLICANT_FIELDS
                                                                 if k != "usage_name" or a.usage_name is not None}} if a else {}
    main = next((x for x in d.diplomas if x.is_main), None)
    payload["diploma"] = (
        {"title": main.title, "country": main.country, "obtained_on": _iso(main.obtained_on),
         "issuing_body": main.issuing_body, "recognised_on": _iso(main.recognised_on)}
        if main else None
    )
    lists = session.scalar(select(DossierLists).where(DossierLists.dossier_id == record_id))
    payload["experiences"] = copy.deepcopy(lists.experiences) if lists else []
    payload["clock_events"] = copy.deepcopy(lists.clock_events) if lists else []
    dec = d.decisions[0] if d.decisions else None
    payload["decision"] = (
        {"kind": dec.kind, "decided_on": _iso(dec.decided_on), "motifs": dec.motifs} if dec else None
    )
    payload.update(d.extra or {})
    return payload


def dump_convention(session: Session, record_id: str) -> dict | None:
    c = session.get(Convention, record_id)
    if c is None:
        return None
    payload: dict[str, Any] = {k: getattr(c, k) for k in CONVENTION_SCALARS}
    payload.update({k: _iso(getattr(c, k)) for k in CONVENTION_DATES})
    company = c.company
    payload["company"] = (
        {"name": company.name, "siren": company.siren, "siret": company.siret, "address": company.address}
        if company else {}
    )
    lists = session.scalar(select(ConventionLists).where(ConventionLists.convention_id == record_id))
    payload["beneficiaries"] = copy.deepcopy(lists.beneficiaries) if lists else []
    payload["avantages"] = copy.deepcopy(lists.avantages) if lists else []
    payload["decision"] = None
    payload.update(c.extra or {})
    return payload


def dump_letter(session: Session, record_id: str) -> dict | None:
    """The letter's payload as the server holds it (what a command that reads a letter sees)."""
    letter = session.get(Letter, record_id)
    if letter is None:
        return None
    return {"kind": letter.kind, "reference": letter.reference, "dossier_id": letter.dossier_id,
            "convention_id": letter.convention_id, "sha256": letter.sha256, "issued_on": letter.issued_at.date().isoformat(),
            "issued_by": letter.issued_by, "replaces_id": letter.replaces_id}


def dump_epreuve_session(session: Session, record_id: str) -> dict | None:
    row = session.get(EpreuveSession, record_id)
    if row is None:
        return None
    return {**{k: getattr(row, k) for k in EPREUVE_FIELDS}, "session_on": _iso(row.session_on), "cancelled": row.cancelled,
            "convocations": copy.deepcopy(row.convocations or [])}
