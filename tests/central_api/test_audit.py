"""The audit log's hash chain: verified, and tampering (edit, deletion) found at the first broken link."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import delete, select, update

from central_api.db import AuditEntry, make_engine
from central_api.migrate import upgrade
from central_api.service import audit_append, audit_verify
from tests.central_api.conftest import new_dossier


def test_applied_commands_are_audited_and_the_chain_verifies(server, login):
    agent = login("agent.occ")
    dossier_id = str(uuid.uuid4())
    agent.send(agent.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier()}))
    with server.engine.connect() as conn:
        last = conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.login, last.command, last.record_id) == ("agent.occ", "dossier.create", dossier_id)
    count, broken, message = audit_verify(server.engine)
    assert broken is None and count >= 1 and "Chaîne intègre" in message


def _chain(tmp_path: Path, entries: int = 5):
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    engine = make_engine(url)
    upgrade(engine)
    for i in range(entries):
        with engine.begin() as conn:
            audit_append(conn, "agent.occ", "dossier.update", "dossier", f"id-{i}", {"n": i})
    return url, engine


def test_edited_entry_is_detected(tmp_path):
    _url, engine = _chain(tmp_path)
    with engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.id == 3).values(login="quelqu.un"))
    count, broken, message = audit_verify(engine)
    assert broken == 3 and "modifiée" in message


def test_deleted_entry_is_detected_and_the_cli_fails(tmp_path):
    url, engine = _chain(tmp_path)
    ok = subprocess.run([str(Path(sys.executable).parent / "aude-central"), "audit", "verify", "--db", url],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "5 entrées vérifiées" in ok.stdout
    with engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.id == 2))
    count, broken, message = audit_verify(engine)
    assert broken == 3 and "supprimé ou inséré" in message
    engine.dispose()
    bad = subprocess.run([str(Path(sys.executable).parent / "aude-central"), "audit", "verify", "--db", url],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "L'entrée 3" in bad.stdout
