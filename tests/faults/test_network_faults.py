"""A TCP proxy cuts, truncates, delays and refuses the client's connections during syncs.

Each round queues offline commands, picks a fault for the proxy and syncs through it: the sync either
finishes or stops with a French `ApiError` (never another exception); nothing is lost locally. At the
end a clean sync must leave every command applied exactly once on the server.
"""

from __future__ import annotations

import os
import random
import time
from urllib.parse import urlparse

from sqlalchemy import select

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.domain.commands import Actor
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import ApiError, Transport
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier
from tests.faults import ledger
from tests.support.fault_proxy import FaultProxy
from tests.support.live_server import server_fixture

ROUNDS = int(os.environ.get("AUDE_PROXY_ROUNDS", "25"))
AGENT = Actor("agent.occ", "agent_dreets", "OCC")
FRENCH_HINTS = ("serveur", "réponse", "connexion", "délai", "injoignable")


server = server_fixture(300, 10, 5)


def test_cut_truncated_delayed_and_refused_connections_lose_nothing(tmp_path, server):
    rng = random.Random(7)
    proxy = FaultProxy(urlparse(server.url).port, truncate_at=rng.randint(20, 400), delay_s=0.05)
    store = open_store(Profile.isolated(tmp_path / "p"), database_key(Profile.isolated(tmp_path / "p")))
    auth = AuthSession(Transport.from_settings(Settings(server_url=proxy.url)), "agent.occ", tokens=MemoryTokens())
    auth.sign_in("demo-agent-occ")
    expected: dict[str, int] = {}
    failures: dict[str, int] = {}
    for _ in range(ROUNDS):
        dossier_id = run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
        run_command(store, AGENT, "dossier.acknowledge", {"id": dossier_id, "on": "2026-11-05"})
        expected[dossier_id] = 2
        proxy.truncate_at = rng.randint(1, 600)
        proxy.set_mode(rng.choice(("cut", "truncate", "delay", "refuse", "pass")))
        try:
            SyncEngine(store, auth, page_size=50, sleep=lambda _s: time.sleep(0.01)).run()
        except ApiError as exc:  # anything else would be a crash and fails the test
            failures[proxy.mode] = failures.get(proxy.mode, 0) + 1
            assert any(hint in str(exc).lower() for hint in FRENCH_HINTS), str(exc)
        with store.session() as s:  # nothing dropped locally, whatever the fault
            assert s.scalar(select(OutboxEntry.id).where(OutboxEntry.entity_id == dossier_id)) is not None

    proxy.set_mode("pass")
    report = SyncEngine(store, auth).run()
    with store.session() as s:
        statuses = [e.status for e in s.scalars(select(OutboxEntry))]
    lost, duplicated = ledger.compare_with_server(server.engine, expected)
    entry = ledger.record("Proxy TCP : coupure, troncature, lenteur, refus", iterations=ROUNDS,
                          at_risk=len(statuses), lost=lost + statuses.count("pending"),
                          duplicated=duplicated + statuses.count("rejected"),
                          integrity_failures=0 if store.integrity_ok() else 1)
    print(f"\nproxy connections by mode: {proxy.connections}; failed syncs by mode: {failures}")
    proxy.close()
    store.close()
    ledger.assert_clean(entry)
    assert not report.mismatch, report.warnings
    assert sum(failures.values()) >= ROUNDS // 4, "too few faults reached the client: the test proves nothing"
