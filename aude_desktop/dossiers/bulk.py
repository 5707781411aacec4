"""Bulk actions on a selection of dossiers (one command per dossier, a per-item report:
casework/bulk.py)."""

from __future__ import annotations

from datetime import date

from aude_desktop.casework.bulk import BulkReport, run_bulk
from aude_desktop.dossiers import commission, detail
from aude_desktop.dossiers.models import Dossier


def assign(store, actor, ids, login: str, **kw) -> BulkReport:
    return run_bulk(store, actor, "Attribution", "dossier.assign", ids, lambda _s, _i: {"assigned_to": login or None}, model=Dossier, **kw)


def acknowledge(store, actor, ids, on: date, **kw) -> BulkReport:
    """Acknowledgements of the day: each lists the pièces its checklist still lacks."""
    from sqlalchemy import select

    from aude_desktop.dossiers.models import Piece

    def args_for(s, dossier_id: str) -> dict:
        situation = s.get(Dossier, dossier_id).situation
        pieces = list(s.scalars(select(Piece).where(Piece.dossier_id == dossier_id)))
        missing = [f"{line.code}) {line.label}" for line in detail.checklist(situation, pieces)
                   if line.status != "recu" and line.code != "d"]
        return {"on": on.isoformat(), "missing": missing}

    return run_bulk(store, actor, "Accusés de réception", "dossier.acknowledge", ids, args_for, model=Dossier, **kw)


def schedule(store, actor, ids, session_id: str, **kw) -> BulkReport:
    def args_for(s, dossier_id: str) -> dict:
        commission.check_profession(s, session_id, dossier_id)
        return commission.session_args(s, session_id)

    return run_bulk(store, actor, "Inscription en commission", "dossier.schedule_commission", ids, args_for, model=Dossier, **kw)


def record_session_avis(store, actor, avis: dict[str, tuple[str, str]], on: date, **kw) -> BulkReport:
    """The avis of a whole session: `avis` maps each dossier of the agenda to (kind, motifs)."""
    def args_for(_s, dossier_id: str) -> dict:
        kind, motifs = avis[dossier_id]
        return {"kind": kind, "on": on.isoformat(), "motifs": motifs}

    return run_bulk(store, actor, "Avis de la séance", "dossier.record_avis", list(avis), args_for, model=Dossier, **kw)
