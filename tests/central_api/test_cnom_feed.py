"""The automated CNOM feed: files taken once, a later version updates, wrong counts and bad lines
refuse the file whole with a French report, the command runs unattended (exit codes)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aude_desktop import catalog
from aude_desktop.domain.commands import Actor, CommandRejected
from central_api.cnom import NAMESPACE
from central_api.cnom_feed import FeedError, sync
from central_api.db import Record
from tests.central_api.test_filing_and_import import HEADER, _line, _rpps


def _file(folder: Path, name: str, lines: list[str], trailer: tuple[int, int] | None = None) -> Path:
    text = HEADER + "".join(lines)
    if trailer is not None:
        text += f"FIN;{trailer[0]};{trailer[1]}\n"
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _cnom_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Record).where(Record.authority == "CNOM")).scalar()


def _record(engine, reference: str):
    with engine.connect() as conn:
        return conn.execute(select(Record.version, Record.payload).where(
            Record.kind == "convention", Record.id == str(uuid.uuid5(NAMESPACE, f"CNOM-{reference}")))).first()


def test_feed_is_idempotent_and_a_later_version_updates(server, tmp_path):
    a, b = uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    drop = tmp_path / "depot"
    drop.mkdir()
    _file(drop, "2026-11-25.csv", [_line(a), _line(a, amount="80"), _line(b)], trailer=(3, 2))
    (drop / "2026-11-26.csv.part").write_text("en cours d'écriture", encoding="utf-8")  # not taken
    before = _cnom_count(server.engine)
    first = sync(server.engine, drop, tmp_path / "rapports")
    assert [(f.name, f.status, f.imported) for f in first.files] == [("2026-11-25.csv", "importé", 2)]
    assert _cnom_count(server.engine) == before + 2
    report = first.report_path.read_text(encoding="utf-8")
    assert "2026-11-25.csv : 2 convention(s) importée(s)" in report

    again = sync(server.engine, drop, tmp_path / "rapports")
    assert [f.status for f in again.files] == ["déjà importé"] and _cnom_count(server.engine) == before + 2

    # The CNOM sends the file again with b's amount corrected: b is updated, a is left as it was.
    _file(drop, "2026-11-25.csv", [_line(a), _line(a, amount="80"), _line(b, amount="420,50")], trailer=(3, 2))
    later = sync(server.engine, drop, tmp_path / "rapports")
    assert [(f.imported, f.updated, f.unchanged) for f in later.files] == [(0, 1, 1)]
    version, payload = _record(server.engine, b)
    assert version == 2 and json.loads(payload)["avantages"][0]["amount"] == "420.50"
    assert _record(server.engine, a).version == 1 and _cnom_count(server.engine) == before + 2
    # A new file naming b again is also a later version of it.
    _file(drop, "2026-11-27.csv", [_line(b, amount="430")], trailer=(1, 1))
    assert [(f.name, f.updated) for f in sync(server.engine, drop).files if f.status == "importé"] == [("2026-11-27.csv", 1)]

    # Imported conventions stay read-only, whoever tries.
    with pytest.raises(CommandRejected, match="lecture seule"):
        catalog.execute("convention.update", json.loads(_record(server.engine, b).payload), {"id": str(uuid.uuid4()), "fields": {"object": "formation"}},
                         Actor("ordre.inf", "ordre", None, "ORDRE-INF"))


def test_wrong_counts_and_bad_lines_refuse_the_file_whole(server, tmp_path):
    drop = tmp_path / "depot"
    drop.mkdir()
    refs = [uuid.uuid4().hex[:8] for _ in range(4)]
    _file(drop, "a-tronque.csv", [_line(refs[0]), _line(refs[1])], trailer=(3, 2))
    _file(drop, "b-sans-fin.csv", [_line(refs[2])])
    _file(drop, "c-mauvaises-lignes.csv", [_line(refs[3]), _line(refs[3], rpps="12345678901"), _line(refs[3], amount="dix")],
          trailer=(3, 1))
    before = _cnom_count(server.engine)
    run = sync(server.engine, drop, tmp_path / "rapports")
    assert [f.status for f in run.files] == ["refusé"] * 3
    assert _cnom_count(server.engine) == before  # nothing half-imported
    truncated, no_trailer, bad = run.files
    assert any("annonce 3 lignes" in reason for _line_no, reason in truncated.refused)
    assert any("ligne de fin" in reason for _line_no, reason in no_trailer.refused)
    assert [line for line, _reason in bad.refused] == [3, 4]
    assert "RPPS" in bad.refused[0][1] and "montant invalide" in bad.refused[1][1]
    report = run.report_path.read_text(encoding="utf-8")
    assert "c-mauvaises-lignes.csv : refusé, rien n'a été importé" in report and "ligne 4 : montant invalide" in report
    # Once fixed, the file is taken on the next run.
    _file(drop, "c-mauvaises-lignes.csv", [_line(refs[3]), _line(refs[3], amount="80")], trailer=(2, 1))
    fixed = sync(server.engine, drop, tmp_path / "rapports")
    assert [f.status for f in fixed.files] == ["refusé", "refusé", "importé"]
    assert _cnom_count(server.engine) == before + 1
    with pytest.raises(FeedError, match="introuvable"):
        sync(server.engine, tmp_path / "absent")


def test_feed_command_line_for_a_timer(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    tool = str(Path(sys.executable).parent / "aude-central")
    drop = tmp_path / "depot"
    drop.mkdir()
    _file(drop, "ok.csv", [_line("T1", rpps=_rpps("1000345679"))], trailer=(1, 1))
    ok = subprocess.run([tool, "cnom", "sync", "--from", str(drop), "--db", db], capture_output=True, text=True)
    assert ok.returncode == 0 and "1 importé(s)" in ok.stdout, ok.stderr
    _file(drop, "ko.csv", [_line("T2")], trailer=(5, 1))
    ko = subprocess.run([tool, "cnom", "sync", "--from", str(drop), "--db", db], capture_output=True, text=True)
    assert ko.returncode == 1 and "ko.csv : refusé" in ko.stdout and "ok.csv : déjà importé" in ko.stdout
    missing = subprocess.run([tool, "cnom", "sync", "--from", str(tmp_path / "absent"), "--db", db], capture_output=True, text=True)
    assert missing.returncode == 2 and "introuvable" in missing.stderr
    assert len(list((drop / "rapports").glob("cnom-*.txt"))) == 2
