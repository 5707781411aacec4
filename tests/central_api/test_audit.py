"""The audit log's keyed chain: verified, tampering found at the first broken link, older plain
chains sealed on upgrade (the attacks themselves: tests/security/test_audit_tampering.py)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, select, text, update

from central_api import audit
from central_api.audit import audit_append, audit_verify, open_log
from central_api.db import AuditEntry, make_engine
from central_api.migrate import alembic_config, upgrade
from tests.central_api.conftest import new_dossier

CLI = str(Path(sys.executable).parent / "aude-central")


def test_applied_commands_are_audited_and_the_chain_verifies(server, login):
    agent = login("agent.occ")
    dossier_id = str(uuid.uuid4())
    agent.send(agent.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier()}))
    with server.engine.connect() as conn:
        last = conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.login, last.command, last.record_id, last.outcome) == ("agent.occ", "dossier.create", dossier_id, "applied")
    count, broken, message = audit_verify(server.engine)
    assert broken is None and count >= 1 and "Chaîne intègre" in message


def _chain(tmp_path: Path, entries: int = 5):
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    engine = make_engine(url)
    upgrade(engine)
    open_log(engine, url)
    for i in range(entries):
        with engine.begin() as conn:
            audit_append(conn, "agent.occ", "dossier.update", "dossier", f"id-{i}", {"n": i})
    return url, engine


def test_the_key_lives_beside_the_database_readable_by_its_owner_only(tmp_path):
    _url, engine = _chain(tmp_path)
    key_file = tmp_path / "audit.db.audit-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = bytes.fromhex(key_file.read_text().strip())
    engine.dispose()  # checkpoint: every page is in the database file
    database = (tmp_path / "audit.db").read_bytes()
    assert key not in database and key.hex().encode() not in database
    assert audit_verify(engine)[1] is None


def test_edited_entry_is_detected(tmp_path):
    _url, engine = _chain(tmp_path)
    with engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.id == 3).values(login="quelqu.un"))
    count, broken, message = audit_verify(engine)
    assert broken == 3 and "modifiée" in message


def test_deleted_entry_is_detected_and_the_cli_fails(tmp_path):
    url, engine = _chain(tmp_path)
    ok = subprocess.run([CLI, "audit", "verify", "--db", url], capture_output=True, text=True)
    # 5 entries, plus the seal written when the key was first used.
    assert ok.returncode == 0 and "6 entrées vérifiées" in ok.stdout, ok.stdout + ok.stderr
    with engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.id == 3))
    count, broken, message = audit_verify(engine)
    assert broken == 3 and "L'entrée 3 manque" in message
    engine.dispose()
    bad = subprocess.run([CLI, "audit", "verify", "--db", url], capture_output=True, text=True)
    assert bad.returncode == 1 and "L'entrée 3" in bad.stdout


def _legacy_database(tmp_path: Path, entries: int, break_at: int | None = None) -> str:
    """A database as version 0004 left it, with the plain SHA-256 chain of that version."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    prev = "0" * 64
    with engine.begin() as conn:
        for i in range(1, entries + 1):
            at = datetime(2026, 11, 20, 9, i, tzinfo=UTC)
            args_hash = hashlib.sha256(str(i).encode()).hexdigest()
            digest = audit._legacy_hash(prev, at.isoformat(), "agent.occ", "dossier.update", "dossier", f"id-{i}", args_hash)
            login = "quelqu.un" if i == break_at else "agent.occ"  # edited after it was written
            conn.execute(text("INSERT INTO audit_log (id, at, login, command, record_kind, record_id, args_hash, "
                              "prev_hash, hash) VALUES (:id, :at, :login, 'dossier.update', 'dossier', :rid, :ah, :prev, :h)"),
                         {"id": i * 2, "at": at, "login": login, "rid": f"id-{i}", "ah": args_hash, "prev": prev, "h": digest})
            prev = digest
    engine.dispose()
    return url


def test_an_older_plain_chain_is_checked_and_sealed_on_upgrade(tmp_path):
    url = _legacy_database(tmp_path, 4)
    answer = subprocess.run([CLI, "audit", "verify", "--db", url], capture_output=True, text=True)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "Chaîne intègre : 5 entrées vérifiées" in answer.stdout
    assert "4 entrées antérieures vérifiées alors" in answer.stdout
    assert (tmp_path / "old.db.audit-key").stat().st_mode & 0o777 == 0o600


def test_an_older_chain_already_broken_is_said_plainly(tmp_path):
    url = _legacy_database(tmp_path, 4, break_at=2)
    answer = subprocess.run([CLI, "audit", "verify", "--db", url], capture_output=True, text=True)
    assert answer.returncode == 1
    assert "était déjà rompu à l'entrée" in answer.stdout


def test_verify_needs_a_database_and_never_creates_one(tmp_path):
    missing = subprocess.run([CLI, "audit", "verify"], capture_output=True, text=True, cwd=tmp_path)
    assert missing.returncode == 2 and "Indiquez la base" in missing.stderr and "Traceback" not in missing.stderr
    absent = subprocess.run([CLI, "audit", "verify", "--db", f"sqlite:///{tmp_path / 'nulle.db'}"],
                            capture_output=True, text=True, cwd=tmp_path)
    assert absent.returncode == 2 and "Base introuvable" in absent.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_sealed_log_without_its_key_is_refused(tmp_path):
    url, engine = _chain(tmp_path, 2)
    engine.dispose()
    (tmp_path / "audit.db.audit-key").unlink()
    answer = subprocess.run([CLI, "audit", "verify", "--db", url], capture_output=True, text=True)
    assert answer.returncode == 2 and "Clé du journal d'audit introuvable" in answer.stderr
    assert not (tmp_path / "audit.db.audit-key").exists()  # never replaced by a new key


def test_postgresql_needs_a_key_given_outside_the_database(tmp_path, monkeypatch):
    monkeypatch.delenv(audit.KEY_ENV, raising=False)
    monkeypatch.delenv(audit.KEY_FILE_ENV, raising=False)
    with pytest.raises(audit.AuditKeyError, match="AUDE_AUDIT_KEY_FILE"):
        audit.load_key("postgresql+psycopg://aude@db.interne/aude", create=True)
    key_file = tmp_path / "audit.key"
    key_file.write_text("ab" * 32)
    key_file.chmod(0o644)
    monkeypatch.setenv(audit.KEY_FILE_ENV, str(key_file))
    with pytest.raises(audit.AuditKeyError, match="chmod 600"):
        audit.load_key("postgresql+psycopg://aude@db.interne/aude", create=True)
    key_file.chmod(0o600)
    assert audit.load_key("postgresql+psycopg://aude@db.interne/aude", create=True)[0] == bytes.fromhex("ab" * 32)
    monkeypatch.setenv(audit.KEY_ENV, "pas une clé")
    with pytest.raises(audit.AuditKeyError, match="64 chiffres hexadécimaux"):
        audit.load_key("postgresql+psycopg://aude@db.interne/aude", create=True)
