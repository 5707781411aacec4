"""A client killed with SIGKILL at random moments during sync loses nothing and duplicates nothing.

Each round queues offline commands (and, every other round on average, rewinds the cursor so the
client re-pulls everything, as a full resync does), starts a syncing client process and kills it
after a random number of its progress steps — so every kill lands during the sync, in the push or
in the pull. Rounds go on until ROUNDS kills have landed. At the end one clean sync runs; then every
command must have been applied exactly once, the local copy must equal the server's, and SQLite's
integrity check must pass.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.domain.commands import Actor
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry
from aude_desktop.store.state import set_state
from aude_desktop.sync.engine import CURSOR_KEY, SyncEngine
from aude_desktop.sync.http import Transport
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier
from tests.faults import ledger
from tests.support.live_server import server_fixture

ROUNDS = int(os.environ.get("AUDE_KILL_ROUNDS", "20"))
PASSPHRASE = "phrase de passe des tests de pannes"
AGENT = Actor("agent.occ", "agent_dreets", "OCC")
CHILD = Path(__file__).with_name("sync_child.py")


server = server_fixture(1500, 10, 11)


def test_sigkill_during_sync_loses_and_duplicates_nothing(tmp_path, server):
    rng = random.Random(2026)
    profile = Profile.isolated(tmp_path / "p")
    expected: dict[str, int] = {}  # dossier id -> server version once every command is applied
    kills = rounds = 0
    while kills < ROUNDS and rounds < 4 * ROUNDS:
        rounds += 1
        store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
        dossier_id = run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
        run_command(store, AGENT, "dossier.acknowledge", {"id": dossier_id, "on": "2026-11-05"})
        expected[dossier_id] = 2
        if rng.random() < 0.5:
            with store.session() as s:
                set_state(s, CURSOR_KEY, "0")
        store.close()
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(profile.data_dir.parent), server.url],
            env=dict(os.environ, AUDE_DB_PASSPHRASE=PASSPHRASE), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        assert child.stdout.readline().strip() == b"signed-in"
        steps, line = rng.randint(0, 40), b""
        for _ in range(steps + 1):
            line = child.stdout.readline().strip()
            if line != b"progress":
                break
        if line == b"progress" and child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait(timeout=60)

    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), "agent.occ", tokens=MemoryTokens())
    auth.sign_in("demo-agent-occ")
    report = SyncEngine(store, auth).run()
    print(f"\n{rounds} rounds, {kills} SIGKILLs during sync, final sync: {report}")
    assert kills >= ROUNDS, "too few kills landed during a sync: the test would prove nothing"
    assert report.mismatch is False, report.warnings
    with store.session() as s:
        statuses = [e.status for e in s.scalars(select(OutboxEntry))]
    lost, duplicated = ledger.compare_with_server(server.engine, expected)
    lost += statuses.count("pending")
    duplicated += statuses.count("rejected")  # a replayed create is refused as "already exists"
    entry = ledger.record("Client tué (SIGKILL) pendant la synchronisation", iterations=kills,
                          at_risk=len(statuses), lost=lost, duplicated=duplicated,
                          integrity_failures=0 if store.integrity_ok() else 1)
    store.close()
    ledger.assert_clean(entry)
    assert set(statuses) == {"applied"}


FIRST_SYNC_ROUNDS = int(os.environ.get("AUDE_KILL_FIRST_ROUNDS", "8"))


def _gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":  # killed, waiting to be reaped by init
            return True
        time.sleep(0.05)
    return False


def test_sigkill_during_a_first_sync_through_the_writer_process(tmp_path, server):
    """A new profile's first sync, its writes in the writer process, killed at random moments: the
    writer dies with the client and commits nothing half-way; after a restart the local copy equals
    the server's and the integrity check passes."""
    rng = random.Random(11)
    kills = stray_writers = integrity_failures = mismatches = writers_seen = 0
    for round_ in range(FIRST_SYNC_ROUNDS):
        profile = Profile.isolated(tmp_path / f"first-{round_}")
        open_store(profile, database_key(profile, passphrase=PASSPHRASE)).close()
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(profile.data_dir.parent), server.url, "first"],
            env=dict(os.environ, AUDE_DB_PASSPHRASE=PASSPHRASE), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        assert child.stdout.readline().strip() == b"signed-in"
        writers: set[int] = set()
        steps, progress_seen = rng.randint(6, 30), 0
        while progress_seen < steps:
            line = child.stdout.readline().strip()
            if line.startswith(b"writer "):
                writers.add(int(line.split()[1]))
            elif line == b"progress":
                progress_seen += 1
            else:
                break
        if child.poll() is None and writers:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait(timeout=60)
        writers_seen += len(writers)
        stray_writers += sum(not _gone(pid) for pid in writers)

        store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
        integrity_failures += int(not store.integrity_ok())
        auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), "agent.occ", tokens=MemoryTokens())
        auth.sign_in("demo-agent-occ")
        mismatches += int(SyncEngine(store, auth).run().mismatch)
        store.close()
    print(f"\n{FIRST_SYNC_ROUNDS} first syncs, {kills} SIGKILLs while the writer process ran")
    entry = ledger.record("Client tué pendant une première synchronisation (processus d'écriture)",
                          iterations=kills, at_risk=0, lost=mismatches, integrity_failures=integrity_failures)
    ledger.assert_clean(entry)
    assert kills >= FIRST_SYNC_ROUNDS // 2, "too few kills landed while the writer ran: the test would prove nothing"
    assert writers_seen >= kills and stray_writers == 0
