"""The client against a server that answers anything (hypothesis): generated change pages, command
results and totals, served over HTTP on 127.0.0.1. A sync either completes or stops with a French
`ApiError` — never another exception — and a refused page changes nothing locally: same cursor,
same records, same outbox."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.domain.commands import Actor
from aude_desktop.settings import Settings
from aude_desktop.store.models import OutboxEntry
from aude_desktop.store.state import get_state
from aude_desktop.sync.engine import CURSOR_KEY, SyncEngine
from aude_desktop.sync.http import ApiError, Transport
from aude_desktop.sync.local import run_command
from tests.central_api.conftest import new_dossier

USER = {"login": "agent.occ", "display_name": "Agent", "role": "agent_dreets", "region": "OCC", "authority": None}
KINDS = ["dossier", "convention", "piece", "annotation", "letter", "commission_session", "ruleset", "inconnu"]

scalars = st.none() | st.booleans() | st.integers(min_value=-(2**40), max_value=2**40) | st.text(max_size=15)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                      max_leaves=15)
payloads = st.dictionaries(st.sampled_from(["reference", "region", "profession", "state", "situation", "received_on",
                                            "applicant", "diploma", "events", "pieces", "authority", "avantages",
                                            "dossier_id", "text", "sha256", "kind", "version", "groups"]), values, max_size=8)
changes = st.fixed_dictionaries({"kind": st.sampled_from(KINDS) | values, "id": st.uuids().map(str) | values,
                                 "version": st.integers(min_value=-3, max_value=5) | values,
                                 "deleted": st.booleans() | values, "payload": payloads | values})
pages = st.one_of(
    st.fixed_dictionaries({"changes": st.lists(changes, max_size=4), "next": st.integers(min_value=0, max_value=50) | values,
                           "more": st.just(False) | values}),
    values,
)
bodies = st.one_of(pages.map(json.dumps), st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
                   st.just("<html><body>502 Bad Gateway</body></html>"), st.just('{"changes": [{"kind": "dossier"'))


ECHO = "echo"  # answer every command as applied, like a healthy server


class Answers:
    changes = "{}"
    mutations = "{}"
    stats = "{}"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *_args) -> None:
        pass

    def _send(self, body: str, status: int = 200) -> None:
        data = body.encode("utf-8", "surrogatepass")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/api/v1/meta"):
            self._send(json.dumps({"protocol_version": 1, "server_time": datetime.now(UTC).isoformat()}))
        elif self.path.startswith("/api/v1/changes"):
            self._send(Answers.changes)
        elif self.path.startswith("/api/v1/stats"):
            self._send(Answers.stats)
        else:
            self._send('{"code": "introuvable", "message": "Adresse inconnue."}', 404)

    def do_POST(self) -> None:  # noqa: N802
        sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/api/v1/auth/token"):
            self._send(json.dumps({"access_token": "a", "refresh_token": "r", "expires_in": 3600, "user": USER}))
        elif self.path.startswith("/api/v1/mutations") and Answers.mutations == ECHO:
            sent_ids = [(m["id"], m["seq"]) for m in json.loads(sent)["mutations"]]
            self._send(json.dumps({"results": [{"id": i, "seq": seq, "status": "applied", "version": 1} for i, seq in sent_ids]}))
        elif self.path.startswith("/api/v1/mutations"):
            self._send(Answers.mutations)
        else:
            self._send('{"code": "introuvable", "message": "Adresse inconnue."}', 404)


@contextmanager
def _serving(handler=None):
    """The hostile server on 127.0.0.1 (`handler`, else this file's), and a session signed in to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler or Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        auth = AuthSession(Transport.from_settings(Settings(server_url=f"http://127.0.0.1:{server.server_port}")),
                           "agent.occ", tokens=MemoryTokens())
        auth.sign_in("x")
        yield auth
    finally:
        server.shutdown()


def _next_of(body: str):
    try:
        page = json.loads(body)
        return int(page["next"])
    except (ValueError, TypeError, KeyError):
        return None


def _snapshot(store) -> tuple:
    with store.session() as s:
        outbox = tuple(s.execute(select(OutboxEntry.seq, OutboxEntry.status)).all())
        tables = [r[0] for r in s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='table' AND name IN ('dossiers','conventions','pieces','letters','annotations')")]
        counts = tuple(s.connection().exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in sorted(tables))
        return get_state(s, CURSOR_KEY), outbox, counts, s.scalar(select(func.count()).select_from(OutboxEntry))


def test_any_server_answer_gives_a_result_or_a_french_error(store):
    run_command(store, Actor("agent.occ", "agent_dreets", "OCC"), "dossier.create", {"payload": new_dossier()})
    outcomes = {"completed": 0, "refused": 0}

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(bodies, st.one_of(st.just(ECHO), bodies), st.one_of(st.just('{"counts": {}, "versions": {}}'), bodies))
    def sync_against(changes_body, mutations_body, stats_body):
        Answers.changes, Answers.mutations, Answers.stats = changes_body, mutations_body, stats_body
        before = _snapshot(store)
        try:
            SyncEngine(store, auth, sleep=lambda _s: None).run()
        except ApiError as exc:
            outcomes["refused"] += 1
            assert str(exc) and any(w in str(exc) for w in ("serveur", "Serveur", "Réponse", "réponse")), str(exc)
            after = _snapshot(store)
            assert after[3] == before[3], "a refused answer dropped or added local commands"
            if after[0] != before[0]:  # all or nothing: only a page applied whole moves the cursor, to its own
                assert after[0] == str(_next_of(changes_body)), (before[0], after[0])
            else:
                assert after[2] == before[2], "a refused page changed local data"
        else:
            outcomes["completed"] += 1

    with _serving() as auth:
        sync_against()
    print(f"\noutcomes: {outcomes}")
    assert outcomes["refused"] > 10 and outcomes["completed"] > 0, outcomes


def test_records_outside_the_users_scope_are_never_stored(store):
    """Defence in depth: a server that leaks another region's dossier or an order's convention to
    an OCC agent sees them dropped, and the user is told."""
    from aude_desktop.dossiers.models import Dossier
    from tests.dossiers.test_instruction import payload

    mine, leaked = payload("AUDE-OCC-1"), payload("AUDE-IDF-1") | {"region": "IDF"}
    convention = {"reference": "EPS-1", "authority": "ORDRE-INF", "avantages": []}
    Answers.changes = json.dumps({"changes": [
        {"kind": "dossier", "id": "d-occ", "version": 1, "deleted": False, "payload": mine},
        {"kind": "dossier", "id": "d-idf", "version": 1, "deleted": False, "payload": leaked},
        {"kind": "convention", "id": "c-inf", "version": 1, "deleted": False, "payload": convention},
    ], "next": 3, "more": False})
    Answers.mutations, Answers.stats = ECHO, json.dumps({"counts": {"dossier": 1}, "versions": {"dossier": 1}})
    with _serving() as auth:
        report = SyncEngine(store, auth).run()
    with store.session() as s:
        assert set(s.scalars(select(Dossier.id))) == {"d-occ"}
        assert s.connection().exec_driver_sql("SELECT count(*) FROM conventions").scalar() == 0
    assert any("hors de votre périmètre" in w for w in report.warnings), report.warnings
