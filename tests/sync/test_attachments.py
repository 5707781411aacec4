"""Scans travel by SHA-256: kept encrypted locally, uploaded in resumable parts, verified on arrival."""

from __future__ import annotations

import os

import requests
from sqlalchemy import select

from aude_desktop.dossiers.models import Dossier
from aude_desktop.sync import attachments
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from tests.support.live_server import server_fixture
from tests.sync.test_engine import AGENT, _client

server = server_fixture(50, 10, 8)


def test_scan_goes_from_one_agent_to_another(tmp_path, server):
    author, auth1 = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "one")
    colleague, auth2 = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "two")
    SyncEngine(author, auth1).run()
    scan = tmp_path / "diplome-Élodie.pdf"
    content = b"%PDF-1.4 scan " + os.urandom(2_500_000)
    scan.write_bytes(content)
    sha = attachments.add_file(author, scan)
    assert attachments.add_file(author, scan) == sha  # stored once
    assert content[20:60] not in (tmp_path / "one" / "data" / "aude.db").read_bytes()  # encrypted at rest
    with author.session() as s:
        dossier_id = s.scalar(select(Dossier.id).limit(1))
    run_command(author, AGENT, "piece.upsert", {"payload": {
        "dossier_id": dossier_id, "code": "c", "label": "Titre de formation", "status": "recu",
        "sha256": sha, "filename": scan.name}})
    SyncEngine(author, auth1).run()
    SyncEngine(colleague, auth2).run()
    assert attachments.read(colleague, sha) == content


def test_upload_resumes_after_a_cut(tmp_path, server):
    store, auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ")
    data = os.urandom(3_000_000)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(data)
    sha = attachments.add_file(store, scan)
    # a first part arrived before the connection dropped
    auth.transport.request("PUT", f"/api/v1/attachments/{sha}", token=auth.access_token(), data=data[:1_000_000],
                           headers={"Content-Range": f"bytes 0-999999/{len(data)}"})
    assert attachments.upload_pending(store, auth) == 1

    def fetch(login: str, password: str) -> requests.Response:
        other = _client(tmp_path, server.url, login, password, f"reader-{login}")[1]
        return requests.get(f"{server.url}/api/v1/attachments/{sha}",
                            headers={"Authorization": f"Bearer {other.access_token()}"}, timeout=30)

    assert fetch("agent.occ", "demo-agent-occ").status_code == 404  # no record names it yet: nobody gets it
    SyncEngine(store, auth).run()
    with store.session() as s:
        dossier_id = s.scalar(select(Dossier.id).limit(1))
    run_command(store, AGENT, "piece.upsert", {"payload": {
        "dossier_id": dossier_id, "code": "b", "label": "Pièce d'identité", "status": "recu", "sha256": sha, "filename": "scan.pdf"}})
    SyncEngine(store, auth).run()
    assert fetch("agent.occ", "demo-agent-occ").content == data  # complete and identical after the resumed upload
    assert fetch("dgos", "demo-dgos").content == data  # the DGOS sees every dossier
    refused = fetch("agent.idf", "demo-agent-idf")  # another region: as if it did not exist
    assert refused.status_code == 404 and "hors de votre périmètre" in refused.json()["message"]


def test_an_issued_letter_reaches_a_colleague_registered_and_identical(tmp_path, server):
    from datetime import date

    from aude_desktop.auth.actor import remember_user
    from aude_desktop.auth.session import UserInfo
    from aude_desktop.letters import compose, register
    from aude_desktop.letters.samples import sample_settings
    from aude_desktop.store.models import Letter
    from aude_desktop.sync.materialize import dump_dossier

    author, auth1 = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "l1")
    colleague, auth2 = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "l2")
    for store in (author, colleague):  # as at sign-in: the case officer named in the letters
        remember_user(store, UserInfo("agent.occ", "Agent Occitanie", "agent_dreets", "OCC"))
    SyncEngine(author, auth1).run()
    with author.session() as s:
        candidates = [(d, dump_dossier(s, d)) for d in s.scalars(select(Dossier.id))]
    dossier_id, kind = next((d, k) for d, p in candidates for k in compose.applicable("aude", p))
    issued = register.issue(author, AGENT, sample_settings(), "aude", kind, dossier_id, date.today())
    report = SyncEngine(author, auth1).run()
    assert report.applied == 1 and not report.mismatch
    SyncEngine(colleague, auth2).run()
    with colleague.session() as s:
        letter = s.get(Letter, issued.letter_id)
        assert (letter.reference, letter.sha256, letter.issued_by) == (issued.reference, issued.sha256, "agent.occ")
    assert attachments.read(colleague, issued.sha256) == issued.pdf
    again = register.issue(colleague, AGENT, sample_settings(), "aude", kind, dossier_id, date.today())
    assert again.reissued and again.reference == issued.reference  # the colleague sees the registered letter
