"""`aude-central rpps export`: the decisions that let a professional practise, handed to the body that
registers them (the order, or the ARS of the region), one file per body, each decision sent once.

What a decision is depends on the dossier's route (`payload["route"]`, the autorisation d'exercice
when absent): EXTRACTORS maps a route to a pure function `payload -> {"decision_kind",
"decision_date"} | None` (None: nothing granted yet). The rest of the row (identity, NOS codes,
authority, activities of a partial access) is the same for every route.

A run writes every file under a temporary name, records the decisions (table rpps_exports) and
marks each dossier « transmis pour enregistrement » (a system command, so clients see it after their
next sync) in one transaction, then gives the files their names: a failure leaves nothing behind.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from aude_desktop.cli_errors import InputError
from aude_desktop.dossiers import lps
from aude_desktop.dossiers.registration import MARK_COMMAND, system_actor
from aude_desktop.rules.nos import nos_columns
from aude_desktop.rules.reference import professions, regions
from aude_desktop.rules.registration import receiving_body
from central_api.db import Record, RppsExport, RppsRun
from central_api.service import allocate_cursors
from central_api.system_commands import apply_system_command

FORMATS = ("csv", "json")
DECISION_LABELS = {
    "autorisation_exercice": "Autorisation d'exercice",
    "attestation_capacite": "Attestation de capacité à exercer",
    "acces_partiel": "Accès partiel",
    "lps": "Libre prestation de services (déclaration)",
}
# (JSON key, CSV header): one column per field the registration needs.
COLUMNS = (
    ("reference_dossier", "Référence du dossier"),
    ("nature_decision", "Nature de la décision"),
    ("date_decision", "Date de la décision"),
    ("autorite", "Autorité ayant décidé"),
    ("destinataire_code", "Code du destinataire"),
    ("destinataire", "Destinataire"),
    ("nom", "Nom de naissance"),
    ("nom_usage", "Nom d'usage"),
    ("prenoms", "Prénoms"),
    ("sexe", "Sexe"),
    ("date_naissance", "Date de naissance"),
    ("lieu_naissance", "Lieu de naissance"),
    ("pays_naissance", "Pays de naissance"),
    ("nationalite", "Nationalité"),
    ("adresse", "Adresse"),
    ("code_postal", "Code postal"),
    ("ville", "Ville"),
    ("pays", "Pays"),
    ("courriel", "Courriel"),
    ("profession", "Profession"),
    ("nos_table", "Table NOS de la profession"),
    ("nos_code", "Code NOS de la profession"),
    ("specialite_table", "Table NOS de la spécialité"),
    ("specialite_code", "Code NOS de la spécialité"),
    ("nos_incertain", "Code NOS à confirmer"),
    ("activites", "Activités autorisées (accès partiel)"),
    ("titre", "Titre professionnel (accès partiel)"),
    ("diplome", "Diplôme"),
    ("pays_diplome", "Pays du diplôme"),
)
HEADERS = tuple(header for _, header in COLUMNS)
DATE_KEYS = ("date_decision", "date_naissance")
# Export column ← the applicant's field in the dossier payload.
IDENTITY = (("nom", "last_name"), ("nom_usage", "usage_name"), ("prenoms", "first_names"), ("sexe", "sex"),
            ("date_naissance", "birth_date"), ("lieu_naissance", "birth_place"), ("pays_naissance", "birth_country"),
            ("nationalite", "nationality"), ("adresse", "address"), ("code_postal", "postal_code"), ("ville", "city"),
            ("pays", "country"), ("courriel", "email"))
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Extractor = Callable[[dict], "dict | None"]


def autorisation_facts(payload: dict) -> dict | None:
    """The autorisation d'exercice (attestation for ASS, accès partiel when requested) once granted:
    by the decision itself, or after compensation measures passed (test or placement)."""
    decision = payload.get("decision") or {}
    if decision.get("kind") in ("autorisation", "acces_partiel"):
        on = decision.get("decided_on")
    elif (payload.get("epreuve") or {}).get("passed"):
        on = payload["epreuve"].get("on")
    elif (payload.get("stage") or {}).get("validated"):
        on = payload["stage"].get("ended_on")
    else:
        return None
    profession = professions().get(payload.get("profession") or "")
    if not on or profession is None:
        return None
    kind = "acces_partiel" if payload.get("acces_partiel") else profession.outcome
    return {"decision_kind": kind, "decision_date": on}


# One extractor per route (the dossier's `route`; none: the autorisation d'exercice).
EXTRACTORS: dict[str, Extractor] = {"autorisation": autorisation_facts, "lps": lps.registration_facts}


def route_of(payload: dict) -> str:
    return payload.get("route") or "autorisation"


@dataclass(frozen=True)
class Decision:
    record_id: str
    kind: str
    on: date
    body: str
    body_label: str
    row: dict


def registration_row(payload: dict, facts: dict, body_code: str, body_label: str) -> dict:
    applicant = payload.get("applicant") or {}
    diploma = payload.get("diploma") or {}
    decision = payload.get("decision") or {}
    activities = decision.get("activities")  # a partial access names them (and the title to use)
    profession = professions()[payload["profession"]]
    region = regions()[payload["region"]]
    nos = nos_columns(profession.nos)
    return {
        "reference_dossier": payload.get("reference") or "",
        "nature_decision": DECISION_LABELS.get(facts["decision_kind"], facts["decision_kind"]),
        "date_decision": facts["decision_date"],
        "autorite": f"Préfet de la région {region.label} (DREETS {region.label})",
        "destinataire_code": body_code,
        "destinataire": body_label,
        **{key: applicant.get(field) or "" for key, field in IDENTITY},
        "profession": profession.label,
        "nos_table": nos["nos_table"],
        "nos_code": nos["nos_code"],
        "specialite_table": nos["speciality_table"],
        "specialite_code": nos["speciality_code"],
        "nos_incertain": bool(profession.nos and profession.nos.uncertain),
        "activites": [str(a) for a in activities if a] if isinstance(activities, list) else [],
        "titre": decision.get("title") or "",
        "diplome": diploma.get("title") or "",
        "pays_diplome": diploma.get("country") or "",
    }


def _facts(payload: dict) -> dict | None:
    extractor = EXTRACTORS.get(route_of(payload))
    if extractor is None or payload.get("profession") not in professions() or payload.get("region") not in regions():
        return None
    facts = extractor(payload)
    if not facts:
        return None
    try:
        on = date.fromisoformat(facts["decision_date"])
    except (KeyError, TypeError, ValueError):
        return None
    return facts | {"on": on}


def pending(conn, since: date) -> list[Decision]:
    """Decisions dated `since` or later that were never sent (decision kind and date identify one)."""
    sent = {(r.record_id, r.decision_kind, r.decision_on) for r in conn.execute(
        select(RppsExport.record_id, RppsExport.decision_kind, RppsExport.decision_on))}
    out = []
    rows = conn.execute(select(Record.id, Record.payload).where(Record.kind == "dossier", Record.deleted.is_(False)))
    for record_id, text in rows:
        payload = json.loads(text)
        facts = _facts(payload)
        if facts is None or facts["on"] < since or (record_id, facts["decision_kind"], facts["on"]) in sent:
            continue
        body = receiving_body(payload["profession"], payload["region"])
        out.append(Decision(record_id, facts["decision_kind"], facts["on"], body.code, body.label,
                            registration_row(payload, facts, body.code, body.label)))
    out.sort(key=lambda d: (d.body, d.on, d.row["reference_dossier"]))
    return out


def _cell(value) -> str:
    """French spreadsheet cell; text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list):
        value = " ; ".join(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_value(key: str, value) -> str:
    if key in DATE_KEYS and value:
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            pass
    return _cell(value)


def write_file(handle, fmt: str, body_code: str, body_label: str, rows: list[dict], made_at: datetime) -> None:
    if fmt == "csv":
        out = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        out.writerow(HEADERS)
        for row in rows:
            out.writerow([_csv_value(key, row[key]) for key, _ in COLUMNS])
    else:
        document = {"destinataire": {"code": body_code, "libelle": body_label}, "genere_le": made_at.isoformat(timespec="seconds"),
                    "decisions": rows}
        handle.write(json.dumps(document, ensure_ascii=False, indent=1))


@dataclass
class Report:
    since: date
    decisions: int
    files: list[Path]

    def lines(self) -> list[str]:
        if not self.decisions:
            return [f"Aucune nouvelle décision à transmettre depuis le {self.since:%d/%m/%Y} : aucun fichier écrit."]
        out = [f"{self.decisions} décision(s) transmise(s) pour enregistrement (depuis le {self.since:%d/%m/%Y}) :"]
        out += [f"  {path}" for path in self.files]
        return out


def check_out_dir(out: Path) -> Path:
    if not out.is_dir():
        raise InputError(f"--out : dossier introuvable « {out} » (créez-le d'abord).")
    try:
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".rpps-", suffix=".essai")
    except OSError:
        raise InputError(f"--out : impossible d'écrire dans « {out} » (droits ?) : rien n'a été exporté.") from None
    probe.close()
    return out


def _final_name(out: Path, stem: str, fmt: str, taken: set[Path]) -> Path:
    path, n = out / f"{stem}.{fmt}", 1
    while path.exists() or path in taken:
        n += 1
        path = out / f"{stem}-{n}.{fmt}"
    return path


def export(engine: Engine, out: Path, fmt: str, since: date | None, today: date | None = None) -> Report:
    if fmt not in FORMATS:
        raise InputError(f"--format : « {fmt} » inconnu (csv ou json).")
    out = check_out_dir(out)
    today = today or date.today()
    made_at = datetime.now(UTC)
    temps: list[Path] = []
    finals: list[Path] = []
    try:
        with engine.begin() as conn:
            allocate_cursors(conn, 0)  # the writer lock first: two runs never send the same decision
            bound = since or conn.execute(select(func.min(RppsRun.since))).scalar()
            if bound is None:
                raise InputError("Première transmission : indiquez --since AAAA-MM-JJ (les décisions antérieures "
                                 "ne seront jamais envoyées).")
            decisions = pending(conn, bound)
            by_body: dict[str, list[Decision]] = {}
            for decision in decisions:
                by_body.setdefault(decision.body, []).append(decision)
            planned: list[tuple[Path, Path]] = []
            for body, group in by_body.items():
                fd, name = tempfile.mkstemp(dir=out, prefix=".rpps-", suffix=".partiel")
                temps.append(Path(name))
                with os.fdopen(fd, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as handle:
                    write_file(handle, fmt, body, group[0].body_label, [d.row for d in group], made_at)
                final = _final_name(out, f"rpps-{today.isoformat()}-{body}", fmt, {p for _, p in planned})
                planned.append((Path(name), final))
            run_id = conn.execute(insert(RppsRun).values(
                ran_at=made_at, since=bound, format=fmt, decisions=len(decisions),
                files=json.dumps([p.name for _, p in planned], ensure_ascii=False)).returning(RppsRun.id)).scalar_one()
            if decisions:
                conn.execute(insert(RppsExport), [{"record_id": d.record_id, "decision_kind": d.kind, "decision_on": d.on,
                                                   "body": d.body, "run_id": run_id} for d in decisions])
            actor = system_actor()
            for decision in decisions:
                apply_system_command(conn, actor, MARK_COMMAND, decision.record_id,
                                     {"on": today.isoformat(), "body": decision.body})
            for temp, final in planned:
                os.replace(temp, final)  # same folder: atomic, and the name appears only whole
                finals.append(final)
    except BaseException:
        for path in (*temps, *finals):
            path.unlink(missing_ok=True)
        raise
    return Report(bound, len(decisions), finals)


def _day(text: str) -> date:
    import argparse

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (format attendu AAAA-MM-JJ)") from None


def cmd_export(args, engine_factory) -> int:
    out = check_out_dir(Path(args.out))  # before opening the database: a bad folder creates nothing
    report = export(engine_factory(args.db), out, args.format, args.since)
    for line in report.lines():
        print(line)
    return 0


def register(sub, make, default_db: str, engine_factory, db_help: str) -> None:
    from aude_desktop.argparse_fr import FrenchArgumentParser

    rpps = make(sub, "rpps", "transmission des décisions aux ordres et ARS pour l'enregistrement (RPPS)")
    actions = rpps.add_subparsers(dest="action", metavar="ACTION", title="actions", required=True,
                                  parser_class=FrenchArgumentParser)
    run = make(actions, "export", "écrit un fichier par destinataire avec les décisions pas encore transmises")
    run.add_argument("--since", type=_day, metavar="AAAA-MM-JJ",
                     help="décisions datées de ce jour ou après (obligatoire la première fois ; ensuite, la borne de la première transmission)")
    run.add_argument("--format", choices=FORMATS, default="csv", help="csv (séparateur ;, UTF-8 avec BOM) ou json")
    run.add_argument("--out", required=True, metavar="DOSSIER", help="dossier où écrire les fichiers (il doit exister)")
    run.add_argument("--db", default=default_db, metavar="URL", help=db_help)
    run.set_defaults(handler=lambda args: cmd_export(args, engine_factory))
