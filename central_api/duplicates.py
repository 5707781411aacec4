"""The national index of applicants, for the duplicate check of a new dossier: it answers whether the
same person (name without accents or case, birth date) already has a dossier anywhere in France, and
gives only the reference and the region — no other personal data crosses regions."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Engine, select

from aude_desktop.dossiers.intake import same_person
from central_api.db import Record

MAX_MATCHES = 20


def national_matches(engine: Engine, last_name: str, usage_name: str | None, first_names: str | None,
                     birth_date: date) -> list[dict]:
    # Payloads are stored with sorted keys and compact separators: the birth date is found as text
    # before any payload is decoded (the date was parsed above, so the pattern holds no user text).
    needle = f'"birth_date":"{birth_date.isoformat()}"'
    matches = []
    with engine.connect() as conn:
        rows = conn.execute(select(Record.payload, Record.region).where(
            Record.kind == "dossier", Record.deleted.is_(False), Record.payload.contains(needle, autoescape=True)))
        for payload, region in rows:
            p = json.loads(payload)
            a = p.get("applicant") or {}
            if a.get("birth_date") == birth_date.isoformat() and same_person(
                    (last_name, usage_name), first_names, (a.get("last_name"), a.get("usage_name")), a.get("first_names")):
                matches.append({"reference": p.get("reference"), "region": region})
                if len(matches) >= MAX_MATCHES:
                    break
    return sorted(matches, key=lambda m: (m["region"] or "", m["reference"] or ""))
