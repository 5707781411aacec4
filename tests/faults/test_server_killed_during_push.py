"""The server process dies in the middle of a push; restarted, it receives the rest exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import select

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.demo import free_port
from aude_desktop.domain.commands import Actor
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import ApiError, Transport
from aude_desktop.sync.local import run_command
from central_api.db import make_engine
from central_api.migrate import upgrade
from central_api.seed import seed_users
from tests.central_api.conftest import new_dossier
from tests.faults import ledger

AGENT = Actor("agent.occ", "agent_dreets", "OCC")
COMMANDS = 150


def _serve(db: str, port: int) -> subprocess.Popen:
    process = subprocess.Popen([str(Path(sys.executable).parent / "aude-central"), "serve", "--db", db, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/meta", timeout=0.5).ok:
                return process
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def test_push_survives_a_server_crash_without_duplicates(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(db)
    upgrade(engine)
    seed_users(engine)
    engine.dispose()
    port = free_port()
    server = _serve(db, port)
    url = f"http://127.0.0.1:{port}"

    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    ids = [run_command(store, AGENT, "dossier.create", {"payload": new_dossier()}) for _ in range(COMMANDS)]
    auth = AuthSession(Transport.from_settings(Settings(server_url=url)), "agent.occ", tokens=MemoryTokens())
    auth.sign_in("demo-agent-occ")

    failure: list[Exception] = []

    def sync() -> None:
        try:
            SyncEngine(store, auth, sleep=lambda _s: time.sleep(0.05)).run()
        except ApiError as exc:
            failure.append(exc)

    watch = make_engine(db)

    def landed() -> int:
        with watch.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM records").scalar()

    worker = threading.Thread(target=sync)
    worker.start()
    # kill the server while it is applying the batch: some commands committed, no answer sent
    deadline = time.monotonic() + 30
    while landed() < 10 and time.monotonic() < deadline:
        time.sleep(0.002)
    server.send_signal(signal.SIGKILL)
    server.wait()
    worker.join(timeout=60)
    applied_before_crash = landed()
    watch.dispose()
    assert failure and "injoignable" in str(failure[0])  # a French network error, not a crash
    assert 0 < applied_before_crash < COMMANDS  # the push was cut in the middle
    assert store.status().pending == COMMANDS  # the client never got the answer: all still queued

    server = _serve(db, port)
    try:
        report = SyncEngine(store, auth).run()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
    assert report.rejected == 0 and report.conflicts == 0
    with store.session() as s:
        assert {e.status for e in s.scalars(select(OutboxEntry))} == {"applied"}
    check = make_engine(db)
    with check.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, version, payload FROM records WHERE kind = 'dossier'").all()
    check.dispose()
    on_server = [r.id for r in rows if r.version == 1 and json.loads(r.payload)["state"] == "recu"]
    entry = ledger.record("Serveur tué pendant un envoi", iterations=1, at_risk=COMMANDS,
                          lost=len(set(ids) - set(on_server)), duplicated=len(rows) - len(set(r.id for r in rows)) + sum(r.version > 1 for r in rows),
                          integrity_failures=0 if store.integrity_ok() else 1)
    store.close()
    ledger.assert_clean(entry)
    assert sorted(on_server) == sorted(ids)  # every one, once
