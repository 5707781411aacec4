"""Bulk actions on a selection of records (dossiers or conventions): each item is its own command
(its own transaction, re-validated by the workflow here and by the server later), so one refusal
never blocks the others and the report says, per record, what was done or why not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aude_desktop.domain.commands import Actor, CommandRejected
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
             on_progress: Callable[[int, int], bool] | None = None, *, model) -> BulkReport:
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
