"""Publishing a rules file (e.g. the EPS thresholds of a new arrêté) to every client through the
change feed: `aude-central rules publish FILE`. A file the rules engine refuses is not published."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, select

from aude_desktop.conventions.thresholds import RulesetError, parse_ruleset
from central_api.db import Record
from central_api.service import insert_system_record


def publish(engine: Engine, path: Path) -> str:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RulesetError(f"Fichier de règles illisible ({path.name}) : {exc}") from None
    parse_ruleset(raw)
    record_id = f"eps-thresholds-{raw['version']}"
    with engine.begin() as conn:
        if conn.execute(select(Record.id).where(Record.kind == "ruleset", Record.id == record_id)).first():
            raise RulesetError(f"La version {raw['version']} des seuils est déjà publiée : changez « version ».")
        insert_system_record(conn, "ruleset", record_id, {"kind": "eps_thresholds", **raw}, command="rules.publish")
    return record_id
