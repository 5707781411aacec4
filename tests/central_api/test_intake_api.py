"""Intake on the live server: definitive references replace provisional ones, and the national
duplicate index answers across regions with the reference and the region only."""

from __future__ import annotations

import re
import uuid

from aude_desktop.dossiers.intake_rules import is_provisional, provisional_reference
from tests.central_api.conftest import new_dossier

DEFINITIVE = re.compile(r"^AUDE-2026-(OCC|BRE)-(\d{6})$")


def _create(client, region: str, **applicant) -> tuple[str, dict]:
    dossier_id = str(uuid.uuid4())
    payload = new_dossier(region=region, reference=provisional_reference(dossier_id))
    payload["applicant"] = {**payload["applicant"], **applicant}
    [result] = client.send(client.mutation("dossier.create", {"id": dossier_id, "payload": payload}))
    assert result["status"] == "applied", result
    return dossier_id, payload


def _reference(client, dossier_id: str) -> str:
    answer = client.get(f"/api/v1/records/dossier/{dossier_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()["payload"]["reference"]


def test_server_assigns_sequential_definitive_references_per_region(login):
    occ, colleague, bre = login("agent.occ"), login("agent.occ"), login("agent.bre")
    first, _ = _create(occ, "OCC")
    second, _ = _create(occ, "OCC")
    other, _ = _create(bre, "BRE")
    ref1, ref2 = _reference(colleague, first), _reference(colleague, second)  # read back by another session
    assert not is_provisional(ref1) and DEFINITIVE.match(ref1) and DEFINITIVE.match(ref2)
    assert int(ref2[-6:]) == int(ref1[-6:]) + 1
    ref3 = _reference(bre, other)
    assert ref3.startswith("AUDE-2026-BRE-")
    # the seeded demo dossiers already used numbers: the sequence continues after them, never reuses one
    taken = [c["payload"]["reference"] for c in colleague.pull_all() if c["kind"] == "dossier" and c["payload"]]
    assert taken.count(ref1) == 1 and taken.count(ref2) == 1
    # a reference chosen by the caller (not provisional) is kept as is
    assert _reference(occ, _create(occ, "OCC")[0]) != ""


def test_national_duplicate_index_gives_reference_and_region_only(login):
    occ, bre, dgos = login("agent.occ"), login("agent.bre"), login("dgos")
    birth = "1987-06-15"
    dossier_id, _ = _create(occ, "OCC", last_name="Đặng-Nguyễn", first_names="Thị Hương", birth_date=birth,
                            email="huong@example.org", phone="+33 6 12 34 56 78")
    reference = _reference(occ, dossier_id)
    # another region, another spelling (no accents, other case): found, with the reference and region only
    answer = bre.post("/api/v1/duplicates", json={"last_name": "DANG NGUYEN", "first_names": "thi", "birth_date": birth})
    assert answer.status_code == 200, answer.text
    matches = answer.json()["matches"]
    assert {"reference": reference, "region": "OCC"} in matches
    assert all(set(m) == {"reference", "region"} for m in matches)
    assert "huong" not in answer.text and "Hương" not in answer.text and "+33" not in answer.text
    # another birth date or another first name: not the same person
    assert bre.post("/api/v1/duplicates", json={"last_name": "Dang Nguyen", "birth_date": "1987-06-16"}).json()["matches"] == []
    assert reference not in bre.post("/api/v1/duplicates", json={"last_name": "Dang-Nguyen", "first_names": "Paul",
                                                                 "birth_date": birth}).text
    # the usage name of the query matches a birth name on the server
    hit = bre.post("/api/v1/duplicates", json={"last_name": "Martin", "usage_name": "dang nguyen", "birth_date": birth})
    assert {"reference": reference, "region": "OCC"} in hit.json()["matches"]
    # not for a supervisor; bad input answered in French
    refused = dgos.post("/api/v1/duplicates", json={"last_name": "Dang", "birth_date": birth})
    assert refused.status_code == 403 and "réservée" in refused.text
    bad = bre.post("/api/v1/duplicates", json={"last_name": "Dang", "birth_date": "15/06/1987"})
    assert bad.status_code == 422
    assert "birth_date" in bad.text
