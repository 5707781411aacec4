"""Local retention: closed files older than the configured period leave the laptop (they stay on the
server, where the DGOS and the services keep them under their own retention rules).

A dossier goes with its pièces, letters (and their PDFs), annotations and scans; a convention with
its letters and files. Nothing with unsent local work is purged. Only kind, id and version of what
was purged stay here (`purged_records`), so the totals checked after each sync still match the
server's; a purged record that changes on the server comes back at the next sync.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, func, select

from aude_desktop.conventions.models import Convention
from aude_desktop.conventions.states import ConventionState as CS
from aude_desktop.dossiers.models import Decision, Dossier, Piece
from aude_desktop.dossiers.states import DossierState as DS
from aude_desktop.rules.calendar import add_months
from aude_desktop.store.models import Annotation, Attachment, Letter, OutboxEntry, PurgedRecord
from aude_desktop.sync import materialize

log = logging.getLogger(__name__)

CLOSED_DOSSIERS = (DS.AUTORISE, DS.REFUSE, DS.IRRECEVABLE, DS.CLOS)
CLOSED_CONVENTIONS = (CS.AUTORISEE, CS.AUTORISEE_TACITEMENT, CS.REFUSEE, CS.CLOSE)


@dataclass
class PurgeReport:
    cutoff: date
    counts: dict[str, int] = field(default_factory=dict)  # kind -> records removed
    files: int = 0
    kept_unsent: int = 0  # old closed files kept because they hold unsent local work

    @property
    def total(self) -> int:
        return self.counts.get("dossier", 0) + self.counts.get("convention", 0)

    def summary(self) -> str:
        if not self.total:
            text = f"Aucun dossier clos avant le {self.cutoff:%d/%m/%Y} à retirer de ce poste."
        else:
            text = (f"{self.counts.get('dossier', 0)} dossier(s) et {self.counts.get('convention', 0)} convention(s) "
                    f"clos avant le {self.cutoff:%d/%m/%Y} retirés de ce poste, avec {self.files} fichier(s) ; "
                    "ils restent consultables sur le serveur.")
        if self.kept_unsent:
            text += f" {self.kept_unsent} conservé(s) car des modifications n'ont pas encore été envoyées."
        return text


def purge_closed(store, today: date, months: int) -> PurgeReport:
    report = PurgeReport(add_months(today, -months))
    with store.session() as s:
        unsent = set(s.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.status != "applied")))
        decided = select(Decision.dossier_id, func.max(Decision.decided_on).label("on")).group_by(Decision.dossier_id).subquery()
        old_dossiers = s.scalars(
            select(Dossier.id).outerjoin(decided, decided.c.dossier_id == Dossier.id)
            .where(Dossier.state.in_(CLOSED_DOSSIERS), func.coalesce(Dossier.closed_on, decided.c.on) < report.cutoff)
        ).all()
        old_conventions = s.scalars(
            select(Convention.id).where(Convention.state.in_(CLOSED_CONVENTIONS),
                                        func.coalesce(Convention.decided_on, Convention.filed_on) < report.cutoff)
        ).all()
        doomed: list[tuple[str, str]] = []
        for kind, ids in (("dossier", old_dossiers), ("convention", old_conventions)):
            for record_id in ids:
                children = _children(s, kind, record_id)
                if unsent & {record_id, *(child_id for _k, child_id in children)}:
                    report.kept_unsent += 1
                    continue
                doomed += [(kind, record_id), *children]
        hashes = _hashes(s, doomed)
        versions = {}
        for kind, record_id in doomed:
            model = materialize.MAIN_MODELS[kind]
            versions[(kind, record_id)] = s.scalar(select(model.version).where(model.id == record_id)) or 0
        for kind, _record_id in doomed:
            report.counts[kind] = report.counts.get(kind, 0) + 1
        _record(s, versions, today)
        materialize.materialize(s, [(kind, record_id, 0, None) for kind, record_id in reversed(doomed)])
        report.files = _drop_unreferenced(s, hashes)
    log.info("retention purge: %s record(s) removed, %d file(s)", sum(report.counts.values()), report.files)
    return report


def _children(s, kind: str, record_id: str) -> list[tuple[str, str]]:
    if kind == "dossier":
        pieces = [("piece", i) for i in s.scalars(select(Piece.id).where(Piece.dossier_id == record_id))]
        letters = [("letter", i) for i in s.scalars(select(Letter.id).where(Letter.dossier_id == record_id))]
        notes = [("annotation", i) for i in s.scalars(select(Annotation.id).where(Annotation.dossier_id == record_id))]
    else:
        pieces = []
        letters = [("letter", i) for i in s.scalars(select(Letter.id).where(Letter.convention_id == record_id))]
        notes = [("annotation", i) for i in s.scalars(select(Annotation.id).where(Annotation.convention_id == record_id))]
    return pieces + letters + notes


def _hashes(s, doomed: list[tuple[str, str]]) -> set[str]:
    hashes: set[str] = set()
    for kind, record_id in doomed:
        if kind == "piece":
            hashes.update(h for h in s.scalars(select(Piece.sha256).where(Piece.id == record_id)) if h)
        elif kind == "letter":
            hashes.update(h for h in s.scalars(select(Letter.sha256).where(Letter.id == record_id)) if h)
        elif kind == "convention":
            extra = s.scalar(select(Convention.extra).where(Convention.id == record_id)) or {}
            hashes.update(a.get("sha256") for a in extra.get("attachments") or [] if isinstance(a, dict) and a.get("sha256"))
    return hashes


def _record(s, versions: dict, today: date) -> None:
    for (kind, record_id), version in versions.items():
        s.merge(PurgedRecord(kind=kind, id=record_id, version=version, purged_on=today))


def _drop_unreferenced(s, hashes: set[str]) -> int:
    """Files of the purged records that no remaining record names (scans and letters hold names)."""
    still_used = set(s.scalars(select(Piece.sha256).where(Piece.sha256.in_(hashes)))) | set(
        s.scalars(select(Letter.sha256).where(Letter.sha256.in_(hashes))))
    gone = hashes - still_used
    if gone:
        s.execute(delete(Attachment).where(Attachment.sha256.in_(gone)))
    return len(gone)


def purged_figures(s) -> tuple[dict[str, int], dict[str, int]]:
    """Per-kind count and version sum of purged records, added to the local totals after a sync."""
    counts, versions = {}, {}
    for kind, count, total in s.execute(
        select(PurgedRecord.kind, func.count(), func.coalesce(func.sum(PurgedRecord.version), 0)).group_by(PurgedRecord.kind)
    ):
        counts[kind], versions[kind] = count, int(total)
    return counts, versions


def forget_returning(s, records: list) -> None:
    """Records pulled again (changed on the server) are local once more: no longer counted as purged."""
    ids = [record_id for _kind, record_id, _v, payload in records if payload is not None]
    for start in range(0, len(ids), 500):
        s.execute(delete(PurgedRecord).where(PurgedRecord.id.in_(ids[start:start + 500])))
