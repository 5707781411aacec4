"""The server re-checks the routes of issue 20 whatever a client sends: no accès partiel decided before
both avis, no « hors champ » without the annex V table, no route forged through a payload, nothing done
in another region's file — each refusal with its code and a French message."""

from __future__ import annotations

import uuid

from tests.central_api.conftest import new_dossier

VERSIONS: dict[str, int] = {}  # the version each command is based on, as a client keeps it


def _create(client, payload: dict) -> str:
    dossier_id = str(uuid.uuid4())
    [answer] = client.send(client.mutation("dossier.create", {"id": dossier_id, "payload": payload}))
    assert answer["status"] == "applied", answer
    VERSIONS[dossier_id] = answer["version"]
    return dossier_id


def _step(client, name: str, **args) -> dict:
    [answer] = client.send(client.mutation(name, args, base_version=VERSIONS[args["id"]]))
    if answer["status"] == "applied":
        VERSIONS[args["id"]] = answer["version"]
    return answer


def test_server_refuses_a_partial_access_decided_before_both_avis(login):
    idf, occ = login("agent.idf"), login("agent.occ")
    dossier_id = _create(idf, new_dossier(region="IDF", acces_partiel=True))
    assert _step(idf, "dossier.acknowledge", id=dossier_id, on="2026-11-03")["status"] == "applied"
    assert _step(idf, "dossier.record_avis_partiel", id=dossier_id, body="commission", on="2026-11-10",
                 opinion="favorable")["status"] == "applied"
    decide = {"id": dossier_id, "kind": "acces_partiel", "on": "2026-11-12", "activities": ["Soins de base"], "title": "Titre"}
    refused = _step(idf, "dossier.decide", **decide)
    assert (refused["status"], refused["code"]) == ("rejected", "avis_requis")
    assert "avis manquant du conseil national de l'ordre des infirmiers" in refused["message"]
    foreign = _step(occ, "dossier.request_avis_partiel", id=dossier_id, body="ordre", on="2026-11-04")
    assert foreign["status"] == "rejected"  # another region's file: out of its scope
    assert _step(idf, "dossier.request_avis_partiel", id=dossier_id, body="ordre", on="2026-11-04")["status"] == "applied"
    assert _step(idf, "dossier.record_avis_partiel", id=dossier_id, body="ordre", on="2026-11-11",
                 opinion="favorable")["status"] == "applied"
    applied = _step(idf, "dossier.decide", **decide)
    assert applied["status"] == "applied"
    record = idf.get(f"/api/v1/records/dossier/{dossier_id}").json()
    decision = record["payload"]["decision"]
    assert (decision["kind"], decision["activities"], decision["title"]) == ("acces_partiel", ["Soins de base"], "Titre")


def test_server_refuses_hors_champ_without_the_table_and_forged_routes(login):
    occ = login("agent.occ")
    unlisted = _create(occ, new_dossier())  # a Belgian title without its date: the table cannot tell
    refused = _step(occ, "dossier.close_out_of_scope", id=unlisted, on="2026-11-10")
    assert (refused["status"], refused["code"]) == ("rejected", "hors_champ_non_etabli") and "annexe V" in refused["message"]
    forged = _create(occ, new_dossier(state="hors_champ", out_of_scope={"reason": "x"}, avis_partiel=[{"body": "ordre"}],
                                      diploma={"title": "Bachelier infirmier", "country": "BE", "obtained_on": "2015-06-30"}))
    payload = occ.get(f"/api/v1/records/dossier/{forged}").json()["payload"]
    assert payload["state"] == "recu" and "out_of_scope" not in payload and "avis_partiel" not in payload
    update = _step(occ, "dossier.update", id=forged, fields={"out_of_scope": {"reason": "x"}})
    assert (update["status"], update["code"]) == ("rejected", "champ_non_modifiable")
    assert _step(occ, "dossier.close_out_of_scope", id=forged, on="2026-11-10")["status"] == "applied"
    closed = occ.get(f"/api/v1/records/dossier/{forged}").json()["payload"]
    assert closed["state"] == "hors_champ" and closed["out_of_scope"]["reference_date"] == "1979-06-29"
    again = _step(occ, "dossier.decide", id=forged, kind="irrecevabilite", on="2026-11-11", motifs="x")
    assert again["status"] == "rejected" and "Hors champ — reconnaissance automatique" in again["message"]
