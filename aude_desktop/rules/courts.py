"""The court competent for the recours contentieux against each authority's decisions (rules data,
resources/rules/courts.json). Where the reading is *uncertain* (national order councils) the entry
says so with its source; the service may set its own (setting `recours_court`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from aude_desktop.paths import resources_dir


@dataclass(frozen=True)
class Court:
    name: str  # with its article: « le tribunal administratif de Toulouse », « le Conseil d'État »
    uncertain: bool
    source: str
    note: str = ""
    overridden: bool = False


@cache
def _table() -> dict:
    return json.loads((resources_dir() / "rules" / "courts.json").read_text(encoding="utf-8"))


def court_for(procedure: str, key: str | None, override: str = "") -> Court:
    """`key`: the region (AUDE: the préfet de région decides) or the EPS authority code."""
    entry = _table()[procedure].get(key or "")
    if override.strip():
        return Court(override.strip(), False, "paramètre du service (recours_court)", overridden=True)
    if entry is None:
        return Court("le tribunal administratif dans le ressort duquel siège l'autorité qui a pris la décision", True,
                     "CJA R.312-1 (autorité absente de courts.json)")
    return Court(entry["court"], bool(entry.get("uncertain")), entry["source"], entry.get("note", ""))
