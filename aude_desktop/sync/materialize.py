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

from sqlalchemy import Table, delete
from sqlalchemy.orm import Session

from aude_desktop.conventions.models import Company, Convention
from aude_desktop.dossiers.models import (
    Applicant,
    CommissionSession,
    Decision,
    Diploma,
    Dossier,
    Piece,
)
from aude_desktop.store import search
from aude_desktop.store.models import Annotation, Letter, Ruleset

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
    "last_name", "first_names", "birth_place", "birth_country", "nationality", "sex", "email",
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
    """Rows to write for one page, grouped by table, plus the parents whose children are replaced."""

    rows: dict[Table, list[dict]]
    replaced: dict[Table, tuple[Any, list[str]]]  # child table -> (parent column, parent ids)
    documents: list[tuple[str, str, str]]
    now: datetime
    today: date

    @classmethod
    def empty(cls) -> _Batch:
        now = datetime.now(UTC)
        return cls({}, {}, [], now.replace(tzinfo=None), now.date())

    def add(self, model, row: dict) -> None:
        self.rows.setdefault(model.__table__, []).append(row)

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

    if p.get("state") in ("autorise", "refuse", "irrecevable", "clos"):
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


def _dossier_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    row = {k: p.get(k) for k in DOSSIER_SCALARS}
    row["acces_partiel"] = bool(row["acces_partiel"])
    row.update({k: _d(p.get(k)) for k in DOSSIER_DATES})
    extra = {k: v for k, v in p.items() if k not in DOSSIER_KEYS}
    row.update(id=record_id, version=version, next_due_on=_next_due(p, batch.today), extra=extra or None,
               updated_at=batch.now, search_rowid=search.document_rowid("dossier", record_id))
    batch.add(Dossier, row)
    for model in (Applicant, Diploma, Decision):
        batch.replace_children(model, model.dossier_id, record_id)
    row["experiences"] = _items(p.get("experiences"))
    row["clock_events"] = _clock_events(p.get("clock_events"))
    applicant = p.get("applicant") or {}
    batch.add(
        Applicant,
        {"id": child_id(record_id, "applicant"), "dossier_id": record_id,
         "birth_date": _d(applicant.get("birth_date")),
         **{k: applicant.get(k) for k in APPLICANT_FIELDS}},
    )
    if p.get("diploma"):
        dip = p["diploma"]
        batch.add(
            Diploma,
            {"id": child_id(record_id, "diploma"), "dossier_id": record_id, "is_main": True,
             "title": dip.get("title") or "", "country": dip.get("country") or "",
             "obtained_on": _d(dip.get("obtained_on")), "issuing_body": dip.get("issuing_body"),
             "recognised_on": _d(dip.get("recognised_on"))},
        )
    if p.get("decision"):
        dec = p["decision"]
        if set(dec) - {"kind", "decided_on", "motifs"}:
            # Measures and future decision details: the payload keeps them whole (dumped back as is).
            extra["decision"] = dec
            row["extra"] = extra
        batch.add(
            Decision,
            {"id": child_id(record_id, "decision"), "dossier_id": record_id, "kind": dec["kind"],
             "decided_on": _d(dec["decided_on"]), "motifs": dec.get("motifs"),
             "required_level": None, "held_level": None, "substantial_differences": None},
        )
    name = f"{applicant.get('first_names') or ''} {applicant.get('last_name') or ''}"
    diploma = p.get("diploma") or {}
    batch.documents.append(
        ("dossier", record_id,
         f"{p.get('reference')} {name} {diploma.get('title') or ''} {diploma.get('country') or ''}")
    )


def _convention_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    company = p.get("company") or {}
    company_id = child_id("company", company.get("siret") or record_id)
    batch.add(
        Company,
        {"id": company_id, "name": company.get("name") or "", "siren": company.get("siren"),
         "siret": company.get("siret"), "address": company.get("address")},
    )
    row = {k: p.get(k) for k in CONVENTION_SCALARS}
    row["read_only"] = bool(row["read_only"])
    row["urgent"] = bool(row["urgent"])
    row["source"] = row["source"] or "eps"
    row.update({k: _d(p.get(k)) for k in CONVENTION_DATES})
    extra = {k: v for k, v in p.items() if k not in CONVENTION_KEYS}
    if p.get("decision") is not None:
        extra["decision"] = p["decision"]
    row.update(id=record_id, version=version, company_id=company_id, next_due_on=_convention_due(p, batch.today),
               extra=extra or None, updated_at=batch.now, search_rowid=search.document_rowid("convention", record_id),
               decided_on=_d((p.get("decision") or {}).get("decided_on")))
    batch.add(Convention, row)
    beneficiaries = row["beneficiaries"] = _items(p.get("beneficiaries"), keyed=True)
    row["avantages"] = _items(p.get("avantages"), keyed=True)
    names = [f"{b.get('first_name') or ''} {b.get('last_name') or ''} {b.get('name') or ''} {b.get('rpps') or ''}"
             for b in beneficiaries]
    batch.documents.append(
        ("convention", record_id,
         f"{p.get('reference')} {company.get('name') or ''} {company.get('siret') or ''} {' '.join(names)}")
    )


def _piece_rows(batch: _Batch, record_id: str, version: int, p: dict) -> None:
    batch.add(
        Piece,
        {"id": record_id, "version": version, "received_on": _d(p.get("received_on")),
         **{k: p.get(k) for k in PIECE_FIELDS}},
    )


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


ROW_BUILDERS: dict[str, Callable[[_Batch, str, int, dict], None]] = {
    "dossier": _dossier_rows,
    "convention": _convention_rows,
    "piece": _piece_rows,
    "annotation": _annotation_rows,
    "commission_session": _commission_rows,
    "ruleset": _ruleset_rows,
    "letter": _letter_rows,
}
MAIN_MODELS = {"dossier": Dossier, "convention": Convention, "piece": Piece, "annotation": Annotation,
               "commission_session": CommissionSession, "ruleset": Ruleset,
               "letter": Letter}


def materialize(session: Session, records: Iterable[tuple[str, str, int, dict | None]], *, new: bool = False) -> int:
    """Write (kind, id, version, payload or None for a tombstone) into the local tables.

    Unknown kinds are skipped (a newer server may send kinds this client does not know yet).
    `new`: the caller knows none of these records is stored here yet (a new profile's first sync),
    so there are no children or search documents to delete first.
    """
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
    for kind, ids in deleted.items():
        model = MAIN_MODELS[kind]
        for chunk in _chunks(ids):
            session.execute(delete(model).where(model.id.in_(chunk)))
        search.remove_documents(session, kind, ids)
    for table, (column, parent_ids) in ({} if new else batch.replaced).items():
        for chunk in _chunks(parent_ids):
            session.execute(delete(table).where(column.in_(chunk)))
    connection = session.connection()
    for table in _parent_first(batch.rows):
        sql, columns = _insert_sql(table)
        # Raw executemany of tuples: SQLAlchemy's per-row parameter processing cost more than the
        # encrypted write itself on a national initial sync. Values are converted as SQLAlchemy's
        # SQLite types would store them, so the ORM reads them back unchanged.
        connection.exec_driver_sql(sql, _values(batch.rows[table], columns))
    search.set_documents(session, batch.documents, new=new)
    return count


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
_INSERTS: dict[str, tuple[str, list]] = {}


def _insert_sql(table: Table) -> tuple[str, list]:
    if table.name not in _INSERTS:
        columns = [(c.name, _CONVERTERS.get(type(c.type).__visit_name__.upper(), _same)) for c in table.columns]
        names = ", ".join(f'"{name}"' for name, _ in columns)
        marks = ", ".join("?" for _ in columns)
        keys = [c.name for c in table.primary_key.columns]
        updates = ", ".join(f'"{name}" = excluded."{name}"' for name, _ in columns if name not in keys)
        # An upsert, never INSERT OR REPLACE: REPLACE deletes the old row first, and the foreign keys'
        # ON DELETE CASCADE then silently deleted a dossier's pièces and annotations on every update.
        _INSERTS[table.name] = (
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) '
            f'ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates}',
            columns,
        )
    return _INSERTS[table.name]


def _parent_first(rows: dict[Table, list[dict]]) -> list[Table]:
    order = [Company.__table__, Dossier.__table__, Convention.__table__]
    return [t for t in order if t in rows] + [t for t in rows if t not in order]


def _chunks(items: list[str], size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- rows -> payload -------------------------------------------------------------------------


def dump_dossier(session: Session, record_id: str) -> dict | None:
    d = session.get(Dossier, record_id)
    if d is None:
        return None
    payload: dict[str, Any] = {k: getattr(d, k) for k in DOSSIER_SCALARS}
    payload.update({k: _iso(getattr(d, k)) for k in DOSSIER_DATES})
    a = d.applicant
    payload["applicant"] = {"birth_date": _iso(a.birth_date), **{k: getattr(a, k) for k in APPLICANT_FIELDS}} if a else {}
    main = next((x for x in d.diplomas if x.is_main), None)
    payload["diploma"] = (
        {"title": main.title, "country": main.country, "obtained_on": _iso(main.obtained_on),
         "issuing_body": main.issuing_body, "recognised_on": _iso(main.recognised_on)}
        if main else None
    )
    payload["experiences"] = copy.deepcopy(d.experiences or [])
    payload["clock_events"] = copy.deepcopy(d.clock_events or [])
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
    payload["beneficiaries"] = copy.deepcopy(c.beneficiaries or [])
    payload["avantages"] = copy.deepcopy(c.avantages or [])
    payload["decision"] = None
    payload.update(c.extra or {})
    return payload
