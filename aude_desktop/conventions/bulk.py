"""Bulk EPS steps on a selection: acknowledge requests, register déclarations, send the same
recommandations — one command per convention, a per-item report (casework/bulk.py)."""

from __future__ import annotations

from datetime import date

from aude_desktop.casework.bulk import BulkReport, run_bulk
from aude_desktop.conventions.models import Convention


def acknowledge(store, actor, ids: list[str], on: date, **kw) -> BulkReport:
    return run_bulk(store, actor, "Accusés de réception", "convention.start_instruction", ids,
                    lambda _s, _i: {"on": on.isoformat()}, model=Convention, **kw)


def register(store, actor, ids: list[str], on: date, **kw) -> BulkReport:
    return run_bulk(store, actor, "Enregistrement des déclarations", "convention.register", ids,
                    lambda _s, _i: {"on": on.isoformat()}, model=Convention, **kw)


def recommend(store, actor, ids: list[str], on: date, text: str, **kw) -> BulkReport:
    return run_bulk(store, actor, "Recommandations", "convention.recommend", ids,
                    lambda _s, _i: {"on": on.isoformat(), "text": text}, model=Convention, **kw)
