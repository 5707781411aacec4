"""Issue 16, item 9: the audit log against someone who can write the server's database.

A live server (SQLite file, its audit key beside it) records real events; the attacker then edits
the database directly — deletes the newest entries, empties the table, edits an entry and recomputes
the old plain SHA-256 chain, restores an older copy of the log — and `aude-central audit verify`
or the workstations (which record the head at each sync) must say so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import delete, func, insert, select, text, update

from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.engine import SyncEngine
from central_api.audit import _legacy_hash
from central_api.db import AuditEntry, AuditHead, Record
from central_api.service import insert_system_record
from tests.support.live_server import seeded_server, start

CLI = str(Path(sys.executable).parent / "aude-central")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("modele")
    with seeded_server(folder, 40, 10, 11):
        pass
    return folder


@pytest.fixture
def live(template, tmp_path):
    """Each attack on its own copy of one seeded database (and its audit key)."""
    folder = tmp_path / "central"
    shutil.copytree(template, folder)
    server = start(f"sqlite:///{folder / 'c.db'}")
    server.db_url = f"sqlite:///{folder / 'c.db'}"
    yield server
    server.stop()


def _token(server, login: str, password: str) -> dict:
    answer = requests.post(f"{server.url}/api/v1/auth/token", json={"login": login, "password": password}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _verify(server) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, "audit", "verify", "--db", server.db_url], capture_output=True, text=True)


def _activity(server, admin: bool = False) -> None:
    """Sign-ins (right and wrong), a refused command, downloads, administration by the CLI."""
    agent = _token(server, "agent.occ", "demo-agent-occ")
    assert requests.post(f"{server.url}/api/v1/auth/token", json={"login": "agent.occ", "password": "faux"},
                         timeout=10).status_code == 401
    refused = requests.post(f"{server.url}/api/v1/mutations", headers=agent, timeout=10, json={
        "client_id": f"t-{uuid.uuid4()}", "mutations": [{"id": str(uuid.uuid4()), "seq": 1, "name": "dossier.update",
                                                           "args": {"id": str(uuid.uuid4()), "changes": {}}}]})
    assert refused.json()["results"][0]["status"] == "rejected"
    data = os.urandom(2000)
    sha = hashlib.sha256(data).hexdigest()
    assert requests.put(f"{server.url}/api/v1/attachments/{sha}", data=data, headers=agent, timeout=10).ok
    with server.engine.begin() as conn:
        dossier = conn.scalars(select(Record.id).where(Record.kind == "dossier", Record.region == "OCC")).first()
        insert_system_record(conn, "piece", str(uuid.uuid4()), {"dossier_id": dossier, "code": "b", "label": "Identité",
                                                                 "status": "recu", "sha256": sha}, region="OCC")
    assert requests.get(f"{server.url}/api/v1/attachments/{sha}", headers=agent, timeout=10).content == data
    other = _token(server, "agent.idf", "demo-agent-idf")
    assert requests.get(f"{server.url}/api/v1/attachments/{sha}", headers=other, timeout=10).status_code == 404
    if not admin:
        return
    env = os.environ | {"AUDE_PASSWORD": "un-mot-de-passe-long"}
    for args in (["users", "add", "nouvel.agent", "--role", "agent_dreets", "--region", "BRE"],
                 ["users", "disable", "nouvel.agent"],
                 ["apikeys", "add", "--company", "Laboratoire Témoin", "--siren", "552100554"],
                 ["oidc", "link", "proconnect", "sub-123", "agent.occ"]):
        done = subprocess.run([CLI, *args, "--db", server.db_url], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr


def test_sign_ins_refusals_downloads_and_administration_are_audited(live):
    _activity(live, admin=True)
    with live.engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.login, AuditEntry.command, AuditEntry.outcome, AuditEntry.record_id)
                            .order_by(AuditEntry.id)).all()
    seen = {(r.command, r.outcome) for r in rows}
    assert {("auth.login", "ok"), ("auth.login", "identifiants_invalides"), ("dossier.update", "introuvable"),
            ("attachment.download", "ok"), ("attachment.download", "introuvable"), ("users.add", "ok"),
            ("users.disable", "ok"), ("apikeys.add", "ok"), ("oidc.link", "ok")} <= seen, seen
    admin = [r for r in rows if r.command == "users.add"][0]
    assert admin.login.startswith("admin:") and admin.record_id == "nouvel.agent"
    answer = _verify(live)
    assert answer.returncode == 0 and "Chaîne intègre" in answer.stdout, answer.stdout + answer.stderr


def test_deleting_the_newest_entries_is_detected(live):
    _activity(live)
    with live.engine.begin() as conn:
        last = conn.scalar(select(func.max(AuditEntry.id)))
        conn.execute(delete(AuditEntry).where(AuditEntry.id > last - 3))
    answer = _verify(live)
    assert answer.returncode == 1
    assert "Les entrées les plus récentes ont été supprimées" in answer.stdout and f"à {last} manquantes" in answer.stdout


def test_emptying_the_table_is_detected(live):
    _activity(live)
    with live.engine.begin() as conn:
        conn.execute(delete(AuditEntry))
    answer = _verify(live)
    assert answer.returncode == 1 and "Le journal d'audit a été vidé" in answer.stdout


def test_emptying_the_table_and_deleting_its_head_is_detected(live):
    _activity(live)
    with live.engine.begin() as conn:
        conn.execute(delete(AuditEntry))
        conn.execute(delete(AuditHead))
    live.stop()  # the next start, or the check, finds a log that lost its signed head
    answer = _verify(live)
    assert answer.returncode == 2 and "il a été vidé ou remplacé" in answer.stderr
    assert "Traceback" not in answer.stderr


def test_editing_an_entry_and_recomputing_the_plain_chain_is_detected(live):
    """What beat the old chain: change who did it, recompute every SHA-256 after it, fix the head."""
    _activity(live)
    with live.engine.begin() as conn:
        rows = conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
        prev = "0" * 64
        for row in rows:
            login = "quelqu.un" if row.command == "attachment.download" else row.login
            digest = _legacy_hash(prev, row.at.isoformat(), login, row.command, row.record_kind, row.record_id, row.args_hash)
            conn.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(login=login, prev_hash=prev, hash=digest))
            prev = digest
        conn.execute(update(AuditHead).values(hash=prev))
    answer = _verify(live)
    assert answer.returncode == 1 and "modifiée" in answer.stdout


def test_inserting_a_forged_entry_is_detected(live):
    _activity(live)
    with live.engine.begin() as conn:
        head = conn.execute(select(AuditHead.n, AuditHead.hash)).one()
        forged = hashlib.sha256(b"forged").hexdigest()
        conn.execute(insert(AuditEntry).values(id=head.n + 1, at=func.now(), login="dgos", command="dossier.delete",
                                               record_kind="dossier", record_id="x", args_hash=forged, outcome="applied",
                                               chain=2, prev_hash=head.hash, hash=forged))
        conn.execute(update(AuditHead).values(n=head.n + 1, hash=forged))
    answer = _verify(live)
    assert answer.returncode == 1 and "signature" in answer.stdout


def _workstation(server, tmp_path):
    """A workstation's profile and agent.occ signed in on it (refresh token in the memory keyring)."""
    from aude_desktop.auth.session import AuthSession
    from aude_desktop.sync.http import Transport

    profile = Profile.isolated(tmp_path / "poste")
    store = open_store(profile, database_key(profile))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), "agent.occ")
    auth.sign_in("demo-agent-occ")
    return store, auth


def test_a_workstation_reports_a_log_restored_to_an_older_copy(live, tmp_path, memory_keyring):
    """An older copy of the log with its own (validly signed) head passes `audit verify`; the head
    every workstation recorded at its last sync does not let it pass."""
    store, auth = _workstation(live, tmp_path)
    assert SyncEngine(store, auth).run().audit_alert is None
    with live.engine.connect() as conn:
        old_head = conn.execute(select(AuditHead.__table__)).one()
    _activity(live)
    assert SyncEngine(store, auth).run().audit_alert is None  # the head moved forward: recorded

    with live.engine.begin() as conn:  # the attacker puts the older log back
        conn.execute(delete(AuditEntry).where(AuditEntry.id > old_head.n))
        conn.execute(update(AuditHead).values(n=old_head.n, hash=old_head.hash, mac=old_head.mac))
    assert _verify(live).returncode == 0  # on its own, a consistent older copy cannot be told apart
    report = SyncEngine(store, auth).run()
    assert report.audit_alert and "a reculé" in report.audit_alert
    store.close()


def test_a_workstation_reports_a_forked_log(live, tmp_path, memory_keyring):
    store, auth = _workstation(live, tmp_path)
    SyncEngine(store, auth).run()
    with live.engine.connect() as conn:
        recorded = conn.execute(select(AuditHead.n)).scalar()
    with live.engine.begin() as conn:  # the entry the workstation saw is replaced by another one
        conn.execute(update(AuditEntry).where(AuditEntry.id == recorded).values(hash="f" * 64))
    report = SyncEngine(store, auth).run()
    assert report.audit_alert and "a divergé" in report.audit_alert
    store.close()


def test_the_alert_is_logged_without_personal_data(live, tmp_path, memory_keyring, caplog):
    store, auth = _workstation(live, tmp_path)
    SyncEngine(store, auth).run()
    with live.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
        conn.execute(update(AuditHead).values(n=0, hash="0" * 64))
    with caplog.at_level("WARNING"):
        assert SyncEngine(store, auth).run().audit_alert
    logged = [r.getMessage() for r in caplog.records if "audit head" in r.getMessage()]
    assert logged and all("agent.occ" not in m and "Occitanie" not in m for m in logged)
    store.close()
