"""Issue 16 item 10, end to end: a dossier moved from Occitanie to Île-de-France by an Occitanie
agent's client leaves that client (dossier, pièce and scan) and reaches an Île-de-France client
whole, through the real reference server on 127.0.0.1."""

from __future__ import annotations

import os

from sqlalchemy import select

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.models import Dossier, Piece
from aude_desktop.store.models import AttachmentData
from aude_desktop.sync import attachments
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier
from tests.support.live_server import server_fixture
from tests.sync.test_engine import AGENT, _client

server = server_fixture(30, 10, 11)


def _holds(store, dossier_id: str, sha: str) -> tuple[bool, bool, bool]:
    with store.session() as s:
        return (s.get(Dossier, dossier_id) is not None,
                s.scalar(select(Piece.id).where(Piece.dossier_id == dossier_id)) is not None,
                s.get(AttachmentData, sha) is not None)


def test_a_dossier_moved_to_another_region_leaves_the_old_clients_and_reaches_the_new_ones(tmp_path, server):
    occ, occ_auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "occ")
    colleague, colleague_auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "occ2")
    idf, idf_auth = _client(tmp_path, server.url, "agent.idf", "demo-agent-idf", "idf")
    scan = tmp_path / "passeport.pdf"
    scan.write_bytes(b"%PDF-1.4 passeport " + os.urandom(50_000))
    sha = attachments.add_file(occ, scan)
    dossier_id = run_command(occ, AGENT, "dossier.create", {"payload": new_dossier("OCC")})
    run_command(occ, AGENT, "piece.upsert", {"payload": {"dossier_id": dossier_id, "code": "b", "label": "Identité",
                                                         "status": "recu", "sha256": sha, "filename": scan.name}})
    for store, auth in ((occ, occ_auth), (colleague, colleague_auth), (idf, idf_auth)):
        SyncEngine(store, auth).run()
    assert _holds(colleague, dossier_id, sha) == (True, True, True)
    assert _holds(idf, dossier_id, sha) == (False, False, False)

    run_command(occ, AGENT, "dossier.move_region", {"id": dossier_id, "region": "IDF",
                                                    "reason": "Le demandeur réside en Île-de-France"})
    report = SyncEngine(occ, occ_auth).run()
    assert report.applied == 1 and not report.mismatch, report
    SyncEngine(colleague, colleague_auth).run()
    for store in (occ, colleague):  # gone from the old region's machines, scan included
        assert _holds(store, dossier_id, sha) == (False, False, False)
    report = SyncEngine(idf, idf_auth).run()
    assert _holds(idf, dossier_id, sha) == (True, True, True) and not report.mismatch
    assert attachments.read(idf, sha) == scan.read_bytes()
    with idf.session() as s:
        moved = s.get(Dossier, dossier_id)
        assert moved.region == "IDF" and moved.assigned_to is None
        assert moved.extra["transfers"][0]["reason"] == "Le demandeur réside en Île-de-France"
    # the new region instructs it from now on
    run_command(idf, Actor("agent.idf", "agent_dreets", "IDF"), "dossier.assign", {"id": dossier_id, "assigned_to": "agent.idf"})
    assert SyncEngine(idf, idf_auth).run().applied == 1


def test_a_move_queued_behind_other_offline_work_is_sent_with_the_version_they_reach(tmp_path, server):
    occ, occ_auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "occ")
    idf, idf_auth = _client(tmp_path, server.url, "agent.idf", "demo-agent-idf", "idf")
    dossier_id = run_command(occ, AGENT, "dossier.create", {"payload": new_dossier("OCC")})
    run_command(occ, AGENT, "dossier.acknowledge", {"id": dossier_id, "on": "2026-11-05"})
    run_command(occ, AGENT, "dossier.move_region", {"id": dossier_id, "region": "IDF", "reason": "Erreur d'aiguillage"})
    report = SyncEngine(occ, occ_auth).run()
    assert (report.applied, report.rejected, report.conflicts) == (3, 0, 0), report
    with occ.session() as s:
        assert s.get(Dossier, dossier_id) is None
    SyncEngine(idf, idf_auth).run()
    with idf.session() as s:
        assert s.get(Dossier, dossier_id).version == 3 and s.get(Dossier, dossier_id).state == "complet"


def test_aude_cli_transfer_queues_the_move_and_refuses_in_french(tmp_path, capsys):
    from aude_desktop.auth.actor import remember_user
    from aude_desktop.auth.session import UserInfo
    from aude_desktop.cli import main as cli
    from aude_desktop.paths import Profile
    from aude_desktop.settings import Settings
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from aude_desktop.store.models import OutboxEntry

    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    Settings(last_user="agent.occ").save(profile.settings_path)
    payload = new_dossier("OCC")
    dossier_id = run_command(store, AGENT, "dossier.create", {"payload": payload})
    store.close()
    base = ["--profile", str(tmp_path / "p"), "transfer"]
    assert cli([*base, "--dossier", "AUDE-INCONNU", "--region", "IDF", "--reason", "x"]) == 2
    assert "introuvable sur ce poste" in capsys.readouterr().err
    assert cli([*base, "--dossier", payload["reference"], "--region", "ZZZ", "--reason", "x"]) == 2
    assert "Région inconnue" in capsys.readouterr().err
    assert cli([*base, "--dossier", payload["reference"], "--region", "IDF", "--reason", ""]) == 2
    assert "Motif du transfert : champ obligatoire" in capsys.readouterr().err
    assert cli([*base, "--dossier", dossier_id, "--region", "IDF", "--reason", "Domicile à Paris"]) == 0
    assert "transféré à la région Île-de-France" in capsys.readouterr().out
    store = open_store(profile, database_key(profile))
    with store.session() as s:
        assert [e.name for e in s.scalars(select(OutboxEntry).order_by(OutboxEntry.seq))] == ["dossier.create", "dossier.move_region"]
        assert s.get(Dossier, dossier_id).region == "IDF"
    store.close()
