"""A private annotation saved as it is typed survives the application being killed (SIGKILL):
every version the view reported saved is in the encrypted store after the kill, and queued once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import Annotation, OutboxEntry
from aude_desktop.sync.materialize import materialize
from tests.dossiers.test_instruction import payload
from tests.faults import ledger

PASSPHRASE = "phrase de passe des tests"
CHILD = Path(__file__).with_name("annotation_child.py")


def test_annotation_survives_sigkill(tmp_path):
    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    with store.session() as s:
        materialize(s, [("dossier", "d1", 1, payload("AUDE-1"))])
    store.close()
    saved = lost = integrity_failures = 0
    for round_ in range(3):
        versions = random.randint(1, 4)
        env = dict(os.environ, AUDE_DB_PASSPHRASE=PASSPHRASE, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        errors = (tmp_path / f"child-{round_}.err").open("w")
        child = subprocess.Popen([sys.executable, str(CHILD), str(profile.data_dir.parent), "d1", str(versions), str(round_)],
                                 stdout=subprocess.PIPE, stderr=errors, text=True, env=env, cwd=Path(__file__).parents[2])
        last = 0
        try:
            for line in child.stdout:
                last = int(line.split()[1])
                if last == versions:
                    break
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
        errors.close()
        assert last == versions, f"round {round_}: the child stopped before saving:\n{(tmp_path / f'child-{round_}.err').read_text()}"
        saved += versions
        store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
        with store.session() as s:
            text = s.get(Annotation, s.scalars(select(Annotation.id)).one()).text
            queued = s.scalars(select(OutboxEntry.name)).all().count("annotation.save")
            lost += 0 if text.startswith(f"Note version {versions} (tour {round_}) :") else 1
            integrity_failures += s.connection().exec_driver_sql("PRAGMA integrity_check").scalar() != "ok"
        store.close()
        assert queued >= versions
    ledger.assert_clean(ledger.record("Application tuée pendant la saisie d'une note", iterations=3, at_risk=saved,
                                      lost=lost, integrity_failures=integrity_failures))
