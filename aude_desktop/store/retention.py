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

from sqlalchemy import delete, func, null, select
from sqlalchemy.dialects.sqlite import insert

from aude_desktop.conventions.models import Convention
from aude_desktop.conventions.states import ConventionState as CS
from aude_desktop.dossiers.models import Decision, Dossier, Piece
from aude_desktop.dossiers.states import DossierState as DS
from aude_desktop.rules.calendar import add_months
from aude_desktop.store.models import (
    Annotation,
    Attachment,
    AttachmentData,
    Letter,
    OutboxEntry,
    PurgedRecord,
)
from aude_desktop.sync import materialize

log = logging.getLogger(__name__)

CLOSED_DOSSIERS = (DS.AUTORISE, DS.REFUSE, DS.IRRECEVABLE, DS.CLOS, DS.HORS_CHAMP)
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
        # A few queries per 500 files, not per file: the first purge of a national profile is large.
        children, hashes = _children(s, "dossier", old_dossiers), set()
        children.update(_children(s, "convention", old_conventions))
        doomed: list[tuple[str, str]] = []
        for kind, ids in (("dossier", old_dossiers), ("convention", old_conventions)):
            for record_id in ids:
                own = children.get(record_id, [])
                if unsent & {record_id, *(child_id for _k, child_id, _sha in own)}:
                    report.kept_unsent += 1
                    continue
                doomed.append((kind, record_id))
                doomed += [(k, child_id) for k, child_id, _sha in own]
                hashes.update(sha for _k, _c, sha in own if sha)
        hashes |= _convention_files(s, [record_id for kind, record_id in doomed if kind == "convention"])
        versions = _versions(s, doomed)
        for kind, _record_id in doomed:
            report.counts[kind] = report.counts.get(kind, 0) + 1
        _record(s, versions, today)
        materialize.materialize(s, [(kind, record_id, 0, None) for kind, record_id in reversed(doomed)])
        report.files = drop_unreferenced(s, hashes)
    log.info("retention purge: %s record(s) removed, %d file(s)", sum(report.counts.values()), report.files)
    return report


def _chunks(ids: list[str], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _children(s, kind: str, parent_ids: list[str]) -> dict[str, list[tuple[str, str, str | None]]]:
    """parent id -> its pièces, letters and annotations as (kind, id, sha256 of its file or None)."""
    sources = [("letter", Letter, Letter.sha256), ("annotation", Annotation, None)]
    if kind == "dossier":
        sources.insert(0, ("piece", Piece, Piece.sha256))
    found: dict[str, list[tuple[str, str, str | None]]] = {}
    for child_kind, model, sha in sources:
        parent = model.dossier_id if kind == "dossier" else model.convention_id
        columns = (parent, model.id, sha if sha is not None else null())
        for chunk in _chunks(parent_ids):
            for parent_id, child_id, digest in s.execute(select(*columns).where(parent.in_(chunk))):
                found.setdefault(parent_id, []).append((child_kind, child_id, digest))
    return found


def _convention_files(s, ids: list[str]) -> set[str]:
    hashes: set[str] = set()
    for chunk in _chunks(ids):
        for extra in s.scalars(select(Convention.extra).where(Convention.id.in_(chunk))):
            hashes.update(a.get("sha256") for a in (extra or {}).get("attachments") or []
                          if isinstance(a, dict) and a.get("sha256"))
    return hashes


def _versions(s, doomed: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_kind: dict[str, list[str]] = {}
    for kind, record_id in doomed:
        by_kind.setdefault(kind, []).append(record_id)
    versions = {}
    for kind, ids in by_kind.items():
        model = materialize.MAIN_MODELS[kind]
        for chunk in _chunks(ids):
            versions.update(((kind, i), v or 0) for i, v in s.execute(select(model.id, model.version).where(model.id.in_(chunk))))
    return versions


def _record(s, versions: dict, today: date) -> None:
    rows = [{"kind": kind, "id": record_id, "version": version, "purged_on": today}
            for (kind, record_id), version in versions.items()]
    if rows:
        statement = insert(PurgedRecord)
        s.execute(statement.on_conflict_do_update(index_elements=["kind", "id"], set_={
            "version": statement.excluded.version, "purged_on": statement.excluded.purged_on}), rows)


def drop_unreferenced(s, hashes: set[str]) -> int:
    """Files of the purged records that no remaining record names (scans and letters hold names)."""
    still_used: set[str] = set()
    for chunk in _chunks(sorted(hashes)):
        for column in (Piece.sha256, Letter.sha256):
            still_used.update(s.scalars(select(column).where(column.in_(chunk))))
    gone = sorted(hashes - still_used)
    for chunk in _chunks(gone):  # bytes first: pulled pages are written with foreign keys off (no cascade)
        s.execute(delete(AttachmentData).where(AttachmentData.sha256.in_(chunk)))
        s.execute(delete(Attachment).where(Attachment.sha256.in_(chunk)))
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
    for chunk in _chunks(ids):
        s.execute(delete(PurgedRecord).where(PurgedRecord.id.in_(chunk)))
