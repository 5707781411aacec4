"""Import of doctors' conventions transmitted by the CNOM (read-only data, for supervision).

CSV, UTF-8 (BOM accepted), separator `;`, one line per avantage; lines of the same `reference` form
one convention. Columns (docs/PROTOCOL.md): reference;siren;siret;entreprise;nom;prenom;rpps;
objet;regime;date_depot;nature;montant;date_avantage, and an optional last line
`FIN;<avantage lines>;<conventions>` whose counts are checked. The whole file is checked before
anything is written: a bad line rejects the import with its line number, nothing half-imported.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, select, update

from aude_desktop.conventions.typology import NATURES, OBJECTS
from aude_desktop.domain.commands import CommandRejected
from aude_desktop.rules.identifiers import rpps_error, siren_error, siret_error
from central_api.db import Record
from central_api.service import allocate_cursors, audit_append, dumps, insert_system_record

COLUMNS = ["reference", "siren", "siret", "entreprise", "nom", "prenom", "rpps", "objet", "regime",
           "date_depot", "nature", "montant", "date_avantage"]
NAMESPACE = uuid.UUID("0c4a7e3e-5b1f-4c5e-8f63-2d8e1f9a6b21")


class CnomImportError(ValueError):
    pass


def _check(line: int, row: dict) -> list[str]:
    problems = []
    for column, check in (("siren", siren_error), ("siret", siret_error), ("rpps", rpps_error)):
        if message := check(row[column]):
            problems.append(f"ligne {line} : {message}")
    if row["objet"] not in OBJECTS:
        problems.append(f"ligne {line} : objet inconnu « {row['objet']} »")
    if row["nature"] not in NATURES:
        problems.append(f"ligne {line} : nature inconnue « {row['nature']} »")
    if row["regime"] not in ("declaration", "autorisation"):
        problems.append(f"ligne {line} : régime inconnu « {row['regime']} »")
    for column in ("date_depot", "date_avantage"):
        try:
            date.fromisoformat(row[column])
        except ValueError:
            problems.append(f"ligne {line} : date invalide dans {column} « {row[column]} »")
    try:
        whole, _, cents = row["montant"].replace(",", ".").partition(".")
        if not whole.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
            raise ValueError
    except ValueError:
        problems.append(f"ligne {line} : montant invalide « {row['montant']} »")
    return problems


TRAILER = "FIN"  # optional last line « FIN;<avantage lines>;<conventions> » (required by the feed)


@dataclass
class CnomFileContent:
    conventions: dict[str, dict]
    problems: list[tuple[int, str]]  # (line, French reason)
    lines: int  # avantage lines read
    trailer: tuple[int, int] | None  # what the file announces: (lines, conventions)


def read(path: Path) -> CnomFileContent:
    """Every line checked; nothing is written here. Raises CnomImportError when the file cannot be read at all."""
    from aude_desktop.cli_errors import InputError, read_text

    try:
        text = read_text(str(path), "fichier CSV")
    except InputError as exc:
        raise CnomImportError(f"{exc} Attendu : CSV UTF-8, séparateur « ; ».") from None
    lines = text.splitlines()
    trailer = None
    if lines and lines[-1].startswith(TRAILER + ";"):
        parts = lines.pop().split(";")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise CnomImportError(f"Ligne de fin illisible (ligne {len(lines) + 1}) : attendu « {TRAILER};<lignes>;<conventions> ».")
        trailer = (int(parts[1]), int(parts[2]))
    reader = csv.DictReader(lines, delimiter=";")
    if reader.fieldnames != COLUMNS:
        raise CnomImportError(f"En-tête inattendu. Colonnes attendues : {';'.join(COLUMNS)}")
    conventions: dict[str, dict] = {}
    problems: list[tuple[int, str]] = []
    count = 0
    for line, row in enumerate(reader, start=2):
        count += 1
        if None in row or any(v is None for v in row.values()):
            problems.append((line, "nombre de colonnes incorrect"))
            continue
        row = {k: v.strip() for k, v in row.items()}
        found = _check(line, row)
        problems += [(line, p.split(" : ", 1)[1]) for p in found]
        if not found:
            _add(conventions, row)
    return CnomFileContent(conventions, problems, count, trailer)


def _add(conventions: dict[str, dict], row: dict) -> None:
    c = conventions.setdefault(row["reference"], {
        "reference": row["reference"], "authority": "CNOM", "source": "cnom_import", "read_only": True,
        "company": {"name": row["entreprise"], "siren": row["siren"], "siret": row["siret"], "address": None},
        "object": row["objet"], "regime": row["regime"], "state": "close", "urgent": False,
        "filed_on": row["date_depot"], "octroi_on": row["date_avantage"], "period_start": None, "period_end": None,
        "signing_region": None, "decision": None, "assigned_to": None, "beneficiaries": [], "avantages": []})
    bid = next((b["id"] for b in c["beneficiaries"] if b["rpps"] == row["rpps"]), None)
    if bid is None:
        bid = f"b{len(c['beneficiaries']) + 1}"
        c["beneficiaries"].append({"id": bid, "category": "professionnel", "last_name": row["nom"],
                                   "first_name": row["prenom"], "quality": "Médecin", "profession": "medecin",
                                   "rpps": row["rpps"], "order_number": None, "ine": None, "school": None,
                                   "name": None, "object": None, "address": None})
    whole, _, cents = row["montant"].replace(",", ".").partition(".")
    c["avantages"].append({"id": f"a{len(c['avantages']) + 1}", "beneficiary_id": bid, "nature": row["nature"],
                           "amount": f"{int(whole)}.{(cents + '00')[:2]}", "hours": None, "half_days": None,
                           "nights": None, "meals": None, "collations": None, "date": row["date_avantage"],
                           "description": None})


def parse(path: Path) -> dict[str, dict]:
    """The manual import: the whole file or nothing, the reasons in one French message."""
    content = read(path)
    problems = [f"ligne {line} : {reason}" for line, reason in content.problems]
    problems += count_problems(content)
    if problems:
        raise CnomImportError("\n".join(problems[:50]))
    if not content.conventions:
        raise CnomImportError("Le fichier ne contient aucune convention.")
    return content.conventions


def count_problems(content: CnomFileContent) -> list[str]:
    if content.trailer is None:
        return []
    lines, conventions = content.trailer
    out = []
    if lines != content.lines:
        out.append(f"le fichier annonce {lines} lignes d'avantages et en contient {content.lines} : fichier tronqué ou incomplet")
    if not content.problems and conventions != len(content.conventions):
        out.append(f"le fichier annonce {conventions} conventions et en contient {len(content.conventions)}")
    return out


def store(conn: Connection, conventions: dict[str, dict]) -> tuple[int, int, int]:
    """Inside the caller's transaction: (imported, updated, unchanged). A convention is keyed by its
    CNOM reference: the same one sent again with other content is a later version and replaces it."""
    imported = updated = unchanged = 0
    for reference, payload in conventions.items():
        record_id = str(uuid.uuid5(NAMESPACE, reference))
        row = conn.execute(select(Record.version, Record.payload).where(
            Record.kind == "convention", Record.id == record_id)).first()
        if row is None:
            try:
                insert_system_record(conn, "convention", record_id, payload, authority="CNOM",
                                     login="import:cnom", command="import.cnom")
            except CommandRejected as exc:  # a reference another convention holds: the file is refused whole
                raise CnomImportError(f"Convention {reference} : {exc.message} Rien n'a été importé.") from None
            imported += 1
        elif row.payload == dumps(payload):
            unchanged += 1
        else:
            conn.execute(update(Record).where(Record.kind == "convention", Record.id == record_id).values(
                version=row.version + 1, cursor=allocate_cursors(conn), deleted=False, payload=dumps(payload)))
            audit_append(conn, "import:cnom", "import.cnom.update", "convention", record_id, payload)
            updated += 1
    return imported, updated, unchanged


def import_cnom(engine: Engine, path: Path) -> int:
    conventions = parse(path)
    with engine.begin() as conn:  # all or nothing
        allocate_cursors(conn, 0)
        store(conn, conventions)
    return len(conventions)
