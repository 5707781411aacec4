"""`aude-central transparence import FILE`: the public Transparence Santé export of conventions
(declaration_convention_*.csv), checked whole, then matched with the EPS conventions.

The export is a full snapshot: an import replaces the previous lines (importing the same file again
changes nothing). Results reach the clients as records of the change feed:
- `transparence` (id = the convention's): « déclarée » / « absente »… on the convention, for its
  instructing authority and DGOS;
- `transparence_company` (one per company): the supervision table — filed in EPS but not published,
  published but never filed, amounts that differ, ambiguous lines — for DGOS.
Only records whose content changed get a new version.
"""

from __future__ import annotations

import csv
import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Engine, bindparam, delete, insert, select, update

from aude_desktop.conventions import transparence as ts
from aude_desktop.conventions.transparence import Candidate
from central_api.db import Record, TsImport, TsLine
from central_api.service import allocate_cursors, audit_append, dumps

NAMESPACE = uuid.UUID("5d6f1e0a-93c2-4b7e-8a41-0f2b7c9d3e15")
MAX_LISTED = 50  # lines or references listed per company (the counts are complete)


class TransparenceError(ValueError):
    pass


class TsRow(NamedTuple):
    ligne: str
    entreprise: str
    company_name: str
    category: str
    last_name: str
    first_name: str
    identifier: str
    signed_on: date | None
    amount_cents: int


@dataclass
class ImportResult:
    lines: int
    statuses: dict[str, int]
    conventions: dict[str, int]
    records_written: int

    def summary(self) -> str:
        r = ts.rules()
        parts = [f"{self.lines} lignes Transparence Santé importées."]
        parts += [f"  {r.line_labels[k]} : {v}" for k, v in sorted(self.statuses.items())]
        parts.append("Conventions EPS :")
        parts += [f"  {r.convention_labels[k]} : {v}" for k, v in sorted(self.conventions.items())]
        parts.append(f"{self.records_written} fiche(s) mise(s) à jour pour les postes.")
        return "\n".join(parts)


def _cents(text: str) -> int:
    if text.isdigit():  # the export's usual whole euros
        return int(text) * 100
    whole, _, cents = text.strip().replace(" ", "").replace(",", ".").partition(".")
    if not whole.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
        raise ValueError(text)
    return int(whole) * 100 + int((cents + "00")[:2])


def read(path: Path) -> list[TsRow]:
    """The whole file checked first: any bad line refuses it, with every line number (50 shown)."""
    r = ts.rules()
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        from aude_desktop.cli_errors import os_error_message

        raise TransparenceError(f"Fichier illisible : {os_error_message(exc)}") from None
    rows: dict[str, TsRow] = {}
    problems: list[str] = []
    dates: dict[str, date | None] = {}
    with handle:
        try:
            reader = csv.reader(handle, delimiter=r.separator)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != r.columns:
                raise TransparenceError("En-tête inattendu : ce n'est pas l'export « declaration_convention » de "
                                        f"Transparence Santé. Colonnes attendues : {r.separator.join(r.columns)}")
            c = {name: i for i, name in enumerate(r.columns)}
            width = len(r.columns)
            for line, fields in enumerate(reader, start=2):
                if not fields:
                    continue
                if len(fields) != width:
                    problems.append(f"ligne {line} : {len(fields)} colonnes au lieu de {width}")
                    continue
                ligne = fields[c["ligne_identifiant"]].strip()
                if not ligne or len(ligne) > 80:
                    problems.append(f"ligne {line} : identifiant de ligne (ligne_identifiant) absent ou trop long")
                    continue
                signed_text = fields[c["conv_date_signature"]].strip()
                if signed_text not in dates:  # a few thousand distinct dates in a million lines
                    try:
                        dates[signed_text] = datetime.strptime(signed_text, r.date_format).date() if signed_text else None
                    except ValueError:
                        problems.append(f"ligne {line} : date de signature invalide « {signed_text} » (JJ/MM/AAAA attendu)")
                        continue
                signed = dates[signed_text]
                try:
                    amount = _cents(fields[c["conv_montant_ttc"]] or "0")
                except ValueError:
                    problems.append(f"ligne {line} : montant TTC invalide « {fields[c['conv_montant_ttc']]} »")
                    continue
                # A rectification line carries the same identifier: the last one read stands.
                rows[ligne] = TsRow(ligne, fields[c["entreprise_identifiant"]].strip(),
                                    fields[c["denomination_sociale"]].strip()[:300],
                                    fields[c["benef_categorie_code"]].strip(), fields[c["benef_nom"]],
                                    fields[c["benef_prenom"]], fields[c["benef_identifiant_valeur"]], signed, amount)
        except UnicodeDecodeError:
            raise TransparenceError("Fichier illisible : encodage UTF-8 attendu.") from None
        except csv.Error:
            raise TransparenceError(f"Fichier CSV illisible (ligne {reader.line_num} : guillemets ou "
                                    "caractères nuls mal placés).") from None
    if problems:
        more = f"\n… et {len(problems) - 50} autre(s) ligne(s) en erreur." if len(problems) > 50 else ""
        raise TransparenceError("\n".join(problems[:50]) + more)
    if not rows:
        raise TransparenceError("Le fichier ne contient aucune ligne de convention.")
    return list(rows.values())


@dataclass
class _Eps:
    """The EPS side: conventions with what the matching needs, indexed by (SIREN, person)."""

    index: dict[tuple[str, str], list[Candidate]]
    by_name: dict[str, set[str]]  # company key → SIRENs
    names: dict[str, str]  # SIREN → the company's name as filed in EPS
    conventions: dict[str, dict]  # id → {reference, authority, siren, name, state, beneficiaries: [ids]}


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def load_eps(engine: Engine) -> _Eps:
    index: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    by_name: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    conventions: dict[str, dict] = {}
    with engine.connect() as conn:
        rows = conn.execute(select(Record.id, Record.authority, Record.payload).where(
            Record.kind == "convention", Record.deleted.is_(False))).yield_per(5000)
        for record_id, authority, text in rows:
            p = json.loads(text)
            company = p.get("company") or {}
            siren = company.get("siren")
            if not siren:
                continue
            by_name[ts.company_key(company.get("name"))].add(siren)
            names.setdefault(siren, company.get("name") or "")
            shared = sum(ts_cents(a) for a in p.get("avantages") or [] if not a.get("beneficiary_id"))
            amounts: dict[str, int] = defaultdict(int)
            for a in p.get("avantages") or []:
                if a.get("beneficiary_id"):
                    amounts[a["beneficiary_id"]] += ts_cents(a)
            start, end, filed = _day(p.get("period_start")), _day(p.get("period_end")), _day(p.get("filed_on"))
            ids = []
            for b in p.get("beneficiaries") or []:
                ids.append(b["id"])
                candidate = Candidate(record_id, b["id"], p.get("reference") or "", amounts[b["id"]] + shared,
                                      start, end, filed or date.min)
                keys = {ts.person_key(b.get("last_name") or b.get("name"), b.get("first_name"))}
                if rpps := ts.rpps_of(b.get("rpps")):
                    keys.add(f"rpps:{rpps}")
                for key in keys:
                    index[(siren, key)].append(candidate)
            conventions[record_id] = {"reference": p.get("reference"), "authority": authority, "siren": siren,
                                      "name": company.get("name") or "", "state": p.get("state"),
                                      "beneficiaries": ids}
    return _Eps(index, by_name, names, conventions)


def ts_cents(avantage: dict) -> int:
    try:
        return _cents(str(avantage.get("amount") or "0"))
    except ValueError:
        return 0


def _siren(row: TsRow, eps: _Eps) -> str | None:
    siren = ts.ts_siren(row.entreprise)
    if siren:
        return siren
    found = eps.by_name.get(ts.company_key(row.company_name)) or set()
    return next(iter(found)) if len(found) == 1 else None


def import_file(engine: Engine, path: Path) -> ImportResult:
    rows = read(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    eps = load_eps(engine)
    rank = {"rapprochee": 3, "montant_different": 2, "ambigue": 1}
    best: dict[tuple[str, str], str] = {}  # (convention, beneficiary) → best line status
    published: dict[str, list[str]] = defaultdict(list)  # convention → its lines
    lines, statuses = [], defaultdict(int)
    companies: dict[str, dict] = {}
    resolved: dict[tuple[str, str], tuple[str | None, str]] = {}  # (SIREN, table key): once per company
    identifiers: dict[str, str | None] = {}  # a professional's lines share the RPPS check
    students = ts.rules().student_categories
    for row in rows:
        pair = (row.entreprise, row.company_name)
        if pair not in resolved:
            found = _siren(row, eps)
            resolved[pair] = (found, found or f"nom:{ts.company_key(row.company_name)}")
        siren, group = resolved[pair]
        rpps = identifiers[row.identifier] if row.identifier in identifiers else identifiers.setdefault(
            row.identifier, ts.rpps_of(row.identifier))
        key = f"rpps:{rpps}" if rpps and row.category not in students else ts.person_key(row.last_name, row.first_name)
        candidates = eps.index.get((siren, key), []) if siren else []
        status, chosen = ts.match(candidates, row.signed_on, row.amount_cents)
        statuses[status] += 1
        for c in chosen:
            k = (c.convention_id, c.beneficiary_id)
            if rank[status] > rank.get(best.get(k), 0):
                best[k] = status
            published[c.convention_id].append(row.ligne)
        lines.append((row.ligne, row.entreprise[:80], row.company_name, siren,
                      (f"RPPS {rpps}" if key.startswith("rpps:") else f"{row.last_name} {row.first_name}".strip())[:300],
                      row.signed_on, row.amount_cents, status, chosen[0].convention_id if len(chosen) == 1 else None,
                      json.dumps(sorted(c.reference for c in chosen)) if len(chosen) > 1 else None))
        company = companies.get(group) or companies.setdefault(group, _company(siren, eps.names.get(siren) or row.company_name))
        if status == "jamais_deposee":
            _count(company, "published_never_filed", f"{row.ligne} ({row.signed_on:%d/%m/%Y}, {row.amount_cents / 100:.2f} €)"
                   if row.signed_on else row.ligne)
        elif status == "montant_different":
            _count(company, "amount_differs", f"{chosen[0].reference} ↔ {row.ligne}")
        elif status == "ambigue":
            _count(company, "ambiguous", f"{row.ligne} ↔ {', '.join(sorted(c.reference for c in chosen))}")

    expected = ts.rules().expected_states
    conv_status: dict[str, str] = {}
    for cid, c in eps.conventions.items():
        results = [best.get((cid, b)) for b in c["beneficiaries"]]
        if c["state"] not in expected and all(r is None for r in results):
            continue  # not expected on Transparence Santé (refused, still in instruction…)
        status = ts.convention_status(results)
        conv_status[cid] = status
        company = companies.setdefault(c["siren"], _company(c["siren"], c["name"]))
        if status == "absente":
            _count(company, "filed_not_published", c["reference"])
        company["conventions"] += 1
    today = datetime.now(UTC).date().isoformat()
    written = 0
    with engine.begin() as conn:  # all or nothing: lines, statuses and the run
        allocate_cursors(conn, 0)
        conn.execute(delete(TsLine))
        _insert_lines(conn, lines)
        statuses_wanted = {}
        for cid, status in conv_status.items():
            c = eps.conventions[cid]
            statuses_wanted[cid] = (dumps({"convention_id": cid, "reference": c["reference"], "status": status,
                                           "label": ts.convention_label(status),
                                           "lines": sorted(published.get(cid, []))[:MAX_LISTED]}), c["authority"])
        written += _write(conn, "transparence", statuses_wanted)
        written += _write(conn, "transparence_company",
                          {str(uuid.uuid5(NAMESPACE, key)): (dumps(company), None) for key, company in companies.items()})
        by_convention = defaultdict(int)
        for status in conv_status.values():
            by_convention[status] += 1
        report = {"file": path.name, "lines": len(lines), "statuses": dict(statuses), "conventions": dict(by_convention),
                  "checked_on": today}
        run_id = conn.execute(insert(TsImport).values(
            file_name=path.name[:255], sha256=digest, imported_at=datetime.now(UTC), lines=len(lines),
            report=json.dumps(report, ensure_ascii=False)).returning(TsImport.id)).scalar_one()
        audit_append(conn, "import:transparence", "import.transparence", "ts_import", str(run_id), report)
    return ImportResult(len(lines), dict(statuses), dict(by_convention), written)


def _company(siren: str | None, name: str) -> dict:
    return {"siren": siren, "name": name, "conventions": 0, "filed_not_published": 0, "published_never_filed": 0,
            "amount_differs": 0, "ambiguous": 0, "details": {}}


def _count(company: dict, what: str, detail: str) -> None:
    company[what] += 1
    listed = company["details"].setdefault(what, [])
    if len(listed) < MAX_LISTED:
        listed.append(detail)


LINE_COLUMNS = ("ligne_identifiant", "entreprise_identifiant", "company_name", "siren", "beneficiary", "signed_on",
                "amount_cents", "status", "convention_id", "candidates")


def _insert_lines(conn, lines: list[tuple]) -> None:
    """A million rows straight to the driver: SQLAlchemy's per-row parameter processing cost more
    than the write itself. Only the placeholder style and SQLite's date text differ by database."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {TsLine.__tablename__} ({', '.join(LINE_COLUMNS)}) "
           f"VALUES ({', '.join(marker for _ in LINE_COLUMNS)})")
    day = LINE_COLUMNS.index("signed_on")
    as_text = conn.dialect.name == "sqlite"  # stored as SQLAlchemy's Date type stores it there
    for start in range(0, len(lines), 50000):
        chunk = lines[start:start + 50000]
        if as_text:
            chunk = [(*r[:day], r[day].isoformat() if r[day] else None, *r[day + 1:]) for r in chunk]
        conn.exec_driver_sql(sql, chunk)


def _write(conn, kind: str, wanted: dict[str, tuple[str, str | None]]) -> int:
    """Records of `kind` made to match `wanted` (id → payload text, authority) in a few statements:
    only new or changed ones get a new version and cursor, so clients receive only what changed;
    those no longer computed (a convention refused since, a company gone from the export) are deleted."""
    existing = {r.id: r for r in conn.execute(select(Record.id, Record.version, Record.payload, Record.deleted,
                                                     Record.authority).where(Record.kind == kind))}
    new = [i for i in wanted if i not in existing]
    changed = [i for i in wanted if i in existing and (existing[i].deleted or existing[i].payload != wanted[i][0])]
    gone = [i for i, r in existing.items() if i not in wanted and not r.deleted]
    count = len(new) + len(changed) + len(gone)
    if not count:
        return 0
    cursors = iter(range(allocate_cursors(conn, count) - count + 1, 10**18))
    if new:
        conn.execute(insert(Record), [
            {"kind": kind, "id": i, "version": 1, "cursor": next(cursors), "deleted": False, "region": None,
             "authority": wanted[i][1], "owner": None, "company": None, "payload": wanted[i][0]} for i in new])
    updates = [{"b_id": i, "b_version": existing[i].version + 1, "b_cursor": next(cursors), "b_deleted": False,
                "b_payload": wanted[i][0], "b_authority": wanted[i][1]} for i in changed]
    updates += [{"b_id": i, "b_version": existing[i].version + 1, "b_cursor": next(cursors), "b_deleted": True,
                 "b_payload": existing[i].payload, "b_authority": existing[i].authority} for i in gone]  # its tombstone reaches its readers
    if updates:
        conn.execute(update(Record).where(Record.kind == kind, Record.id == bindparam("b_id")).values(
            version=bindparam("b_version"), cursor=bindparam("b_cursor"), deleted=bindparam("b_deleted"),
            payload=bindparam("b_payload"), authority=bindparam("b_authority")), updates)
    return count


@dataclass(frozen=True)
class CompanyRow:
    siren: str
    name: str
    conventions: int
    not_published: int
    never_filed: int
    amount_differs: int
    ambiguous: int


def company_table(engine: Engine) -> list[CompanyRow]:
    """The supervision table, most discrepancies first."""
    with engine.connect() as conn:
        payloads = [json.loads(t) for (t,) in conn.execute(select(Record.payload).where(
            Record.kind == "transparence_company", Record.deleted.is_(False)))]
    rows = [CompanyRow(p["siren"] or "—", p["name"], p["conventions"], p["filed_not_published"],
                       p["published_never_filed"], p["amount_differs"], p["ambiguous"]) for p in payloads]
    return sorted(rows, key=lambda r: (-(r.not_published + r.never_filed + r.amount_differs + r.ambiguous), r.name))

