"""A client killed with SIGKILL while it issues and registers letters.

Every letter the child reported registered must be in the store after the kill with its PDF (whose
SHA-256 matches) and its queued `letter.register`; no register entry may lack its PDF; references
stay unique. At the end a sync delivers each letter to the server exactly once.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from aude_desktop.auth.actor import remember_user
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import AttachmentData, Letter, OutboxEntry
from aude_desktop.sync.engine import SyncEngine
from tests.faults import ledger
from tests.support.live_server import server_fixture, signed_in

ROUNDS = int(os.environ.get("AUDE_LETTER_KILL_ROUNDS", "8"))
PASSPHRASE = "phrase de passe des courriers"
CHILD = Path(__file__).with_name("letters_child.py")


server = server_fixture(600, 10, 21)


def _check(store, reported: dict[str, str]) -> tuple[int, int]:
    """(lost, duplicated) after a kill: reported letters missing or without their PDF; references twice."""
    with store.session() as s:
        letters = {letter.id: letter for letter in s.scalars(select(Letter))}
        data = {row.sha256: row.data for row in s.scalars(select(AttachmentData))}
        queued = set(s.scalars(select(OutboxEntry.entity_id).where(OutboxEntry.name == "letter.register")))
    lost = sum(1 for letter_id in reported if letter_id not in letters or letter_id not in queued)
    lost += sum(1 for letter in letters.values()
                if letter.sha256 not in data or hashlib.sha256(data[letter.sha256]).hexdigest() != letter.sha256)
    references = [letter.reference for letter in letters.values()]
    return lost, len(references) - len(set(references))


def test_sigkill_while_registering_letters_loses_and_duplicates_nothing(tmp_path, server):
    rng = random.Random(11)
    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    auth = signed_in(server)
    remember_user(store, auth.user)
    SyncEngine(store, auth).run()
    store.close()

    reported: dict[str, str] = {}
    lost = duplicated = kills = 0
    for _ in range(ROUNDS):
        child = subprocess.Popen([sys.executable, str(CHILD), str(profile.data_dir.parent)], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True, cwd=Path(__file__).parents[2],
                                 env=dict(os.environ, AUDE_DB_PASSPHRASE=PASSPHRASE))
        assert child.stdout.readline().strip() == "ready"
        for _ in range(rng.randint(0, 4)):
            line = child.stdout.readline().split()
            if line and line[0] == "issued":
                reported[line[1]] = line[2]
        time.sleep(rng.random() * 0.02)  # land anywhere inside the next registration
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            kills += 1
        child.wait(timeout=60)
        store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
        round_lost, round_dup = _check(store, reported)
        lost, duplicated = lost + round_lost, duplicated + round_dup
        store.close()

    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    report = SyncEngine(store, signed_in(server)).run()
    with store.session() as s:
        local = set(s.scalars(select(Letter.reference)))
    with server.engine.connect() as conn:
        on_server = [json.loads(row.payload)["reference"]
                     for row in conn.exec_driver_sql("SELECT payload FROM records WHERE kind = 'letter'")]
    duplicated += len(on_server) - len(set(on_server)) + report.rejected
    lost += len(local - set(on_server))
    entry = ledger.record("Client tué pendant l'émission de courriers", iterations=kills, at_risk=len(local),
                          lost=lost, duplicated=duplicated, integrity_failures=int(not store.integrity_ok()))
    store.close()
    ledger.assert_clean(entry)
    assert kills >= ROUNDS // 2 and len(reported) >= ROUNDS, "too few letters or kills: the test proves nothing"
