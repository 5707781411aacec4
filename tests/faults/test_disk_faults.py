"""The profile's disk fills up or turns read-only under the application.

A real size-limited tmpfs holds the profile. Commands are run until the disk refuses one: the
refusal is a French `StoreWriteError`, the refused command leaves nothing behind, every command
acknowledged before it is still there after a reopen, and once space is back a sync delivers each
of them exactly once. Read-only: opening is refused with a French message and nothing is lost.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.store.database import StoreReadOnly, StoreWriteError, open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry
from aude_desktop.store.state import get_state
from aude_desktop.sync.engine import CURSOR_KEY, SyncEngine
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier
from tests.faults import ledger
from tests.support.live_server import seeded_server, signed_in
from tests.support.small_disk import can_mount, remount, small_disk

pytestmark = pytest.mark.skipif(not can_mount(), reason="a size-limited tmpfs needs root (CI runs as root)")

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
PASSPHRASE = "phrase de passe du disque plein"
BIG_NOTE = "Observation détaillée de l'instruction. " * 400  # ~16 KB a dossier: the disk fills fast


def _open(profile: Profile):
    return open_store(profile, database_key(profile, passphrase=PASSPHRASE))


def _acknowledged(store) -> tuple[set[str], int]:
    with store.session() as s:
        ids = set(s.scalars(select(Dossier.id)))
        queued = s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.status == "pending"))
    return ids, queued


def test_full_disk_refuses_in_french_and_loses_nothing(tmp_path):
    (tmp_path / "central").mkdir()
    with seeded_server(tmp_path / "central", 10, 2, 3) as server, small_disk(tmp_path / "disk", "6m") as disk:
        profile = Profile.isolated(disk)
        store = _open(profile)
        acknowledged: list[str] = []
        refusal = None
        for _ in range(2000):
            try:
                acknowledged.append(run_command(store, AGENT, "dossier.create",
                                                {"payload": new_dossier(notes=BIG_NOTE)}))
            except StoreWriteError as exc:
                refusal = exc
                break
        assert refusal is not None, "the disk never filled: the test proves nothing"
        assert "disque" in refusal.message and "plein" in refusal.message
        ids, queued = _acknowledged(store)
        assert ids == set(acknowledged) and queued == len(acknowledged)  # the refused one left nothing
        store.close()

        store = _open(profile)  # reopening a full disk works: reading needs no space
        ids_after, _ = _acknowledged(store)
        integrity = store.integrity_ok()
        store.close()

        remount(disk, "size=64m")  # the user frees space
        store = _open(profile)
        report = SyncEngine(store, signed_in(server)).run()
        lost, duplicated = ledger.compare_with_server(server.engine, dict.fromkeys(acknowledged, 1))
        entry = ledger.record("Disque plein (tmpfs limité)", iterations=1, at_risk=len(acknowledged),
                              lost=lost + len(set(acknowledged) - ids_after), duplicated=duplicated + report.rejected,
                              integrity_failures=int(not integrity) + int(not store.integrity_ok()))
        store.close()
        ledger.assert_clean(entry)
        assert report.applied == len(acknowledged)


def test_read_only_disk_is_refused_in_french_and_loses_nothing(tmp_path):
    # Linux refuses to remount a disk read-only while files are open for writing on it, so the disk
    # turns read-only between two sessions of the app (the case of a failing disk remounted by the OS).
    with small_disk(tmp_path / "disk", "32m") as disk:
        profile = Profile.isolated(disk)
        store = _open(profile)
        saved = [run_command(store, AGENT, "dossier.create", {"payload": new_dossier()}) for _ in range(5)]
        store.close()

        remount(disk, "ro")
        before = sorted(p.name for p in profile.data_dir.iterdir())
        with pytest.raises(StoreReadOnly, match="lecture seule") as refused:
            _open(profile)
        assert "Rien n'a été modifié" in str(refused.value)

        remount(disk, "rw")
        store = _open(profile)
        ids_after, queued = _acknowledged(store)
        entry = ledger.record("Disque en lecture seule", iterations=1, at_risk=len(saved),
                              lost=len(set(saved) - ids_after), duplicated=queued - len(saved),
                              integrity_failures=int(not store.integrity_ok()))
        store.close()
        ledger.assert_clean(entry)
        assert before  # the database was there, untouched, while the disk was read-only


def test_disk_full_during_a_first_sync_written_by_the_writer_process(tmp_path):
    """The writer process meets the full disk: the sync stops with the French refusal, the profile
    keeps what was committed (data and cursor together), opens, and finishes once space is back."""
    (tmp_path / "central").mkdir()
    with seeded_server(tmp_path / "central", 400, 400, 5) as server, small_disk(tmp_path / "disk", "3m") as disk:
        profile = Profile.isolated(disk)
        store = _open(profile)
        auth = signed_in(server, "dgos", "demo-dgos")
        engine = SyncEngine(store, auth, page_size=50, apply_batch=200, bulk_writer_after=100)
        with pytest.raises(StoreWriteError) as refused:
            engine.run()
        assert "plein" in str(refused.value)
        with store.session() as s:
            cursor = int(get_state(s, CURSOR_KEY) or 0)
            kept = s.scalar(select(func.count()).select_from(Dossier))
        store.close()

        store = _open(profile)
        integrity = store.integrity_ok()
        store.close()
        remount(disk, "size=128m")
        store = _open(profile)
        report = SyncEngine(store, auth, page_size=50, apply_batch=200, bulk_writer_after=100).run()
        entry = ledger.record("Disque plein pendant une première synchronisation (processus d'écriture)",
                              iterations=1, at_risk=report.pulled,
                              lost=int(report.mismatch), integrity_failures=int(not integrity) + int(not store.integrity_ok()))
        store.close()
        ledger.assert_clean(entry)
        assert cursor > 0 and kept > 0  # the first transactions were committed before the disk filled
        assert not report.mismatch and report.pulled > 0
