"""Issue 16 item 15: the client trusts the server no more for children than for dossiers. A server on
127.0.0.1 leaks pièces, letters and annotations of another region's dossier, answers a conflict or a
discard with a record outside the user's scope, and serves files larger than announced: nothing of
it is stored, and the user is told."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from aude_desktop.domain.commands import Actor
from aude_desktop.dossiers.models import Dossier, Piece
from aude_desktop.store.models import Annotation, AttachmentData, Letter, OutboxEntry
from aude_desktop.store.state import get_state, set_state
from aude_desktop.sync import attachments, resolution
from aude_desktop.sync.engine import CURSOR_KEY, SyncEngine, SyncReport
from aude_desktop.sync.http import ServerError
from aude_desktop.sync.local import run_command
from tests.dossiers.test_instruction import payload
from tests.sync.test_hostile_server import _serving

USER = {"login": "agent.occ", "display_name": "Agent", "role": "agent_dreets", "region": "OCC", "authority": None}
AGENT = Actor("agent.occ", "agent_dreets", "OCC")
OCC_ID, IDF_ID = str(uuid.uuid4()), str(uuid.uuid4())


class Hostile:
    pages: dict[int, dict] = {}  # since -> page
    mutations: callable = None
    records: dict[str, dict] = {}
    files: dict[str, tuple[bytes, dict]] = {}  # sha -> (body, extra headers)
    chunked_forever: set[str] = set()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        pass

    def _send(self, body: str | bytes, status: int = 200, headers: dict | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        headers = {"Content-Length": str(len(data))} | (headers or {})
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self) -> None:  # noqa: N802
        self._send(b"", 200, {"Upload-Complete": "1", "Upload-Offset": "0"})

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        if url.path == "/api/v1/meta":
            self._send(json.dumps({"protocol_version": 1, "server_time": datetime.now(UTC).isoformat()}))
        elif url.path == "/api/v1/changes":
            since = int(parse_qs(url.query)["since"][0])
            self._send(json.dumps(Hostile.pages.get(since, {"changes": [], "next": since, "more": False})))
        elif url.path == "/api/v1/stats":
            self._send('{"counts": {}, "versions": {}}')
        elif url.path.startswith("/api/v1/records/"):
            record = Hostile.records.get(url.path.rsplit("/", 1)[1])
            self._send(json.dumps(record) if record else '{"code": "introuvable", "message": "Introuvable."}',
                       200 if record else 404)
        elif url.path.startswith("/api/v1/attachments/"):
            sha = url.path.rsplit("/", 1)[1]
            if sha in Hostile.chunked_forever:  # no length announced, bytes without end
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for _ in range(4096):
                        self.wfile.write(b"10000\r\n" + b"x" * 65536 + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass  # the client hung up: what it should do
                return
            body, headers = Hostile.files.get(sha, (b'{"code": "introuvable"}', None))
            self._send(body, 200 if sha in Hostile.files else 404, headers)
        else:
            self._send('{"code": "introuvable", "message": "Adresse inconnue."}', 404)

    def do_POST(self) -> None:  # noqa: N802
        sent = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.path.startswith("/api/v1/auth/token"):
            self._send(json.dumps({"access_token": "a", "refresh_token": "r", "expires_in": 3600, "user": USER}))
        elif self.path.startswith("/api/v1/mutations"):
            self._send(json.dumps({"results": [Hostile.mutations(m) for m in sent["mutations"]]}))
        else:
            self._send('{"code": "introuvable", "message": "Adresse inconnue."}', 404)


@contextmanager
def hostile():
    Hostile.pages, Hostile.records, Hostile.files, Hostile.chunked_forever = {}, {}, {}, set()
    Hostile.mutations = lambda m: {"id": m["id"], "seq": m["seq"], "status": "applied", "version": 1}
    with _serving(Handler) as auth:
        yield auth


def change(kind: str, record_id: str, body: dict | None, cursor: int) -> dict:
    return {"kind": kind, "id": record_id, "version": 1, "cursor": cursor, "deleted": body is None, "payload": body}


def piece(dossier_id: str, sha: str | None = None) -> dict:
    return {"dossier_id": dossier_id, "code": "b", "label": "Identité", "status": "recu", "sha256": sha,
            "filename": None, "received_on": None, "note": None}


def letter(dossier_id: str) -> dict:
    return {"kind": "aude.accuse_reception", "reference": f"L-{uuid.uuid4().hex[:6]}", "dossier_id": dossier_id,
            "convention_id": None, "sha256": "e" * 64, "issued_on": "2026-11-20", "issued_by": "agent.idf"}


def note(dossier_id: str, author: str) -> dict:
    return {"dossier_id": dossier_id, "convention_id": None, "author": author, "text": "confidentiel",
            "updated_at": "2026-11-20T10:00:00+00:00"}


def _ids(store, model) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(model.id)))


def test_children_of_records_outside_the_scope_are_never_stored(store):
    kept = {"piece": str(uuid.uuid4()), "letter": str(uuid.uuid4()), "annotation": str(uuid.uuid4())}
    leaked = {name: str(uuid.uuid4()) for name in ("piece", "letter", "annotation", "foreign_note", "orphan")}
    with hostile() as auth:
        Hostile.pages[0] = {"changes": [
            change("dossier", IDF_ID, payload("AUDE-IDF-1", region="IDF"), 1),  # leaked, dropped as before
            change("piece", leaked["piece"], piece(IDF_ID), 2),
            change("letter", leaked["letter"], letter(IDF_ID), 3),
            change("annotation", leaked["annotation"], note(IDF_ID, "agent.occ"), 4),
            change("annotation", leaked["foreign_note"], note(OCC_ID, "agent.idf"), 5),  # someone else's note
            change("piece", kept["piece"], piece(OCC_ID), 6),  # its dossier comes on the next page
        ], "next": 6, "more": True}
        Hostile.pages[6] = {"changes": [
            change("dossier", OCC_ID, payload("AUDE-OCC-1"), 7),
            change("letter", kept["letter"], letter(OCC_ID), 8),
            change("annotation", kept["annotation"], note(OCC_ID, "agent.occ"), 9),
            change("piece", leaked["orphan"], piece(str(uuid.uuid4())), 10),  # a dossier that never comes
        ], "next": 10, "more": False}
        report = SyncEngine(store, auth, page_size=6).run()
    assert _ids(store, Dossier) == {OCC_ID}
    assert _ids(store, Piece) == {kept["piece"]}
    assert _ids(store, Letter) == {kept["letter"]}
    assert _ids(store, Annotation) == {kept["annotation"]}
    assert any("6 enregistrement(s) hors de votre périmètre" in w for w in report.warnings), report.warnings
    with store.session() as s:
        assert get_state(s, CURSOR_KEY) == "10"


def test_a_pull_cut_while_a_piece_waits_for_its_dossier_fetches_it_again(store):
    piece_id = str(uuid.uuid4())
    with hostile() as auth:
        other = str(uuid.uuid4())
        Hostile.pages[0] = {"changes": [change("piece", piece_id, piece(OCC_ID), 1),
                                        change("dossier", other, payload("AUDE-OCC-2"), 2)], "next": 2, "more": True}
        Hostile.pages[2] = "cut"  # not a page: the sync stops with a French error
        with pytest.raises(ServerError):
            SyncEngine(store, auth, page_size=1, apply_batch=1, sleep=lambda _s: None).run()
        with store.session() as s:
            assert get_state(s, CURSOR_KEY) == "0"  # the page is written, the cursor not past the waiting pièce
        assert _ids(store, Piece) == set() and _ids(store, Dossier) == {other}
        Hostile.pages[2] = {"changes": [change("dossier", OCC_ID, payload("AUDE-OCC-1"), 3)], "next": 3, "more": False}
        SyncEngine(store, auth, page_size=1).run()
    assert _ids(store, Piece) == {piece_id} and _ids(store, Dossier) == {OCC_ID, other}


def _local_dossier(store, auth) -> str:
    with store.session() as s:
        set_state(s, CURSOR_KEY, "0")
    Hostile.pages[0] = {"changes": [change("dossier", OCC_ID, payload("AUDE-OCC-1"), 1)], "next": 1, "more": False}
    SyncEngine(store, auth).run()
    run_command(store, AGENT, "dossier.assign", {"id": OCC_ID, "assigned_to": "agent.occ"})
    return OCC_ID


@pytest.mark.parametrize("current", [
    {"kind": "dossier", "id": OCC_ID, "version": 5, "deleted": False, "payload": payload("AUDE-OCC-1", region="IDF")},
    {"kind": "dossier", "id": IDF_ID, "version": 5, "deleted": False, "payload": payload("AUDE-IDF-1", region="IDF")},
    {"kind": "piece", "id": OCC_ID, "version": 5, "deleted": False, "payload": piece(IDF_ID)},
    "pas un enregistrement",
])
def test_a_conflict_answered_with_a_record_outside_the_scope_stores_nothing(store, current):
    with hostile() as auth:
        _local_dossier(store, auth)
        Hostile.mutations = lambda m: {"id": m["id"], "seq": m["seq"], "status": "conflict", "message": "x", "current": current}
        report = SyncEngine(store, auth).run()
    with store.session() as s:
        entry = s.scalars(select(OutboxEntry)).one()
        assert entry.status == "rejected" and entry.reason_code == "reponse_hors_perimetre" and entry.server_record is None
        assert "hors de votre périmètre" in entry.reason_message
        assert s.get(Dossier, OCC_ID).region == "OCC"
    assert report.rejected == 1 and report.conflicts == 0


def test_a_discard_restores_only_a_record_within_the_scope(store):
    with hostile() as auth:
        _local_dossier(store, auth)
        Hostile.mutations = lambda m: {"id": m["id"], "seq": m["seq"], "status": "rejected", "code": "x", "message": "Refusé."}
        SyncEngine(store, auth).run()
        [problem] = resolution.problems(store)
        Hostile.records[OCC_ID] = {"kind": "dossier", "id": OCC_ID, "version": 9, "deleted": False,
                                   "payload": payload("AUDE-OCC-1", region="IDF")}
        resolution.discard(store, problem.seq, resolution.fetcher(auth, store))
        assert _ids(store, Dossier) == set()  # out of the user's scope: not kept, not restored
        _local_dossier(store, auth)
        SyncEngine(store, auth).run()
        [problem] = resolution.problems(store)
        Hostile.records[OCC_ID] = {"kind": "dossier", "id": IDF_ID, "version": 9, "deleted": False,
                                   "payload": payload("AUDE-IDF-1", region="IDF")}
        with pytest.raises(ServerError, match="autre enregistrement"):
            resolution.discard(store, problem.seq, resolution.fetcher(auth, store))
    assert _ids(store, Dossier) == {OCC_ID}


def _pieces_naming(store, auth, *shas: str) -> None:
    Hostile.pages[0] = {"changes": [change("dossier", OCC_ID, payload("AUDE-OCC-1"), 1)] + [
        change("piece", str(uuid.uuid4()), piece(OCC_ID, sha), 2 + i) for i, sha in enumerate(shas)],
        "next": 1 + len(shas), "more": False}
    SyncEngine(store, auth).run()  # the files are not on the server yet: skipped until the next sync


def test_downloads_are_streamed_and_capped(store):
    good = b"%PDF scan " * 100
    endless, lying, huge = "a" * 64, "b" * 64, "c" * 64
    with hostile() as auth:
        _pieces_naming(store, auth, hashlib.sha256(good).hexdigest(), endless, lying, huge)
        Hostile.files[hashlib.sha256(good).hexdigest()] = (good, None)
        assert attachments.download_missing(store, auth) == 1
        Hostile.chunked_forever.add(endless)  # no Content-Length, bytes without end
        Hostile.files[lying] = (b"x" * 5000, {"Content-Length": "100"})  # more than it says
        Hostile.files[huge] = (b"", {"Content-Length": str(200 * 1024 * 1024)})  # announces more than the limit
        for sha in (endless, huge):
            with pytest.raises(ServerError, match="dépasse sa taille annoncée ou la limite"):
                attachments._fetch(auth, sha, None, 1024 * 1024)
        with pytest.raises(ServerError):
            attachments._fetch(auth, lying, None, 1024 * 1024)
        warnings: list[str] = []
        assert attachments.download_missing(store, auth, limit=1024 * 1024, warnings=warnings) == 0
        assert len(warnings) == 3 and all("écartée" in w for w in warnings), warnings
    with store.session() as s:
        assert set(s.scalars(select(AttachmentData.sha256))) == {hashlib.sha256(good).hexdigest()}


def test_a_file_longer_than_the_size_its_convention_declares_is_refused(store):
    data = b"statuts " * 1000
    sha = hashlib.sha256(data).hexdigest()
    with hostile() as auth:
        Hostile.files[sha] = (data, None)
        with pytest.raises(ServerError):
            attachments._fetch(auth, sha, 100, 1024 * 1024)
        assert attachments._fetch(auth, sha, len(data), 1024 * 1024) == data
        with pytest.raises(ServerError, match="taille"):
            attachments._fetch(auth, sha, len(data) + 1, 1024 * 1024)


SCOPE_EXAMPLES = int(os.environ.get("AUDE_SCOPE_EXAMPLES", "25"))


def test_generated_feeds_store_exactly_the_children_of_records_in_scope(tmp_path):
    """Dossiers of two regions and their pièces, letters and notes (some by another author, some of a
    dossier never sent), in any order over pages of any size: what is stored is exactly the in-scope
    dossiers and the children of those, whatever the order, and the final cursor is the feed's."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key

    parents = st.lists(st.sampled_from(["OCC", "IDF", None]), min_size=1, max_size=5)  # None: never sent
    child = st.tuples(st.integers(min_value=0, max_value=4), st.sampled_from(["piece", "letter", "annotation", "foreign"]))
    rounds = iter(range(10**6))

    @settings(max_examples=SCOPE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(parents, st.lists(child, max_size=12), st.randoms(use_true_random=False), st.integers(min_value=1, max_value=5))
    def feed(regions, children, rnd, page_size):
        profile = Profile.isolated(tmp_path / f"p{next(rounds)}")
        store = open_store(profile, database_key(profile))
        ids = [str(uuid.uuid4()) for _ in regions]
        records, expected = [], {"dossier": set(), "piece": set(), "letter": set(), "annotation": set()}
        for dossier_id, region in zip(ids, regions, strict=True):
            if region:
                records.append(("dossier", dossier_id, payload(f"AUDE-{dossier_id[:8]}", region=region)))
                if region == "OCC":
                    expected["dossier"].add(dossier_id)
        for index, kind in children:
            parent = ids[index % len(ids)]
            child_id = str(uuid.uuid4())
            body = (piece(parent) if kind == "piece" else letter(parent) if kind == "letter"
                    else note(parent, "agent.occ" if kind == "annotation" else "agent.idf"))
            records.append(("annotation" if kind == "foreign" else kind, child_id, body))
            if kind != "foreign" and regions[index % len(ids)] == "OCC":
                expected[kind].add(child_id)
        rnd.shuffle(records)
        Hostile.pages = {}
        for start in range(0, len(records), page_size):
            part = records[start:start + page_size]
            more = start + page_size < len(records)
            Hostile.pages[start] = {"changes": [change(k, i, p, start + n + 1) for n, (k, i, p) in enumerate(part)],
                                    "next": start + len(part), "more": more}
        SyncEngine(store, auth, page_size=page_size, apply_batch=1).pull(SyncReport())
        with store.session() as s:
            assert _ids(store, Dossier) == expected["dossier"]
            assert _ids(store, Piece) == expected["piece"]
            assert _ids(store, Letter) == expected["letter"]
            assert _ids(store, Annotation) == expected["annotation"]
            assert get_state(s, CURSOR_KEY) == str(len(records))
        store.close()

    with hostile() as auth:
        feed()
