"""Attachments by SHA-256: resumable upload, verified on arrival, ranged download."""

from __future__ import annotations

import hashlib
import os

import requests


def test_resumable_upload_verified_and_ranged_download(server, login):
    agent = login("agent.occ")
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    url = f"{server.url}/api/v1/attachments/{sha}"
    assert requests.head(url, headers=agent.headers, timeout=10).headers["Upload-Offset"] == "0"
    first = requests.put(url, data=data[:100_000], timeout=10,
                         headers=agent.headers | {"Content-Range": f"bytes 0-99999/{len(data)}"})
    assert first.json() == {"sha256": sha, "complete": False, "size": 100_000}
    # the connection dropped: the client asks where to resume
    assert requests.head(url, headers=agent.headers, timeout=10).headers["Upload-Offset"] == "100000"
    wrong_place = requests.put(url, data=data[50_000:], timeout=10,
                               headers=agent.headers | {"Content-Range": f"bytes 50000-{len(data) - 1}/{len(data)}"})
    assert wrong_place.status_code == 409 and wrong_place.headers["Upload-Offset"] == "100000"
    rest = requests.put(url, data=data[100_000:], timeout=10,
                        headers=agent.headers | {"Content-Range": f"bytes 100000-{len(data) - 1}/{len(data)}"})
    assert rest.json()["complete"] is True
    assert requests.get(url, headers=agent.headers, timeout=10).status_code == 404  # no record names it yet
    from sqlalchemy import select

    from central_api.db import Record
    from central_api.service import insert_system_record

    with server.engine.begin() as conn:  # a pièce of an Occitanie dossier names it
        dossier = conn.execute(select(Record.id).where(Record.kind == "dossier", Record.region == "OCC")).scalars().first()
        insert_system_record(conn, "piece", os.urandom(8).hex(), {"dossier_id": dossier, "code": "b", "label": "Identité",
                                                                 "status": "recu", "sha256": sha}, region="OCC")
    assert requests.get(url, headers=agent.headers, timeout=10).content == data
    assert requests.get(url, headers=login("agent.idf").headers, timeout=10).status_code == 404  # not in its region
    part = requests.get(url, headers=agent.headers | {"Range": "bytes=1000-1999"}, timeout=10)
    assert part.status_code == 206 and part.content == data[1000:2000]


def test_content_not_matching_its_hash_is_discarded(server, login):
    agent = login("agent.occ")
    claimed = hashlib.sha256(b"le vrai contenu").hexdigest()
    url = f"{server.url}/api/v1/attachments/{claimed}"
    answer = requests.put(url, data=b"un autre contenu", headers=agent.headers, timeout=10)
    assert answer.status_code == 422 and answer.json()["code"] == "empreinte_differente"
    assert requests.head(url, headers=agent.headers, timeout=10).headers["Upload-Offset"] == "0"
    assert requests.get(url, headers=agent.headers, timeout=10).status_code == 404
    bad = requests.get(f"{server.url}/api/v1/attachments/pas-une-empreinte", headers=agent.headers, timeout=10)
    assert bad.status_code == 400 and bad.json()["code"] == "empreinte_invalide"


def test_dgos_cannot_upload(server, login):
    dgos = login("dgos")
    sha = hashlib.sha256(b"x").hexdigest()
    answer = requests.put(f"{server.url}/api/v1/attachments/{sha}", data=b"x", headers=dgos.headers, timeout=10)
    assert answer.status_code == 403
