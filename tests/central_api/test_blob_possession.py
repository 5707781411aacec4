"""Issue 16 item 3: naming a file's hash requires having the file, and HEAD/PUT say nothing about
other users' files. Each test performs the attack against the real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import update

from central_api.db import PartialUpload
from central_api.files import partial_path
from tests.central_api.conftest import new_dossier


def _put(client, sha: str, data: bytes, headers: dict | None = None):
    return requests.put(f"{client.server.url}/api/v1/attachments/{sha}", data=data, timeout=10,
                        headers=client.headers | (headers or {}))


def _head(client, sha: str):
    return requests.head(f"{client.server.url}/api/v1/attachments/{sha}", headers=client.headers, timeout=10)


def _new_dossier(client, region: str) -> str:
    dossier_id = str(uuid.uuid4())
    [result] = client.send(client.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier(region)}))
    assert result["status"] == "applied", result
    return dossier_id


def _piece(client, dossier_id: str, sha: str) -> dict:
    payload = {"dossier_id": dossier_id, "code": "b", "label": "Pièce d'identité", "status": "recu", "sha256": sha}
    return client.send(client.mutation("piece.upsert", {"id": str(uuid.uuid4()), "payload": payload}))[0]


def _idf_scan(login) -> tuple[bytes, str]:
    """An Île-de-France agent's scan, uploaded and named by a pièce of an Île-de-France dossier."""
    idf = login("agent.idf")
    scan = b"%PDF-1.4 passeport IDF " + os.urandom(2000)
    sha = hashlib.sha256(scan).hexdigest()
    assert _put(idf, sha, scan).json()["complete"] is True
    assert _piece(idf, _new_dossier(idf, "IDF"), sha)["status"] == "applied"
    assert idf.get(f"/api/v1/attachments/{sha}").content == scan
    return scan, sha


def test_a_hash_named_in_a_piece_without_the_file_is_refused_and_gives_nothing(server, login):
    _scan, sha = _idf_scan(login)
    occ = login("agent.occ")
    result = _piece(occ, _new_dossier(occ, "OCC"), sha)  # the attack of issue 16
    assert result["status"] == "rejected" and result["code"] == "piece_inconnue", result
    assert "envoyez le fichier" in result["message"]
    assert occ.get(f"/api/v1/attachments/{sha}").status_code == 404
    assert not [c for c in occ.pull_all() if c["kind"] == "piece" and (c["payload"] or {}).get("sha256") == sha]


def test_a_hash_named_in_a_letter_without_the_file_is_refused(server, login):
    _scan, sha = _idf_scan(login)
    order = login("ordre.inf")
    convention = next(c for c in order.pull_all() if c["kind"] == "convention" and not c["deleted"])
    letter = {"kind": "eps.accuse_reception", "reference": f"L-{uuid.uuid4().hex[:8]}", "sha256": sha,
              "convention_id": convention["id"], "issued_on": "2026-11-20"}
    [result] = order.send(order.mutation("letter.register", {"id": str(uuid.uuid4()), "payload": letter}))
    assert result["status"] == "rejected" and result["code"] == "piece_inconnue", result
    assert order.get(f"/api/v1/attachments/{sha}").status_code == 404


def test_an_uploader_may_name_what_they_sent_and_a_colleague_what_their_region_holds(server, login):
    occ, occ2 = login("agent.occ"), login("agent.occ")
    data = os.urandom(5000)
    sha = hashlib.sha256(data).hexdigest()
    dossier_id = _new_dossier(occ, "OCC")
    assert _piece(occ, dossier_id, sha)["code"] == "piece_inconnue"  # not sent yet
    assert _put(occ, sha, data).json()["complete"] is True
    assert _piece(occ, dossier_id, sha)["status"] == "applied"
    assert _piece(occ2, dossier_id, sha)["status"] == "applied"  # already belongs to a record of the region
    # whoever sends the same bytes proves having them: they may name them too
    idf = login("agent.idf")
    assert _head(idf, sha).headers["Upload-Complete"] == "0"
    assert _put(idf, sha, data).json()["complete"] is True
    assert _piece(idf, _new_dossier(idf, "IDF"), sha)["status"] == "applied"


def test_head_and_put_reveal_nothing_about_someone_elses_file(server, login):
    _scan, sha = _idf_scan(login)
    occ = login("agent.occ")
    head = _head(occ, sha)
    assert head.status_code == 404 and head.headers["Upload-Offset"] == "0" and head.headers["Upload-Complete"] == "0"
    first = _put(occ, sha, b"x" * 100, {"Content-Range": "bytes 0-99/3000"})
    assert first.status_code == 200 and first.json() == {"sha256": sha, "complete": False, "size": 100}
    assert _piece(occ, _new_dossier(occ, "OCC"), sha)["code"] == "piece_inconnue"
    # the rest, of other bytes: discarded, never "complete", and still nothing to download
    wrong = _put(occ, sha, b"y" * 2900, {"Content-Range": "bytes 100-2999/3000"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "empreinte_differente"
    assert _head(occ, sha).headers["Upload-Complete"] == "0"
    assert occ.get(f"/api/v1/attachments/{sha}").status_code == 404


def test_uploads_under_way_are_per_user_capped_and_purged(server, login):
    occ, idf = login("agent.occ"), login("agent.idf")
    data = os.urandom(3000)
    sha = hashlib.sha256(data).hexdigest()
    assert _put(idf, sha, data[:1000], {"Content-Range": "bytes 0-999/3000"}).json()["size"] == 1000
    assert _head(occ, sha).headers["Upload-Offset"] == "0"  # IDF's bytes are not OCC's
    resume = _put(occ, sha, data[1000:], {"Content-Range": "bytes 1000-2999/3000"})
    assert resume.status_code == 409 and resume.headers["Upload-Offset"] == "0"
    # capped: the body must be the announced range, within the announced size and the file limit
    assert _put(occ, sha, data[:20], {"Content-Range": "bytes 0-9/3000"}).json()["code"] == "plage_invalide"
    assert _put(occ, sha, data, {"Content-Range": "bytes 0-2999/2000"}).status_code == 416
    too_big = _put(occ, sha, data[:10], {"Content-Range": f"bytes 0-9/{65 * 1024 * 1024}"})
    assert too_big.status_code == 413 and too_big.json()["code"] == "trop_volumineux"
    assert _put(occ, sha, data[:500], {"Content-Range": "bytes 0-499/3000"}).json()["size"] == 500
    changed = _put(occ, sha, data[500:], {"Content-Range": "bytes 500-2999/4000"})
    assert changed.status_code == 409  # the announced size cannot grow on the way
    # started more than 24 hours ago: discarded, bytes included
    with server.engine.begin() as conn:
        conn.execute(update(PartialUpload).where(PartialUpload.sha256 == sha)
                     .values(started_at=datetime.now(UTC) - timedelta(hours=25)))
    on_disk = partial_path(server.app.state.files, "agent.occ", sha)
    assert on_disk.exists()
    assert _head(occ, sha).headers["Upload-Offset"] == "0" and _head(idf, sha).headers["Upload-Offset"] == "0"
    assert not on_disk.exists()
    with server.engine.connect() as conn:
        assert conn.execute(PartialUpload.__table__.select().where(PartialUpload.sha256 == sha)).first() is None
    # and a fresh upload starts again from zero and completes
    assert _put(occ, sha, data[:1000], {"Content-Range": "bytes 0-999/3000"}).json()["size"] == 1000
    assert _put(occ, sha, data[1000:], {"Content-Range": "bytes 1000-2999/3000"}).json()["complete"] is True


def test_reversed_or_unreadable_ranges_are_416(server, login):
    occ = login("agent.occ")
    data = os.urandom(4000)
    sha = hashlib.sha256(data).hexdigest()
    _put(occ, sha, data)
    assert _piece(occ, _new_dossier(occ, "OCC"), sha)["status"] == "applied"
    url = f"/api/v1/attachments/{sha}"
    for bad in ("bytes=2000-1000", "bytes=abc", "bytes=-", "octets=0-10", "bytes=4000-", "bytes=99999999999999999999-"):
        answer = requests.get(server.url + url, headers=occ.headers | {"Range": bad}, timeout=10)
        assert answer.status_code == 416 and answer.json()["code"] == "plage_invalide", bad
        assert answer.headers["Content-Range"] == "bytes */4000"
    part = requests.get(server.url + url, headers=occ.headers | {"Range": "bytes=3990-99999"}, timeout=10)
    assert part.status_code == 206 and part.content == data[3990:]
    assert occ.get(url).content == data


def test_partial_files_of_two_users_are_kept_apart_on_disk(tmp_path):
    sha = "a" * 64
    one, two = partial_path(tmp_path, "agent.occ", sha), partial_path(tmp_path, "agent.idf", sha)
    assert one != two and one.parent == two.parent == tmp_path / "partial" and one.name.endswith(sha)


UPLOAD_ROUNDS = int(os.environ.get("AUDE_UPLOAD_ROUNDS", "3"))


def _send_in_parts(client, data: bytes, step: int = 20_000) -> bool:
    sha = hashlib.sha256(data).hexdigest()
    for start in range(0, len(data), step):
        end = min(start + step, len(data)) - 1
        answer = _put(client, sha, data[start:end + 1], {"Content-Range": f"bytes {start}-{end}/{len(data)}"})
        assert answer.status_code == 200, answer.text
        if answer.json()["complete"]:
            return True
    return False


def _probe(client, sha: str, times: int = 20) -> set[tuple[str, str]]:
    seen = set()
    for _ in range(times):
        head = _head(client, sha)
        seen.add((head.headers["Upload-Offset"], head.headers["Upload-Complete"]))
    return seen


def test_racing_uploads_of_one_file_stay_apart_and_a_prober_learns_nothing(server, login):
    """Two agents of different regions send the same file in parts at the same time while a third
    user probes it with HEAD: both complete, the prober never sees a byte of theirs."""
    from concurrent.futures import ThreadPoolExecutor

    uploaders, prober = [login("agent.occ"), login("agent.idf")], login("ordre.inf")
    for _round in range(UPLOAD_ROUNDS):
        data = os.urandom(200_000)
        sha = hashlib.sha256(data).hexdigest()
        with ThreadPoolExecutor(max_workers=3) as pool:
            sent = [pool.submit(_send_in_parts, c, data) for c in uploaders]
            probed = pool.submit(_probe, prober, sha)
            assert all(f.result() for f in sent)
            assert probed.result() == {("0", "0")}
        assert _head(prober, sha).headers["Upload-Complete"] == "0"
        for client in uploaders:
            assert _head(client, sha).headers["Upload-Complete"] == "1"
