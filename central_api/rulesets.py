"""Publishing a rules file (e.g. the EPS thresholds of a new arrêté) to every client through the
change feed: `aude-central rules publish FILE`. A file the rules engine refuses is not published."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from aude_desktop.conventions.thresholds import RulesetError, parse_ruleset
from central_api.db import Record
from central_api.service import insert_system_record


def publish(engine: Engine, path: Path) -> str:
    from aude_desktop.cli_errors import InputError, read_json

    try:
        raw = read_json(str(path), "fichier de règles")
    except InputError as exc:
        raise RulesetError(str(exc)) from None
    if not isinstance(raw, dict):
        raise RulesetError("Fichier de règles mal formé : un objet JSON est attendu.")
    parse_ruleset(raw)
    record_id = f"eps-thresholds-{raw['version']}"
    with engine.begin() as conn:
        if conn.execute(select(Record.id).where(Record.kind == "ruleset", Record.id == record_id)).first():
            raise RulesetError(f"La version {raw['version']} des seuils est déjà publiée : changez « version ».")
        insert_system_record(conn, "ruleset", record_id, {"kind": "eps_thresholds", **raw}, command="rules.publish")
    return record_id
