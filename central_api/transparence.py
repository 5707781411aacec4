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

from sqlalchemy import Engine, delete, insert, select, update

from aude_desktop.conventions import transparence as ts
from aude_desktop.conventions.transparence import Candidate
from central_api.db import Record, TsImport, TsLine
from central_api.service import allocate_cursors, audit_append, dumps

NAMESPACE = uuid.UUID("5d6f1e0a-93c2-4b7e-8a41-0f2b7c9d3e15")
MAX_LISTED = 50  # lines or references listed per company (the counts are complete)


class TransparenceError(ValueError):
    pass


@dataclass(frozen=True)
class TsRow:
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
        raise TransparenceError(f"Fichier illisible ({exc.strerror}).") from None
    rows: dict[str, TsRow] = {}
    problems: list[str] = []
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
                try:
                    signed = datetime.strptime(signed_text, r.date_format).date() if signed_text else None
                except ValueError:
                    problems.append(f"ligne {line} : date de signature invalide « {signed_text} » (JJ/MM/AAAA attendu)")
                    continue
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
        except csv.Error as exc:
            raise TransparenceError(f"Fichier CSV illisible ({exc}).") from None
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
    for row in rows:
        siren = _siren(row, eps)
        rpps = ts.rpps_of(row.identifier)
        key = f"rpps:{rpps}" if rpps and row.category not in ts.rules().student_categories else ts.person_key(row.last_name, row.first_name)
        candidates = eps.index.get((siren, key), []) if siren else []
        status, chosen = ts.match(candidates, row.signed_on, row.amount_cents)
        statuses[status] += 1
        for c in chosen:
            k = (c.convention_id, c.beneficiary_id)
            if rank[status] > rank.get(best.get(k), 0):
                best[k] = status
            published[c.convention_id].append(row.ligne)
        lines.append({"ligne_identifiant": row.ligne, "entreprise_identifiant": row.entreprise[:80],
                      "company_name": row.company_name, "siren": siren,
                      "beneficiary": (f"RPPS {rpps}" if key.startswith("rpps:") else
                                      f"{row.last_name} {row.first_name}".strip())[:300],
                      "signed_on": row.signed_on, "amount_cents": row.amount_cents, "status": status,
                      "convention_id": chosen[0].convention_id if len(chosen) == 1 else None,
                      "candidates": json.dumps(sorted(c.reference for c in chosen)) if len(chosen) > 1 else None})
        company = companies.setdefault(siren or f"nom:{ts.company_key(row.company_name)}",
                                       _company(siren, eps.names.get(siren) or row.company_name))
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
        for start in range(0, len(lines), 20000):
            conn.execute(insert(TsLine), lines[start:start + 20000])
        for cid, status in conv_status.items():
            c = eps.conventions[cid]
            payload = {"convention_id": cid, "reference": c["reference"], "status": status,
                       "label": ts.convention_label(status), "lines": sorted(published.get(cid, []))[:MAX_LISTED]}
            written += _put(conn, "transparence", cid, payload, c["authority"])
        for key, company in companies.items():
            written += _put(conn, "transparence_company", str(uuid.uuid5(NAMESPACE, key)), company, None)
        written += _retire(conn, "transparence", set(conv_status))
        written += _retire(conn, "transparence_company", {str(uuid.uuid5(NAMESPACE, k)) for k in companies})
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


def _put(conn, kind: str, record_id: str, payload: dict, authority: str | None) -> int:
    """Write the record only if its content changed (clients receive only what changed)."""
    text = dumps(payload)
    row = conn.execute(select(Record.version, Record.payload, Record.deleted).where(
        Record.kind == kind, Record.id == record_id)).first()
    if row is not None and not row.deleted and row.payload == text:
        return 0
    values = {"cursor": allocate_cursors(conn), "deleted": False, "payload": text, "authority": authority}
    if row is None:
        conn.execute(insert(Record).values(kind=kind, id=record_id, version=1, region=None, owner=None, **values))
    else:
        conn.execute(update(Record).where(Record.kind == kind, Record.id == record_id).values(version=row.version + 1, **values))
    return 1


def _retire(conn, kind: str, keep: set[str]) -> int:
    """Statuses no longer computed (a convention refused since, a company gone from the export)."""
    gone = [r.id for r in conn.execute(select(Record.id).where(Record.kind == kind, Record.deleted.is_(False)))
            if r.id not in keep]
    for record_id in gone:
        conn.execute(update(Record).where(Record.kind == kind, Record.id == record_id).values(
            deleted=True, cursor=allocate_cursors(conn), version=Record.version + 1))
    return len(gone)


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

