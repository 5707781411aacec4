"""The same letter for a selection (e.g. all acknowledgements of the day): each issued and
registered on its own, a per-item report, cancellable (what is issued stays issued)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aude_desktop.casework.bulk import BulkReport, ItemResult
from aude_desktop.letters import compose, register
from aude_desktop.letters.templates import templates


def issue_many(store, actor, settings, procedure: str, kind: str, ids: list[str], today: date,
               on_progress: Callable[[int, int], bool] | None = None, *, confirm_late: bool = False) -> BulkReport:
    """`confirm_late`: the agent already confirmed issuing past the legal window (the CLI's
    --confirmer-hors-delai); otherwise a late letter is refused item by item with what it changes."""
    report = BulkReport(f"Courriers : {templates(procedure)[kind].title}")
    try:  # the same letterhead for every letter: checked once, the whole selection refused if incomplete
        from_ = register.sender_for(store, actor, settings)
    except compose.LetterNotApplicable as exc:
        report.items.extend(ItemResult(record_id, record_id, False, str(exc)) for record_id in ids)
        return report
    for done, record_id in enumerate(ids):
        if on_progress is not None and on_progress(done, len(ids)) is False:
            report.cancelled = True
            break
        try:
            issued = register.issue(store, actor, settings, procedure, kind, record_id, today, from_=from_,
                                    confirm_late=confirm_late)
        except compose.LetterNotApplicable as exc:
            report.items.append(ItemResult(record_id, record_id, False, str(exc)))
        else:
            what = "déjà émis : courrier enregistré réutilisé" if issued.reissued else "émis et enregistré"
            report.items.append(ItemResult(record_id, issued.reference, True, what))
    if on_progress is not None and not report.cancelled:
        on_progress(len(ids), len(ids))
    return report
