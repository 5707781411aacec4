"""Bulk actions on a selection of dossiers: each item is its own command (its own transaction,
re-validated by the workflow here and by the server later), so one refusal never blocks the others
and the report says, per dossier, what was done or why not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers import commission, detail
from aude_desktop.dossiers.models import Dossier
from aude_desktop.store.database import LocalStore
from aude_desktop.sync.local import run_command


@dataclass(frozen=True)
class ItemResult:
    dossier_id: str
    reference: str
    ok: bool
    message: str


@dataclass
class BulkReport:
    action: str
    items: list[ItemResult] = field(default_factory=list)
    cancelled: bool = False

    @property
    def succeeded(self) -> int:
        return sum(1 for i in self.items if i.ok)

    @property
    def failed(self) -> int:
        return len(self.items) - self.succeeded

    def summary(self) -> str:
        text = f"{self.action} : {self.succeeded} réussi(s), {self.failed} refusé(s)"
        return text + (" — interrompu à votre demande." if self.cancelled else ".")


ArgsFor = Callable[[object, str], dict]  # (session, dossier_id) -> command arguments


def run_bulk(store: LocalStore, actor: Actor, action: str, command: str, dossier_ids: list[str], args_for: ArgsFor,
             on_progress: Callable[[int, int], bool] | None = None, model=Dossier) -> BulkReport:
    """`on_progress(done, total)` returning False cancels what is left (done items stay done).
    `model` is the table of the records (dossiers, or conventions for the EPS bulk actions)."""
    report = BulkReport(action)
    for done, dossier_id in enumerate(dossier_ids):
        if on_progress is not None and on_progress(done, len(dossier_ids)) is False:
            report.cancelled = True
            break
        with store.session() as s:
            dossier = s.get(model, dossier_id)
            reference = dossier.reference if dossier else dossier_id
            try:
                args = args_for(s, dossier_id) if dossier else None
            except CommandRejected as exc:
                report.items.append(ItemResult(dossier_id, reference, False, exc.message))
                continue
        if dossier is None:
            report.items.append(ItemResult(dossier_id, reference, False, "Introuvable sur ce poste."))
            continue
        try:
            run_command(store, actor, command, dict(args, id=dossier_id))
        except CommandRejected as exc:
            report.items.append(ItemResult(dossier_id, reference, False, exc.message))
        else:
            report.items.append(ItemResult(dossier_id, reference, True, "Fait."))
    if on_progress is not None and not report.cancelled:
        on_progress(len(dossier_ids), len(dossier_ids))
    return report


def assign(store, actor, ids, login: str, **kw) -> BulkReport:
    return run_bulk(store, actor, "Attribution", "dossier.assign", ids, lambda _s, _i: {"assigned_to": login or None}, **kw)


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

    return run_bulk(store, actor, "Accusés de réception", "dossier.acknowledge", ids, args_for, **kw)


def schedule(store, actor, ids, session_id: str, **kw) -> BulkReport:
    def args_for(s, dossier_id: str) -> dict:
        commission.check_profession(s, session_id, dossier_id)
        return commission.session_args(s, session_id)

    return run_bulk(store, actor, "Inscription en commission", "dossier.schedule_commission", ids, args_for, **kw)


def record_session_avis(store, actor, avis: dict[str, tuple[str, str]], on: date, **kw) -> BulkReport:
    """The avis of a whole session: `avis` maps each dossier of the agenda to (kind, motifs)."""
    def args_for(_s, dossier_id: str) -> dict:
        kind, motifs = avis[dossier_id]
        return {"kind": kind, "on": on.isoformat(), "motifs": motifs}

    return run_bulk(store, actor, "Avis de la séance", "dossier.record_avis", list(avis), args_for, **kw)
