"""Change feed scoping, exactly-once mutations, conflicts, rejections, DGOS read-only."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from central_api.db import AuditEntry, Record
from tests.central_api.conftest import new_dossier


def _db_count(server, *conditions) -> int:
    with server.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Record).where(*conditions)).scalar()


def test_agent_receives_exactly_their_region(server, login):
    changes = [c for c in login("agent.occ").pull_all() if not c["deleted"]]  # tombstones: records moved away
    kinds = {c["kind"] for c in changes}
    # the shared server also holds what other tests of the session wrote for OCC (letters, épreuve sessions)
    assert kinds <= {"dossier", "piece", "annotation", "letter", "commission_session", "epreuve_session"}
    assert all(c["payload"]["region"] == "OCC" for c in changes if c["kind"] in ("commission_session", "epreuve_session"))
    dossiers = [c for c in changes if c["kind"] == "dossier"]
    assert dossiers and all(c["payload"]["region"] == "OCC" for c in dossiers)
    assert len(dossiers) == _db_count(server, Record.kind == "dossier", Record.region == "OCC")
    ids = {c["id"] for c in dossiers}
    assert all(c["payload"]["dossier_id"] in ids for c in changes if c["kind"] in ("piece", "letter"))
    bretagne = login("agent.bre").pull_all()
    assert not ids & {c["id"] for c in bretagne}


def test_orders_and_ars_receive_only_their_conventions(server, login):
    for user, authority in (("ordre.inf", "ORDRE-INF"), ("ordre.ph-b", "ORDRE-PH-B"), ("ars.occ", "ARS-OCC")):
        changes = login(user).pull_all()
        assert {c["kind"] for c in changes} <= {"convention", "letter", "annotation"}  # letters: those of its conventions
        conventions = [c for c in changes if c["kind"] == "convention"]
        assert all(c["payload"]["authority"] == authority for c in conventions)
        ids = {c["id"] for c in conventions}
        assert all(c["payload"]["convention_id"] in ids for c in changes if c["kind"] == "letter")
        assert len(conventions) == _db_count(server, Record.kind == "convention", Record.authority == authority)


def test_dgos_sees_everything_and_changes_nothing(server, login):
    dgos = login("dgos")
    changes = dgos.pull_all(limit=2000)
    assert len(changes) == _db_count(server, Record.kind != "annotation")
    counts = dgos.get("/api/v1/stats").json()["counts"]
    assert counts["dossier"] == _db_count(server, Record.kind == "dossier")
    answer = dgos.post("/api/v1/mutations", json={"client_id": "dgos-poste", "mutations": [
        dgos.mutation("dossier.assign", {"id": changes[0]["id"], "assigned_to": "dgos"})]})
    assert answer.status_code == 403
    assert answer.json() == {"code": "lecture_seule",
                             "message": "Le profil DGOS est en lecture seule : aucune modification n'est acceptée."}


def test_cursor_pages_cover_everything_once(server, login):
    agent = login("agent.occ")
    small_pages = agent.pull_all(limit=7)
    assert [c["id"] for c in small_pages] == [c["id"] for c in agent.pull_all(limit=5000)]
    cursors = [c["cursor"] for c in small_pages]
    assert cursors == sorted(cursors) and len(set(cursors)) == len(cursors)


def test_same_batch_twice_applies_once(server, login):
    agent = login("agent.occ")
    dossier_id = "3f6f0a52-8d7e-4b9a-9f60-1a2b3c4d5e6f"
    batch = [agent.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier()}),
             agent.mutation("dossier.acknowledge", {"id": dossier_id, "on": "2026-11-05"}, base_version=1)]
    with server.engine.connect() as conn:
        audits_before = conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
    first = agent.send(*batch)
    second = agent.send(*batch)
    assert [r["status"] for r in first] == ["applied", "applied"]
    assert first == second
    with server.engine.connect() as conn:
        row = conn.execute(select(Record.version, Record.payload).where(Record.id == dossier_id)).one()
        audits_after = conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
    assert row.version == 2 and json.loads(row.payload)["state"] == "complet"
    assert audits_after == audits_before + 2


def test_stale_base_version_is_a_conflict_with_the_server_record(server, login):
    first, second = login("agent.occ"), login("agent.occ")
    dossier_id = "9a1b2c3d-0000-4b9a-9f60-1a2b3c4d5e6f"
    assert first.send(first.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier()}))[0]["status"] == "applied"
    assert first.send(first.mutation("dossier.update", {"id": dossier_id, "fields": {"specialty": "Urgences"}}, 1))[0]["status"] == "applied"
    result = second.send(second.mutation("dossier.update", {"id": dossier_id, "fields": {"specialty": "Pédiatrie"}}, 1))[0]
    assert result["status"] == "conflict"
    assert result["current"]["version"] == 2
    assert result["current"]["payload"]["specialty"] == "Urgences"


def test_rejections_carry_a_code_and_a_french_message(server, login):
    agent = login("agent.occ")
    bretagne_dossier = next(c["id"] for c in login("agent.bre").pull_all() if c["kind"] == "dossier")
    results = agent.send(
        agent.mutation("dossier.teleport", {"id": "x"}),
        agent.mutation("dossier.create", {"id": "aaaaaaaa-0000-4000-8000-000000000001", "payload": new_dossier(profession="orthoptiste")}),
        agent.mutation("dossier.assign", {"id": bretagne_dossier, "assigned_to": "agent.occ"}),
        agent.mutation("dossier.create", {"id": "aaaaaaaa-0000-4000-8000-000000000002", "payload": new_dossier(region="BRE")}),
        agent.mutation("convention.update", {"id": "c", "fields": {}}),
        agent.mutation("dossier.create", {"id": "aaaaaaaa-0000-4000-8000-000000000003", "payload": new_dossier(received_on="hier")}),
    )
    assert [(r["status"], r["code"]) for r in results] == [
        ("rejected", "commande_inconnue"),
        ("rejected", "region_incompetente"),
        ("rejected", "hors_perimetre"),
        ("rejected", "hors_perimetre"),
        ("rejected", "hors_perimetre"),
        ("rejected", "date_invalide"),
    ]
    assert "Pays de la Loire" in results[1]["message"]
    assert _db_count(server, Record.id.like("aaaaaaaa-%")) == 0


def test_workflow_transition_refused_by_the_server(server, login):
    agent = login("agent.occ")
    dossier_id = "bbbbbbbb-0000-4000-8000-000000000001"
    agent.send(agent.mutation("dossier.create", {"id": dossier_id, "payload": new_dossier()}))
    result = agent.send(agent.mutation("dossier.close", {"id": dossier_id, "on": "2026-11-10"}, 1))[0]
    assert result["status"] == "rejected" and result["code"] == "transition_interdite"
    assert "Action impossible" in result["message"]


def test_annotations_are_private(server, login):
    author, colleague = login("agent.occ"), login("agent.occ")
    other = login("ars.occ")
    note_id = "cccccccc-0000-4000-8000-000000000001"
    dossier_id = next(c["id"] for c in author.pull_all() if c["kind"] == "dossier")
    assert author.send(author.mutation("annotation.save", {"id": note_id, "payload": {"dossier_id": dossier_id, "text": "À rappeler lundi"}}))[0]["status"] == "applied"
    assert any(c["id"] == note_id for c in author.pull_all())
    assert colleague.pull_all()  # same login: it is their own note
    assert not any(c["id"] == note_id for c in other.pull_all())
    assert not any(c["id"] == note_id for c in login("dgos").pull_all(limit=5000))
    tampering = other.send(other.mutation("annotation.save", {"id": note_id, "payload": {"dossier_id": dossier_id, "text": "x"}}))[0]
    assert tampering["status"] == "rejected" and tampering["code"] == "hors_perimetre"


def test_cnom_conventions_are_read_only(server, login):
    from aude_desktop.catalog import execute
    from aude_desktop.domain.commands import Actor, CommandRejected

    with server.engine.connect() as conn:
        stored = conn.execute(select(Record.payload).where(Record.authority == "CNOM").limit(1)).scalar()
    payload = json.loads(stored)
    assert payload["read_only"] is True and payload["source"] == "cnom_import"
    try:
        execute("convention.update", payload, {"id": str(uuid.uuid4()), "fields": {"object": "autre"}}, Actor("ordre.inf", "ordre", authority="CNOM"))
    except CommandRejected as exc:
        assert exc.code == "lecture_seule" and "lecture seule" in exc.message
    else:
        raise AssertionError("a CNOM convention was modified")
