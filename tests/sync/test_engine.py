"""The sync engine against the real reference server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from aude_desktop.auth.session import AuthSession
from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry
from aude_desktop.sync.engine import SyncEngine, SyncRefused
from aude_desktop.sync.http import ServerError, Transport
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier
from tests.support.live_server import server_fixture

AGENT = Actor("agent.occ", "agent_dreets", "OCC")


server = server_fixture(400, 200, 3)


def _client(tmp_path, server_url: str, login: str, password: str, name: str = "p"):
    profile = Profile.isolated(tmp_path / name)
    store = open_store(profile, database_key(profile))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server_url)), login)
    auth.sign_in(password)
    return store, auth


def _local_dossiers(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(Dossier))


def test_initial_then_incremental_sync_matches_the_server(tmp_path, server):
    store, auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ")
    progress = []
    report = SyncEngine(store, auth, page_size=10, apply_batch=25, on_progress=progress.append).run()
    stats = auth.transport.request("GET", "/api/v1/stats", token=auth.access_token())
    assert _local_dossiers(store) == stats["counts"]["dossier"] > 0
    assert report.pages > 1 and progress[-1].records == report.pulled
    # progress after every page; pages of 10 are committed 25 records or more at a time (3 pages per
    # transaction, the last one takes what is left)
    written = [p.records for p in progress if p.phase == "réception"]
    assert len(written) == report.pages and written == sorted(written) and written[-1] == report.pulled
    assert report.transactions == -(-report.pages // 3) > 1
    assert store.status().last_sync is not None
    again = SyncEngine(store, auth).run()
    assert again.pulled == 0


def test_offline_command_reaches_the_server_exactly_once(tmp_path, server):
    store, auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ")
    dossier_id = run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
    run_command(store, AGENT, "dossier.acknowledge", {"id": dossier_id, "on": "2026-11-05"})
    assert store.status().pending == 2  # read-your-writes: it is already in the local tables
    with store.session() as s:
        assert s.get(Dossier, dossier_id).state == "complet"
    report = SyncEngine(store, auth).run()
    assert report.applied == 2 and store.status().pending == 0
    with server.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT version, payload FROM records WHERE id = ?", (dossier_id,)).one()
    assert row.version == 2 and json.loads(row.payload)["state"] == "complet"
    with store.session() as s:
        assert s.get(Dossier, dossier_id).version == 2


def test_bad_local_input_is_refused_and_nothing_is_saved(tmp_path, server):
    store, _auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ")
    with pytest.raises(CommandRejected) as excinfo:
        run_command(store, AGENT, "dossier.create", {"payload": new_dossier(profession="orthoptiste")})
    assert "Pays de la Loire" in excinfo.value.message
    assert store.status().pending == 0 and _local_dossiers(store) == 0


def make_conflict(tmp_path, server):
    """Two offline edits of the same dossier; the second sync gets a conflict. Returns (store, auth, id, seq)."""
    first, auth1 = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "one")
    second, auth2 = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "two")
    SyncEngine(first, auth1).run()
    SyncEngine(second, auth2).run()
    with first.session() as s:
        target = s.scalar(select(Dossier.id).order_by(Dossier.reference).limit(1))  # any state may be edited
    run_command(first, AGENT, "dossier.update", {"id": target, "fields": {"specialty": "Urgences adultes",
                                                                          "applicant": {"city": "Albi"}}})
    run_command(second, AGENT, "dossier.update", {"id": target, "fields": {"specialty": "Pédiatrie",
                                                                           "applicant": {"city": "Rodez"}}})
    SyncEngine(first, auth1).run()
    assert SyncEngine(second, auth2).run().conflicts == 1
    seq = second_conflict_seq(second)
    return second, auth2, target, seq


def second_conflict_seq(store) -> int:
    with store.session() as s:
        return s.scalar(select(OutboxEntry.seq).where(OutboxEntry.status == "conflict"))


def test_two_offline_edits_of_one_dossier_conflict_instead_of_overwriting(tmp_path, server):
    second, _auth, _target, seq = make_conflict(tmp_path, server)
    with second.session() as s:
        entry = s.get(OutboxEntry, seq)
        assert entry.server_record["payload"]["specialty"] == "Urgences adultes"
        # the pulled server version did not silently replace what the user typed: it is kept in the
        # conflict for a person to choose field by field
        assert entry.args["fields"]["specialty"] == "Pédiatrie"


def test_dgos_change_is_kept_as_rejected_with_the_server_reason(tmp_path, server):
    store, auth = _client(tmp_path, server.url, "dgos", "demo-dgos")
    SyncEngine(store, auth).run()
    with store.session() as s:
        target = s.scalar(select(Dossier.id).limit(1))
    run_command(store, Actor("dgos", "dgos"), "dossier.assign", {"id": target, "assigned_to": "dgos"})
    report = SyncEngine(store, auth).run()
    assert report.rejected == 1
    with store.session() as s:
        entry = s.scalar(select(OutboxEntry))
        assert entry.status == "rejected" and "lecture seule" in entry.reason_message


class _Garbage(BaseHTTPRequestHandler):
    mode = "truncated"

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/api/v1/meta"):
            skew = timedelta(hours=1) if self.mode == "skew" else timedelta(0)
            version = 2 if self.mode == "protocol" else 1
            self._send(200, json.dumps({"protocol_version": version, "server_time": (datetime.now(UTC) + skew).isoformat()}).encode())
        elif self.mode == "truncated":
            self._send(200, b'{"changes": [{"kind": "dossier", "id": "x", "vers')
        elif self.mode == "html":
            self._send(502, b"<html><body>Bad gateway</body></html>", "text/html")
        else:
            self._send(200, json.dumps({"changes": [{"kind": 5, "id": None}], "next": "a", "more": False}).encode())

    def do_POST(self):  # noqa: N802
        sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.mode == "truncated":
            self._send(200, b'{"results": [{"seq": 1, "sta')
        elif self.mode == "html":
            self._send(502, b"<html><body>Bad gateway</body></html>", "text/html")
        else:  # accept the push, so that the pull is what goes wrong
            results = [{"id": m["id"], "seq": m["seq"], "status": "applied", "version": 1} for m in sent["mutations"]]
            self._send(200, json.dumps({"results": results}).encode())


@pytest.mark.parametrize(
    ("mode", "error", "words"),
    [
        ("truncated", ServerError, "illisible"),
        ("html", ServerError, "erreur"),
        ("types", ServerError, "illisibles"),
        ("protocol", SyncRefused, "Version de protocole incompatible"),
        ("skew", SyncRefused, "horloge"),
    ],
)
def test_garbage_from_the_server_is_a_french_error_and_changes_nothing(tmp_path, server, mode, error, words):
    store, auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ")
    run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
    handler = type("Handler", (_Garbage,), {"mode": mode})
    fake = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    try:
        auth.transport.base_url = f"http://127.0.0.1:{fake.server_address[1]}"
        auth._expires_at = float("inf")  # keep the token: the fake server knows nothing of sign-in
        with pytest.raises(error) as excinfo:
            SyncEngine(store, auth, sleep=lambda _s: None).run()
    finally:
        fake.shutdown()
    assert words in str(excinfo.value)
    pushed = 1 if mode == "types" else 0  # in that mode the push succeeds and the pull is garbage
    assert store.status().pending == 1 - pushed and _local_dossiers(store) == 1
    assert store.status().last_sync is None


def test_mismatch_is_reported_and_full_resync_repairs_it_keeping_unsent_work(tmp_path, server):
    store, auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ")
    assert SyncEngine(store, auth).run().mismatch is False
    with store.session() as s:  # the local copy drifts: a row lost, another one altered
        lost, altered = s.scalars(select(Dossier.id).where(Dossier.version > 0).limit(2)).all()
        s.execute(Dossier.__table__.delete().where(Dossier.id == lost))
        s.execute(Dossier.__table__.update().where(Dossier.id == altered).values(version=99))
        s.execute(Dossier.__table__.insert().values(
            id="eeeeeeee-0000-4000-8000-000000000001", version=5, reference="FANTOME", profession="infirmier",
            region="OCC", acces_partiel=False, situation="ue_reglemente", state="recu", received_on=date(2026, 1, 1),
            updated_at=datetime.now(UTC)))
    unsent = run_command(store, AGENT, "dossier.create", {"payload": new_dossier()})
    report = SyncEngine(store, auth).run()
    assert report.mismatch is True and "resynchronisation complète" in report.warnings[0]
    repaired = SyncEngine(store, auth).full_resync()
    assert repaired.mismatch is False, repaired.warnings
    with store.session() as s:
        assert s.get(Dossier, lost) is not None
        assert s.get(Dossier, altered).version < 99
        assert s.get(Dossier, "eeeeeeee-0000-4000-8000-000000000001") is None
        assert s.get(Dossier, unsent) is not None  # pushed during the resync, kept either way


@pytest.mark.parametrize("piece_rows", [1_000, 7], ids=["pages whole", "pages in pieces of 7 rows"])
def test_first_sync_through_the_writer_process_holds_exactly_the_servers_records(tmp_path, server, monkeypatch,
                                                                                 piece_rows):
    """Past `bulk_writer_after` records a new profile's pages are written by another process: the
    result is the server's data, record for record, as the in-process path writes it (each page's
    plan sent in pieces, statements cut between rows)."""
    from aude_desktop.store import writer_process
    from aude_desktop.sync.materialize import dump_convention, dump_dossier

    monkeypatch.setattr(writer_process, "PIECE_ROWS", piece_rows)

    store, auth = _client(tmp_path, server.url, "dgos", "demo-dgos")
    progress = []
    report = SyncEngine(store, auth, page_size=40, apply_batch=120, bulk_writer_after=100,
                        on_progress=progress.append).run()
    assert not report.mismatch, report.warnings
    assert report.transactions == -(-report.pages // 3) > 2  # 120 records (3 pages) per transaction
    assert [p.records for p in progress if p.phase == "réception"][-1] == report.pulled
    with server.engine.connect() as conn:
        records = conn.exec_driver_sql("SELECT kind, id, payload FROM records WHERE kind IN ('dossier', 'convention')").all()
    with store.session() as s:
        for kind, record_id, payload in records:
            dumped = (dump_dossier if kind == "dossier" else dump_convention)(s, record_id)
            assert dumped == json.loads(payload), (kind, record_id)
    assert len(records) >= 400  # the seed, and what earlier tests of this module created


@pytest.mark.parametrize("writer_after", [None, 0], ids=["this process", "writer process"])
def test_pieces_that_come_before_their_dossiers_latest_version(tmp_path, server, writer_after):
    """A dossier changed after its pièces were filed comes after them in the feed: a new profile's
    first sync must still take every page (it used to stop on the pièces' missing parent)."""
    from central_api.service import allocate_cursors

    with server.engine.begin() as conn:
        dossier_id = conn.exec_driver_sql(
            "SELECT json_extract(payload, '$.dossier_id') FROM records WHERE kind = 'piece' ORDER BY cursor LIMIT 1").scalar()
        cursor = allocate_cursors(conn, 1)
        conn.exec_driver_sql("UPDATE records SET version = version + 1, cursor = ? WHERE kind = 'dossier' AND id = ?",
                             (cursor, dossier_id))
    store, auth = _client(tmp_path, server.url, "dgos", "demo-dgos")
    report = SyncEngine(store, auth, page_size=20, apply_batch=40, bulk_writer_after=writer_after).run()
    assert not report.mismatch, report.warnings
    with store.session() as s:
        assert s.get(Dossier, dossier_id) is not None
        orphans = s.connection().exec_driver_sql(
            "SELECT count(*) FROM pieces WHERE dossier_id NOT IN (SELECT id FROM dossiers)").scalar()
    assert orphans == 0


def test_a_writer_process_that_cannot_start_leaves_the_work_to_this_process(tmp_path, server):
    """No interpreter to start (a damaged install): the first sync is written here, same result."""
    import multiprocessing
    from multiprocessing import spawn as spawn_module

    spawn, usual = multiprocessing.get_context("spawn"), spawn_module.get_executable()
    spawn.set_executable(str(tmp_path / "pas-de-python"))
    try:
        store, auth = _client(tmp_path, server.url, "dgos", "demo-dgos")
        engine = SyncEngine(store, auth, page_size=40, apply_batch=80, bulk_writer_after=0)
        report = engine.run()
    finally:
        spawn.set_executable(usual)
    assert not report.mismatch and report.pulled > 0
    assert engine.bulk_writer_after is None  # it tried, then wrote in this process


def test_a_sync_shares_the_process_then_hands_the_heap_and_the_switch_interval_back(tmp_path, server):
    """While pages are pulled, the heap of before is frozen out of the collector's passes and the GIL
    changes hands every millisecond (the window's thread waits less); afterwards all is as it was,
    nested blocks included (the workspace's sync holds one around the engine's)."""
    import gc
    import sys

    from aude_desktop.sync.engine import SWITCH_INTERVAL, sharing_the_process

    store, auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ")
    usual, during = sys.getswitchinterval(), []
    engine = SyncEngine(store, auth, page_size=50,
                        on_progress=lambda p: during.append((sys.getswitchinterval(), gc.get_freeze_count() > 0,
                                                             gc.isenabled())))
    with sharing_the_process():
        engine.run()
        assert sys.getswitchinterval() == SWITCH_INTERVAL and gc.get_freeze_count() > 0  # the outer block holds
    pulled = [seen for seen in during if seen[0] == SWITCH_INTERVAL]
    assert pulled and all(frozen and not collecting for _interval, frozen, collecting in pulled)
    assert sys.getswitchinterval() == usual and gc.get_freeze_count() == 0 and gc.isenabled()
    engine.run()
    assert sys.getswitchinterval() == usual and gc.get_freeze_count() == 0 and gc.isenabled()
