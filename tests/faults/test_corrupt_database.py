"""The database file is damaged between two launches (bad sector, interrupted copy).

The start detects it (key check or integrity check), restores nothing unasked and leaves the file
byte for byte as it was; with the user's yes it moves the damaged file aside, restores the last
backup, and a sync brings back everything the server acknowledged. A command made after the restore
reaches the server too (its sequence number is not one the server already answered).
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.store import backups
from aude_desktop.store.database import DatabaseCorrupt, open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier
from tests.faults import ledger
from tests.support.live_server import server_fixture, signed_in

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
PAGE = 4096


server = server_fixture(200, 10, 9)


def _sync(store, server) -> None:
    report = SyncEngine(store, signed_in(server)).run()
    assert report.rejected == 0 and report.conflicts == 0


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("where", ["first page", "middle"])
def test_damaged_database_is_restored_only_when_asked_and_resync_recovers(tmp_path, server, where):
    profile = Profile.isolated(tmp_path / "p")
    key = database_key(profile)
    store = open_store(profile, key)
    before_backup = [run_command(store, AGENT, "dossier.create", {"payload": new_dossier()}) for _ in range(5)]
    _sync(store, server)
    assert backups.backup_daily(store, profile) is not None
    assert backups.backup_daily(store, profile) is None  # once a day
    after_backup = [run_command(store, AGENT, "dossier.create", {"payload": new_dossier()}) for _ in range(5)]
    _sync(store, server)  # acknowledged by the server, but not in the backup
    store.close()

    data = bytearray(profile.database_path.read_bytes())
    offset = 0 if where == "first page" else (len(data) // PAGE // 2) * PAGE
    data[offset + 100 : offset + 400] = bytes(300)
    profile.database_path.write_bytes(bytes(data))
    damaged = _digest(profile.database_path)

    with pytest.raises(DatabaseCorrupt, match="endommagée"):
        open_store(profile, key)
    asked: list[str] = []
    with pytest.raises(DatabaseCorrupt):
        backups.open_or_restore(profile, key, lambda q: asked.append(q) or False)
    assert "Restaurer la sauvegarde du" in asked[0] and "conservé à part" in asked[0]
    assert _digest(profile.database_path) == damaged  # nothing touched without a yes

    store = backups.open_or_restore(profile, key, lambda _q: True)
    kept_aside = list(profile.backup_dir.glob("endommagee-*.db"))
    assert len(kept_aside) == 1 and _digest(kept_aside[0]) == damaged
    after_restore = run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
    _sync(store, server)
    with store.session() as s:
        local = set(s.scalars(select(Dossier.id)))
    acknowledged = before_backup + after_backup
    lost, duplicated = ledger.compare_with_server(server.engine, dict.fromkeys([*acknowledged, after_restore], 1))
    entry = ledger.record(f"Base corrompue au démarrage ({'en-tête' if where == 'first page' else 'page interne'})",
                          iterations=1, at_risk=len(acknowledged) + 1,
                          lost=lost + len(set(acknowledged) - local), duplicated=duplicated,
                          integrity_failures=int(not store.integrity_ok()))
    store.close()
    ledger.assert_clean(entry)
