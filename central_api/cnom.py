"""Import of doctors' conventions transmitted by the CNOM (read-only data, for supervision).

CSV, UTF-8 (BOM accepted), separator `;`, one line per avantage; lines of the same `reference` form
one convention. Columns (docs/PROTOCOL.md): reference;siren;siret;entreprise;nom;prenom;rpps;
objet;regime;date_depot;nature;montant;date_avantage. The whole file is checked before anything is
written: a bad line rejects the import with its line number, nothing half-imported.
"""

from __future__ import annotations

import csv
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from aude_desktop.conventions.typology import NATURES, OBJECTS
from aude_desktop.rules.identifiers import rpps_error, siren_error, siret_error
from aude_desktop.sync.commands import CommandRejected
from central_api.db import Record
from central_api.service import insert_system_record

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


def parse(path: Path) -> dict[str, dict]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CnomImportError(f"Fichier illisible ({exc}). Attendu : CSV UTF-8, séparateur « ; ».") from None
    reader = csv.DictReader(text.splitlines(), delimiter=";")
    if reader.fieldnames != COLUMNS:
        raise CnomImportError(f"En-tête inattendu. Colonnes attendues : {';'.join(COLUMNS)}")
    conventions: dict[str, dict] = {}
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            problems.append(f"ligne {line} : nombre de colonnes incorrect")
            continue
        row = {k: v.strip() for k, v in row.items()}
        problems += _check(line, row)
        if problems:
            continue
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
    if problems:
        raise CnomImportError("\n".join(problems[:50]))
    if not conventions:
        raise CnomImportError("Le fichier ne contient aucune convention.")
    return conventions


def import_cnom(engine: Engine, path: Path) -> int:
    conventions = parse(path)
    with engine.begin() as conn:  # all or nothing
        for reference, payload in conventions.items():
            record_id = str(uuid.uuid5(NAMESPACE, reference))
            if conn.execute(select(Record.id).where(Record.kind == "convention", Record.id == record_id)).first():
                continue  # re-importing the same file adds nothing
            try:
                insert_system_record(conn, "convention", record_id, payload, authority="CNOM",
                                     login="import:cnom", command="import.cnom")
            except CommandRejected as exc:  # a reference another convention holds: nothing imported
                raise CnomImportError(f"Convention {reference} : {exc.message} Rien n'a été importé.") from None
    return len(conventions)
