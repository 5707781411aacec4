"""Against the live server: épreuve sessions stay in their region (DGOS reads them, changes
nothing), convocations are refused for a stage, an unmade choice and a full session; the
notification date of a decision letter is checked against the letter the server holds."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.central_api.conftest import new_dossier


def _applied(results: list[dict]) -> list[dict]:
    assert all(r["status"] == "applied" for r in results), results
    return results


def _decided(agent, measure_kind: str) -> str:
    """A dossier of OCC carried through to a decision of compensation measures."""
    dossier_id = str(uuid.uuid4())
    steps = [("dossier.create", {"payload": new_dossier()}),
             ("dossier.acknowledge", {"on": "2026-11-03"}),
             ("dossier.schedule_commission", {"session_on": "2026-11-10"}),
             ("dossier.record_avis", {"kind": "mesures_compensation", "on": "2026-11-10"}),
             ("dossier.decide", {"kind": "mesures_compensation", "on": "2026-11-12", "motifs": "Pédiatrie non enseignée.",
                                 "measure_kind": measure_kind, "subjects": ["Pédiatrie"], "required_level": 3, "held_level": 2})]
    for version, (name, args) in enumerate(steps):
        _applied(agent.send(agent.mutation(name, {"id": dossier_id, **args}, base_version=version or None)))
    return dossier_id


def _session_payload(capacity: int = 1) -> dict:
    return {"profession": "infirmier", "region": "OCC", "session_on": (date.today() + timedelta(days=60)).isoformat(),
            "starts_at": "09:30", "address": "DREETS Occitanie, Toulouse", "capacity": capacity,
            "bring": "une pièce d'identité"}


def test_epreuve_sessions_are_regional_convocations_checked_dgos_reads_only(server, login):
    occ, idf, dgos = login("agent.occ"), login("agent.idf"), login("dgos")
    chooses, stage, other = _decided(occ, "au_choix"), _decided(occ, "stage"), _decided(occ, "epreuve")
    session_id = str(uuid.uuid4())
    refused = idf.send(idf.mutation("epreuve.create", {"id": str(uuid.uuid4()), "payload": _session_payload()}))
    assert refused[0]["status"] == "rejected" and refused[0]["code"] == "hors_perimetre"
    past = {**_session_payload(), "session_on": "2026-01-05"}
    assert occ.send(occ.mutation("epreuve.create", {"id": str(uuid.uuid4()), "payload": past}))[0]["code"] == "date_passee"
    _applied(occ.send(occ.mutation("epreuve.create", {"id": session_id, "payload": _session_payload(capacity=1)})))

    def convoke(dossier_id: str, version: int) -> dict:
        return occ.send(occ.mutation("epreuve.convoke", {"id": session_id, "dossier_id": dossier_id}, base_version=version))[0]

    not_chosen = convoke(chooses, 1)
    assert not_chosen["code"] == "convocation_refusee" and "pas encore choisi" in not_chosen["message"]
    in_stage = convoke(stage, 1)
    assert in_stage["code"] == "convocation_refusee" and "stage d'adaptation" in in_stage["message"]
    _applied(occ.send(occ.mutation("dossier.choose_measure", {"id": chooses, "choice": "epreuve", "on": "2026-11-20"}, base_version=5)))
    assert convoke(chooses, 1)["status"] == "applied"
    full = convoke(other, 2)
    assert full["code"] == "convocation_refusee" and "complète" in full["message"]

    # Another region neither sees the session nor touches it; DGOS sees it and changes nothing.
    assert all(c["id"] != session_id for c in idf.pull_all())
    for name, args in (("epreuve.update", {"fields": {"capacity": 5}}), ("epreuve.convoke", {"dossier_id": other})):
        answer = idf.send(idf.mutation(name, {"id": session_id, **args}, base_version=2))[0]
        assert answer["status"] == "rejected" and answer["code"] == "hors_perimetre"
    seen = [c for c in dgos.pull_all() if c["id"] == session_id]
    assert len(seen) == 1 and seen[0]["kind"] == "epreuve_session"
    assert seen[0]["payload"]["convocations"] == [{"dossier_id": chooses, "convened_on": date.today().isoformat()}]
    answer = dgos.post("/api/v1/mutations", json={"client_id": "dgos-epreuve", "mutations": [
        dgos.mutation("epreuve.cancel", {"id": session_id}, base_version=2)]})
    assert answer.status_code == 403 and answer.json()["code"] == "lecture_seule"

    # Capacity cannot drop below the convened; a cancelled session takes nobody and is not edited.
    low = occ.send(occ.mutation("epreuve.update", {"id": session_id, "fields": {"capacity": 0}}, base_version=2))[0]
    assert low["code"] == "capacite_invalide"
    _applied(occ.send(occ.mutation("epreuve.update", {"id": session_id, "fields": {"capacity": 2, "starts_at": "14:00"}}, base_version=2)))
    _applied(occ.send(occ.mutation("epreuve.cancel", {"id": session_id, "reason": "Salle indisponible"}, base_version=3)))
    cancelled = convoke(other, 4)
    assert cancelled["code"] == "convocation_refusee" and "annulée" in cancelled["message"]


def test_notification_date_is_checked_against_the_letter_on_the_server(server, login):
    occ, idf = login("agent.occ"), login("agent.idf")
    dossier_id, elsewhere = _decided(occ, "au_choix"), _decided(occ, "epreuve")
    letter_id = str(uuid.uuid4())
    _applied(occ.send(occ.mutation("letter.register", {"id": letter_id, "payload": {
        "kind": "aude.decision_mesures", "reference": f"AUDE-C-T-{uuid.uuid4().hex[:8]}", "dossier_id": dossier_id,
        "sha256": occ.upload(f"%PDF-1.7 courrier {letter_id}".encode()), "issued_on": "2026-11-13"}})))

    def notify(client, on: str, *, target: str = dossier_id, letter: str = letter_id, version: int | None = 5) -> dict:
        return client.send(client.mutation("dossier.notify_letter", {"id": target, "letter_id": letter, "notified_on": on,
                                                                      "mode": "lrar"}, base_version=version))[0]

    before = notify(occ, "2026-11-12")
    assert before["code"] == "date_incoherente" and "13 novembre 2026" in before["message"]
    future = notify(occ, (date.today() + timedelta(days=1)).isoformat())
    assert future["code"] == "date_future"
    assert notify(occ, "2026-11-16", target=elsewhere)["code"] == "arguments_invalides"  # a letter of another dossier
    assert notify(occ, "2026-11-16", letter=str(uuid.uuid4()))["code"] == "courrier_introuvable"
    assert notify(occ, "2026-11-16", letter="pas-un-uuid")["code"] == "identifiant_invalide"
    assert notify(idf, "2026-11-16")["code"] == "hors_perimetre"
    assert notify(occ, "2026-11-16")["status"] == "applied"
    stale = notify(occ, "2026-11-17")  # base version 5 is now stale: the server's record comes back
    assert stale["status"] == "conflict" and stale["current"]["version"] == 6
    events = stale["current"]["payload"]["clock_events"]
    assert [e for e in events if e["kind"] == "notified"] == [{
        "on": "2026-11-16", "kind": "notified", "note": events[-1]["note"], "letter": "aude.decision_mesures",
        "letter_id": letter_id, "mode": "lrar"}]
    # A correction replaces the date (one event per letter), it does not add a second one.
    assert notify(occ, "2026-11-17", version=6)["status"] == "applied"
    pulled = next(c for c in occ.pull_all() if c["id"] == dossier_id)
    assert [e["on"] for e in pulled["payload"]["clock_events"] if e["kind"] == "notified"] == ["2026-11-17"]
