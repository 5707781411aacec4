"""Closed files older than the retention period leave the laptop with everything that names the
applicant (pièces, letters, their PDFs, annotations); unsent work is never purged; the totals still
match the server's after a sync; a purged file changed on the server comes back."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from aude_desktop.auth.actor import remember_user
from aude_desktop.cli import main as cli
from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.models import Dossier
from aude_desktop.retention import CLOSED_DOSSIERS, purge_closed
from aude_desktop.store.models import Attachment, PurgedRecord
from aude_desktop.sync.attachments import add_file
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from central_api.service import allocate_cursors
from tests.support.live_server import seeded_server, signed_in

TODAY = date(2026, 11, 23)


def _sync(store, server) -> object:
    auth = signed_in(server)
    remember_user(store, auth.user)
    return SyncEngine(store, auth).run()


def test_retention_purges_old_closed_files_and_keeps_totals_right(tmp_path, store):
    (tmp_path / "central").mkdir()
    agent = Actor("agent.occ", "agent_dreets", "OCC")
    with seeded_server(tmp_path / "central", 1500, 10, 4) as server:
        _sync(store, server)
        with store.session() as s:
            closed = s.scalars(select(Dossier.id).where(Dossier.state.in_(CLOSED_DOSSIERS))).all()
            total_before = s.scalar(select(func.count()).select_from(Dossier))
        assert len(closed) > 5
        scan = tmp_path / "identite.pdf"
        scan.write_bytes(b"%PDF-1.4 scan de la piece d'identite de Mme Nguyen")
        sha = add_file(store, scan)
        run_command(store, agent, "piece.upsert", {"payload": {"dossier_id": closed[1], "code": "b", "label": "Identité",
                                                              "status": "recu", "sha256": sha, "filename": scan.name}})
        run_command(store, agent, "annotation.save",
                    {"payload": {"dossier_id": closed[1], "text": "vu", "updated_at": "2026-11-23T09:00:00+00:00"}})
        _sync(store, server)  # the scan, the piece and the note are on the server: purgeable here
        kept = closed[0]  # unsent local work on an old closed dossier: it must stay
        run_command(store, agent, "annotation.save",
                    {"payload": {"dossier_id": kept, "text": "à revoir", "updated_at": "2026-11-23T10:00:00+00:00"}})

        report = purge_closed(store, TODAY, months=1)

        assert report.counts.get("dossier", 0) > 0 and report.kept_unsent >= 1
        assert "retirés de ce poste" in report.summary() and "restent consultables sur le serveur" in report.summary()
        with store.session() as s:
            left = set(s.scalars(select(Dossier.id)))
            assert kept in left
            purged = set(s.scalars(select(PurgedRecord.id).where(PurgedRecord.kind == "dossier")))
            assert purged and not purged & left and len(left) == total_before - len(purged)
            assert closed[1] in purged and report.files >= 1 and report.counts.get("piece", 0) >= 1
            assert s.get(Attachment, sha) is None  # the scan's bytes left the laptop with its dossier
            for table in ("pieces", "applicants", "diplomas", "letters", "annotations"):
                count = s.connection().exec_driver_sql(
                    f"SELECT count(*) FROM {table} WHERE dossier_id IN ({','.join('?' * len(purged))})", tuple(purged)).scalar()
                assert count == 0, table

        report_after = _sync(store, server)
        assert report_after.mismatch is False, report_after.warnings  # purged ≠ lost: totals still match

        back = sorted(purged)[0]  # the server changes a purged dossier: it comes back at the next sync
        with server.engine.begin() as conn:
            cursor = allocate_cursors(conn)
            conn.exec_driver_sql("UPDATE records SET version = version + 1, cursor = ? WHERE id = ?", (cursor, back))
        assert _sync(store, server).mismatch is False
        with store.session() as s:
            assert s.get(Dossier, back) is not None and s.get(PurgedRecord, ("dossier", back)) is None


def test_purge_from_the_command_line(tmp_path, capsys):
    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key

    profile_dir = tmp_path / "p"
    store = open_store(Profile.isolated(profile_dir), database_key(Profile.isolated(profile_dir)))
    store.close()
    assert cli(["--profile", str(profile_dir), "purge", "--months", "24", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["removed"] == {} and out["cutoff"]
    assert cli(["--profile", str(profile_dir), "purge", "--months", "0"]) == 2
    assert "entre 1 et 120 mois" in capsys.readouterr().err
