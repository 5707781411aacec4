"""Definitive dossier references, assigned by the server: `AUDE-YYYY-REG-nnnnnn` (LPS declarations:
`LPS-YYYY-REG-nnnnnn`, their own sequence), sequential per region and year of receipt. A client
registers a dossier offline under a provisional reference
(dossiers/intake.py); the first time the server applies its `dossier.create`, it replaces it here, and
every client receives the definitive one with the record in the change feed.

The sequence is a row of `counters` per region and year, incremented inside the mutation's transaction
(which already holds the writer lock), so two dossiers never get the same number.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import Connection, insert, select, update

from aude_desktop.dossiers.intake_rules import is_provisional
from central_api.db import Counter, Record

# The command that creates each kind of dossier, and the prefix of its references.
PREFIXES = {"dossier.create": "AUDE", "lps.declare": "LPS"}
DEFINITIVE = re.compile(r"^(?:AUDE|LPS)-(\d{4})-([A-Z]{3})-(\d{6})$")


def _counter_name(year: int, region: str, kind: str = "AUDE") -> str:
    return f"reference:{year}:{region}" if kind == "AUDE" else f"reference:{kind}:{year}:{region}"


def _highest_in_use(conn: Connection, year: int, region: str, kind: str = "AUDE") -> int:
    """The numbers already given (demo data, an import) before this counter existed."""
    prefix = f"{kind}-{year}-{region}-"
    highest = 0
    rows = conn.execute(select(Record.payload).where(
        Record.kind == "dossier", Record.region == region, Record.payload.contains(f'"reference":"{prefix}', autoescape=True)))
    for (payload,) in rows:
        match = DEFINITIVE.match(json.loads(payload).get("reference") or "")
        if match:
            highest = max(highest, int(match.group(3)))
    return highest


def next_reference(conn: Connection, year: int, region: str, kind: str = "AUDE") -> str:
    name = _counter_name(year, region, kind)
    value = conn.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar()
    if value is None:
        value = _highest_in_use(conn, year, region, kind) + 1
        conn.execute(insert(Counter).values(name=name, value=value))
    return f"{kind}-{year}-{region}-{value:06d}"


def assign_reference(conn: Connection, command: str, payload: dict) -> dict:
    """The payload to store: a created dossier's provisional reference replaced by the next definitive one."""
    if command not in PREFIXES or not is_provisional(payload.get("reference")):
        return payload
    year = int(payload["received_on"][:4])
    return {**payload, "reference": next_reference(conn, year, payload["region"], PREFIXES[command])}
