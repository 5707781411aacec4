"""The automated CNOM feed: `aude-central cnom sync --from DIR`, run by a timer.

The CNOM drops CSV files (the manual import's format, docs/PROTOCOL.md) ending with the trailer
`FIN;<avantage lines>;<conventions>`, written under a temporary name and renamed to `*.csv` when
complete. Each run takes the files in name order: a file already taken with the same content is
skipped, a new file or a new content of a known file is checked whole, then imported in one
transaction — a file with one bad line or wrong counts is refused whole and stays to be fixed.
Each run leaves a French report (imported / updated / refused, with the line and the reason) in
the reports folder, and each file taken keeps its own in the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select, update

from central_api.cnom import CnomImportError, count_problems, read, store
from central_api.db import CnomFile
from central_api.service import allocate_cursors


class FeedError(ValueError):
    pass


@dataclass
class FileOutcome:
    name: str
    status: str  # importé | déjà importé | refusé
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[int | None, str]] = field(default_factory=list)  # (line or None for the file, reason)


@dataclass
class FeedRun:
    started: datetime
    files: list[FileOutcome]
    report_path: Path | None = None

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "refusé"]

    def summary(self) -> str:
        taken = [f for f in self.files if f.status == "importé"]
        lines = [f"Flux CNOM du {self.started:%d/%m/%Y à %H:%M:%S} UTC : {len(self.files)} fichier(s), "
                 f"{len(taken)} importé(s), {sum(f.status == 'déjà importé' for f in self.files)} déjà importé(s), "
                 f"{len(self.refused)} refusé(s)."]
        for f in self.files:
            if f.status == "importé":
                lines.append(f"  {f.name} : {f.imported} convention(s) importée(s), {f.updated} mise(s) à jour, "
                             f"{f.unchanged} inchangée(s).")
            elif f.status == "déjà importé":
                lines.append(f"  {f.name} : déjà importé, ignoré.")
            else:
                lines.append(f"  {f.name} : refusé, rien n'a été importé de ce fichier :")
                lines += [f"    {'ligne ' + str(line) if line else 'fichier'} : {reason}" for line, reason in f.refused[:200]]
                if len(f.refused) > 200:
                    lines.append(f"    … et {len(f.refused) - 200} autre(s) ligne(s) refusée(s).")
        if self.report_path:
            lines.append(f"Rapport : {self.report_path}")
        return "\n".join(lines)


def sync(engine: Engine, folder: Path, reports: Path | None = None) -> FeedRun:
    if not folder.is_dir():
        raise FeedError(f"Dossier de dépôt du CNOM introuvable : « {folder} ».")
    run = FeedRun(datetime.now(UTC), [])
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv"):
        run.files.append(_take(engine, path))
    reports = reports or folder / "rapports"
    try:
        reports.mkdir(parents=True, exist_ok=True)
        run.report_path = reports / f"cnom-{run.started:%Y%m%dT%H%M%S%f}.txt"
        run.report_path.write_text(run.summary() + "\n", encoding="utf-8")
    except OSError as exc:
        raise FeedError(f"Rapport impossible à écrire dans « {reports} » ({exc.strerror}) ; "
                        "les fichiers valides ont été importés.") from None
    return run


def _take(engine: Engine, path: Path) -> FileOutcome:
    outcome = FileOutcome(path.name, "refusé")
    try:
        data = path.read_bytes()
    except OSError as exc:
        outcome.refused.append((None, f"fichier illisible ({exc.strerror})"))
        return outcome
    digest = hashlib.sha256(data).hexdigest()
    with engine.connect() as conn:
        known = conn.execute(select(CnomFile.sha256).where(CnomFile.name == path.name)).scalar()
    if known == digest:
        outcome.status = "déjà importé"
        return outcome
    try:
        content = read(path)
    except CnomImportError as exc:
        outcome.refused.append((None, str(exc)))
        return outcome
    outcome.refused = list(content.problems)
    if content.trailer is None:
        outcome.refused.append((None, "ligne de fin « FIN;<lignes>;<conventions> » absente : fichier peut-être "
                                      "incomplet, attendez le dépôt complet"))
    outcome.refused += [(None, problem) for problem in count_problems(content)]
    if not content.conventions and not outcome.refused:
        outcome.refused.append((None, "le fichier ne contient aucune convention"))
    if outcome.refused:
        return outcome
    with engine.begin() as conn:  # the whole file or nothing
        allocate_cursors(conn, 0)
        outcome.imported, outcome.updated, outcome.unchanged = store(conn, content.conventions)
        outcome.status = "importé"
        report = json.dumps({"imported": outcome.imported, "updated": outcome.updated, "unchanged": outcome.unchanged,
                             "lines": content.lines}, ensure_ascii=False)
        values = {"sha256": digest, "imported_at": datetime.now(UTC), "report": report}
        if known is None:
            conn.execute(insert(CnomFile).values(name=path.name, **values))
        else:
            conn.execute(update(CnomFile).where(CnomFile.name == path.name).values(**values))
    return outcome
