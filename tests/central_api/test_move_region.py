"""Issue 16 item 10: a dossier moved to another region leaves the old region's copies — a tombstone in
its change feed for the dossier, its pièces and its letters, whose files it can no longer read — and
reaches the new region whole. Against the real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import uuid

import requests

from tests.central_api.conftest import new_dossier


def _since(client, cursor: int) -> list[dict]:
    page = client.get("/api/v1/changes", params={"since": cursor, "limit": 10000}).json()
    assert not page["more"]
    return page["changes"]


def _top(client) -> int:
    return client.get("/api/v1/stats").json()["cursor"]


def _upload(client, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    answer = requests.put(f"{client.server.url}/api/v1/attachments/{sha}", data=data, headers=client.headers, timeout=10)
    assert answer.json()["complete"] is True
    return sha


def _occ_dossier_with_piece_and_letter(occ) -> tuple[str, str, str, str, str]:
    dossier_id, piece_id, letter_id = (str(uuid.uuid4()) for _ in range(3))
    scan, pdf = _upload(occ, b"%PDF scan " + os.urandom(500)), _upload(occ, b"%PDF courrier " + os.urandom(500))
    results = occ.send(
        occ.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier("OCC")}),
        occ.mutation("piece.upsert", {"id": piece_id, "payload": {"dossier_id": dossier_id, "code": "b", "label": "Identité",
                                                                  "status": "recu", "sha256": scan}}),
        occ.mutation("letter.register", {"id": letter_id, "payload": {
            "kind": "aude.accuse_reception", "reference": f"L-{uuid.uuid4().hex[:8]}", "sha256": pdf,
            "dossier_id": dossier_id, "issued_on": "2026-11-20"}}),
    )
    assert [r["status"] for r in results] == ["applied"] * 3, results
    return dossier_id, piece_id, letter_id, scan, pdf


def _move(client, dossier_id: str, base_version: int | None, region: str = "IDF", reason: str = "Domicile du demandeur en Île-de-France"):
    return client.send(client.mutation("dossier.move_region", {"id": dossier_id, "region": region, "reason": reason},
                                       base_version=base_version))[0]


def test_a_moved_dossier_leaves_the_old_region_and_reaches_the_new_one_whole(server, login):
    occ, idf, dgos = login("agent.occ"), login("agent.idf"), login("dgos")
    dossier_id, piece_id, letter_id, scan, pdf = _occ_dossier_with_piece_and_letter(occ)
    occ_cursor, idf_cursor, dgos_cursor = _top(occ), _top(idf), _top(dgos)
    assert idf.get(f"/api/v1/records/dossier/{dossier_id}").status_code == 404

    result = _move(occ, dossier_id, base_version=1)
    assert result["status"] == "applied" and result["version"] == 2, result

    # the old region: tombstones for the dossier, its pièce and its letter; nothing readable any more
    tombstones = {(c["kind"], c["id"]): c for c in _since(occ, occ_cursor)}
    assert set(tombstones) >= {("dossier", dossier_id), ("piece", piece_id), ("letter", letter_id)}
    assert all(c["deleted"] and c["payload"] is None for c in tombstones.values())
    for kind, record_id in (("dossier", dossier_id), ("piece", piece_id), ("letter", letter_id)):
        assert occ.get(f"/api/v1/records/{kind}/{record_id}").status_code == 404
    for sha in (scan, pdf):
        assert occ.get(f"/api/v1/attachments/{sha}").status_code == 404
    # ... and a first sync of the old region never meets it again
    assert dossier_id not in {c["id"] for c in occ.pull_all() if not c["deleted"]}
    refused = occ.send(occ.mutation("dossier.assign", {"id": dossier_id, "assigned_to": "agent.occ"}, base_version=2))[0]
    assert refused["code"] == "hors_perimetre"

    # the new region receives it with its pièce and letter, and their files
    received = {(c["kind"], c["id"]): c for c in _since(idf, idf_cursor)}
    dossier = received[("dossier", dossier_id)]["payload"]
    assert dossier["region"] == "IDF" and dossier["assigned_to"] is None
    assert dossier["transfers"][0] | {"on": None} == {"from": "OCC", "to": "IDF", "by": "agent.occ", "on": None,
                                                     "reason": "Domicile du demandeur en Île-de-France"}
    assert received[("piece", piece_id)]["payload"]["sha256"] == scan
    assert received[("letter", letter_id)]["payload"]["sha256"] == pdf
    for sha in (scan, pdf):
        assert idf.get(f"/api/v1/attachments/{sha}").status_code == 200
    assert _move(idf, dossier_id, base_version=2, region="IDF")["code"] == "region_identique"
    # DGOS saw it all along: an update, never a tombstone
    national = [c for c in _since(dgos, dgos_cursor) if c["id"] == dossier_id]
    assert national and not any(c["deleted"] for c in national)


def test_moving_needs_the_current_region_a_version_a_reason_and_a_competent_target(server, login):
    occ, idf = login("agent.occ"), login("agent.idf")
    dossier_id, *_ = _occ_dossier_with_piece_and_letter(occ)
    assert _move(idf, dossier_id, base_version=1)["code"] == "hors_perimetre"  # not IDF's dossier (yet)
    assert _move(occ, dossier_id, base_version=None)["code"] == "base_version_requise"
    no_reason = _move(occ, dossier_id, base_version=1, reason="")
    assert no_reason["code"] == "champ_requis" and "Motif du transfert" in no_reason["message"]
    assert _move(occ, dossier_id, base_version=1, region="XXX")["code"] == "region_inconnue"
    assert _move(occ, dossier_id, base_version=0)["status"] == "conflict"
    assert occ.get(f"/api/v1/records/dossier/{dossier_id}").json()["payload"]["region"] == "OCC"
