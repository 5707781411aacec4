"""RPPS hand-off end to end on the real server: agents decide through the API, `aude-central rpps
export` writes one file per receiving body (read back), a second run sends nothing again, the agent's
client sees « Transmis pour enregistrement le … » after its sync, and nobody can forge that mark."""

from __future__ import annotations

import csv
import json
import uuid
from datetime import date, timedelta

from central_api import cli as central_cli
from central_api.rpps import HEADERS
from tests.central_api.conftest import new_dossier
from tests.support.live_server import server_fixture

server = server_fixture(0, 0, 5)
TODAY = date.today()
RECEIVED = TODAY - timedelta(days=40)


def _day(offset: int) -> str:
    return (RECEIVED + timedelta(days=offset)).isoformat()


def _decided(client, region: str, profession: str, decision: str = "autorisation", **extra) -> tuple[str, dict]:
    """A dossier taken through the whole instruction by an agent of `region`, over the API."""
    dossier_id = str(uuid.uuid4())
    payload = new_dossier(region, profession, received_on=RECEIVED.isoformat(), **extra)
    steps = [("dossier.create", {"payload": payload}, None),
             ("dossier.acknowledge", {"on": _day(1)}, 1),
             ("dossier.schedule_commission", {"session_on": _day(5)}, 2),
             ("dossier.record_avis", {"kind": "favorable", "on": _day(6)}, 3),
             ("dossier.decide", {"kind": decision, "on": _day(7), "motifs": "Formation insuffisante (CSP L.4311-4)."}, 4)]
    for name, args, version in steps:
        result = client.send(client.mutation(name, {"id": dossier_id, **args}, base_version=version))[0]
        assert result["status"] == "applied", (name, result)
    return dossier_id, payload


def _export(server, capsys, *args: str) -> tuple[int, str, str]:
    url = server.engine.url.render_as_string(hide_password=False)
    code = central_cli.main(["rpps", "export", "--db", url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        assert tuple(header) == HEADERS
        return [dict(zip(header, row, strict=True)) for row in reader]


def test_export_sends_each_decision_once_to_its_body_and_clients_see_it(tmp_path, server, login, capsys):
    from aude_desktop.dossiers import detail
    from aude_desktop.sync.engine import SyncEngine
    from tests.sync.test_engine import _client

    occ, idf = login("agent.occ"), login("agent.idf")
    nurse_id, nurse = _decided(occ, "OCC", "iade", applicant={"last_name": "=HYPERLINK(\"http://x\")", "first_names": "Zoé",
                                                               "birth_date": "1990-04-12", "sex": "F"})
    speech_id, speech = _decided(occ, "OCC", "orthophoniste")
    _decided(occ, "OCC", "ergotherapeute", decision="refus")  # refused: nothing to register
    idf_id, _ = _decided(idf, "IDF", "masseur_kinesitherapeute")

    out = tmp_path / "envoi1"
    out.mkdir()
    code, _, err = _export(server, capsys, "--out", str(out))
    assert code == 2 and "Première transmission : indiquez --since" in err and list(out.iterdir()) == []
    code, printed, err = _export(server, capsys, "--since", RECEIVED.isoformat(), "--out", str(out))
    assert code == 0, err
    assert "3 décision(s) transmise(s)" in printed
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"rpps-{TODAY.isoformat()}-{body}.csv" for body in ("ARS-OCC", "ORDRE-INF", "ORDRE-MK")]

    (nurse_row,) = _rows(out / f"rpps-{TODAY.isoformat()}-ORDRE-INF.csv")
    assert nurse_row["Référence du dossier"] == nurse["reference"]
    assert nurse_row["Nature de la décision"] == "Autorisation d'exercice"
    assert nurse_row["Date de la décision"] == f"{RECEIVED + timedelta(days=7):%d/%m/%Y}"
    assert nurse_row["Autorité ayant décidé"] == "Préfet de la région Occitanie (DREETS Occitanie)"
    assert nurse_row["Destinataire"] == "Conseil national de l'ordre des infirmiers"
    assert (nurse_row["Table NOS de la profession"], nurse_row["Code NOS de la profession"]) == ("TRE_G15", "60")
    assert (nurse_row["Table NOS de la spécialité"], nurse_row["Code NOS de la spécialité"]) == ("TRE_G20", "61")
    assert nurse_row["Nom de naissance"] == "'=HYPERLINK(\"http://x\")"  # a spreadsheet shows it, never runs it
    assert nurse_row["Prénoms"] == "Zoé" and nurse_row["Date de naissance"] == "12/04/1990"
    (speech_row,) = _rows(out / f"rpps-{TODAY.isoformat()}-ARS-OCC.csv")
    assert speech_row["Référence du dossier"] == speech["reference"]
    assert (speech_row["Code NOS de la profession"], speech_row["Table NOS de la spécialité"]) == ("91", "")

    # nothing new: said, and no file written
    again = tmp_path / "envoi2"
    again.mkdir()
    code, printed, _ = _export(server, capsys, "--out", str(again), "--format", "json")
    assert code == 0 and "Aucune nouvelle décision à transmettre" in printed
    assert list(again.iterdir()) == []

    # a later decision goes out alone, bounded by the first run's --since, as JSON
    late_id, late = _decided(occ, "OCC", "pedicure_podologue")
    code, printed, _ = _export(server, capsys, "--out", str(again), "--format", "json")
    assert code == 0 and "1 décision(s)" in printed
    document = json.loads((again / f"rpps-{TODAY.isoformat()}-ORDRE-PP.json").read_text(encoding="utf-8"))
    assert document["destinataire"]["code"] == "ORDRE-PP"
    assert [d["reference_dossier"] for d in document["decisions"]] == [late["reference"]]
    assert document["decisions"][0]["nos_code"] == "80" and document["decisions"][0]["date_decision"] == _day(7)

    # the agent's client, after its sync, shows the transmission on the dossier
    store, auth = _client(tmp_path, server.url, "agent.occ", "demo-agent-occ", "poste-occ")
    SyncEngine(store, auth).run()
    with store.session() as s:
        shown = detail.load(s, nurse_id, "agent.occ", TODAY)
    assert f"Transmis pour enregistrement le {TODAY:%d/%m/%Y} (Conseil national de l'ordre des infirmiers)" in shown.decision
    with store.session() as s:
        assert "(Agence régionale de santé Occitanie)" in detail.load(s, speech_id, "agent.occ", TODAY).decision
    # another region's agent still receives none of these dossiers
    idf_ids = {c["id"] for c in idf.pull_all()}
    assert idf_id in idf_ids and not {nurse_id, speech_id, late_id} & idf_ids


def test_agents_cannot_forge_the_transmission_mark(server, login):
    occ = login("agent.occ")
    dossier_id, _ = _decided(occ, "OCC", "ergotherapeute")
    result = occ.send(occ.mutation("dossier.mark_registration_sent", {"id": dossier_id, "on": TODAY.isoformat(), "body": "ARS-OCC"},
                                   base_version=5))[0]
    assert result["status"] == "rejected" and result["code"] == "commande_reservee", result
    record = occ.get(f"/api/v1/records/dossier/{dossier_id}").json()
    assert record["version"] == 5 and "registration_sent" not in record["payload"]


def test_bad_input_is_refused_in_french_and_writes_nothing(tmp_path, server, capsys):
    out = tmp_path / "vide"
    out.mkdir()
    for args, said in ((["--since", "2026-13-45", "--out", str(out)], "date invalide"),
                       (["--since", "2026-01-01", "--format", "xlsx", "--out", str(out)], "xlsx"),
                       (["--since", "2026-01-01", "--out", str(tmp_path / "absent")], "dossier introuvable")):
        code, _, err = _export(server, capsys, *args)
        assert code == 2 and said in err and "Traceback" not in err, err
    code, _, err = _export(server, capsys, "--since", "2026-01-01", "--out", "/proc")  # a folder nobody writes in
    assert code == 2 and "impossible d'écrire" in err, err
    assert list(out.iterdir()) == []


def test_partial_access_rows_name_the_activities_and_later_routes_plug_in():
    from central_api import rpps

    payload = new_dossier("IDF", "masseur_kinesitherapeute", acces_partiel=True)
    payload["decision"] = {"kind": "autorisation", "decided_on": "2026-11-20", "activities": ["Massage", "@SOMME(A1)"],
                           "title": "Masseur (accès partiel)"}
    facts = rpps.autorisation_facts(payload)
    assert facts == {"decision_kind": "acces_partiel", "decision_date": "2026-11-20"}
    row = rpps.registration_row(payload, facts, "ORDRE-MK", "Ordre")
    assert row["nature_decision"] == "Accès partiel" and row["activites"] == ["Massage", "@SOMME(A1)"]
    assert rpps._csv_value("activites", row["activites"]) == "Massage ; @SOMME(A1)"
    assert rpps._cell("@SOMME(A1)") == "'@SOMME(A1)" and rpps._cell("+33 6") == "'+33 6"
    # an LPS declaration is handed off once the service may be provided, by an express answer or by silence
    lps = {**new_dossier("OCC", "infirmier"), "route": "lps", "state": "lps_recue", "lps": {}}
    assert rpps._facts(lps) is None
    lps["lps"]["outcome"] = {"kind": "sans_verification", "on": "2026-11-12"}
    assert rpps._facts(lps)["decision_kind"] == "lps" and rpps._facts(lps)["decision_date"] == "2026-11-12"
    assert rpps.registration_row(lps, rpps._facts(lps), "ORDRE-INF", "Ordre")["nature_decision"].startswith("Libre prestation")


def test_the_api_lists_each_profession_with_its_nos_code_and_registering_body(server):
    import requests

    answer = requests.get(f"{server.url}/api/v1/reference/professions", timeout=10)
    assert answer.status_code == 200
    by_code = {p["code"]: p for p in answer.json()["professions"]}
    assert len(by_code) == 28
    assert by_code["iade"]["nos"] == {"table": "TRE_G15", "code": "60", "uncertain": False}
    assert by_code["iade"]["speciality"]["code"] == "61" and by_code["iade"]["registered_by"] == "ORDRE-INF"
    assert by_code["puericultrice"]["speciality"]["uncertain"] is True and by_code["puericultrice"]["speciality"]["reason"]
    assert by_code["assistant_service_social"]["nos"]["table"] == "TRE_R94"
    assert by_code["orthoptiste"]["registered_by"] == "ARS" and by_code["orthoptiste"]["speciality"] is None
