"""Both routes of issue 20 end to end on the real reference server (127.0.0.1): an agent creates and
screens or instructs, closes or decides, issues the letter (PDF read back), syncs; the DGOS reads the
result and the letter's bytes, counts the files apart in the national overview; another region's agent
does not see them. Refusals come back in French and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from aude_desktop.auth.actor import remember_user
from aude_desktop.domain.commands import Actor, CommandRejected
from aude_desktop.dossiers.models import Dossier
from aude_desktop.letters import register
from aude_desktop.letters.mentions import pdf_text
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import OutboxEntry
from aude_desktop.supervision.overview import compute
from aude_desktop.sync import attachments
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.local import run_command
from aude_desktop.sync.materialize import dump_dossier
from central_api.demo_data import demo_users
from tests.central_api.conftest import new_dossier
from tests.letters.test_letters import SETTINGS
from tests.support.live_server import server_fixture, signed_in

OCC = Actor("agent.occ", "agent_dreets", "OCC")
IDF = Actor("agent.idf", "agent_dreets", "IDF")
TODAY = date.today()

server = server_fixture(4, 0, 20)


@pytest.fixture
def client(tmp_path, server):
    opened = []

    def open_client(login: str):
        auth = signed_in(server, login, next(u.password for u in demo_users() if u.login == login))
        store = open_store(Profile.isolated(tmp_path / login), database_key(Profile.isolated(tmp_path / login)))
        remember_user(store, auth.user)
        SyncEngine(store, auth).run()
        opened.append(store)
        return store, auth

    yield open_client
    for store in opened:
        store.close()


def _synced(store, auth) -> None:
    report = SyncEngine(store, auth).run()
    with store.session() as s:
        refused = [(e.name, e.reason_message) for e in s.scalars(select(OutboxEntry).where(OutboxEntry.status == "rejected"))]
    assert not report.rejected and not refused, refused


def _applicant(payload: dict) -> dict:
    payload["applicant"].update(sex="F", birth_date="1991-02-14", address="12 rue des Lilas", postal_code="34000",
                                city="Montpellier", country="France")
    return payload


def test_automatic_recognition_closed_out_of_scope_through_the_server(client):
    occ, occ_auth = client("agent.occ")
    listed = _applicant(new_dossier(received_on="2026-11-02", diploma={
        "title": "Bachelier infirmier responsable de soins généraux", "country": "BE", "obtained_on": "2016-06-30"}))
    dossier_id = run_command(occ, OCC, "dossier.create", {"payload": listed})
    unlisted = run_command(occ, OCC, "dossier.create", {"payload": _applicant(new_dossier(received_on="2026-11-02"))})
    with pytest.raises(CommandRejected, match="reconnaissance automatique n'est pas établie"):
        run_command(occ, OCC, "dossier.close_out_of_scope", {"id": unlisted, "on": "2026-11-20"})
    with pytest.raises(Exception, match="ne correspond pas à l'état"):  # no information letter before the closure
        register.issue(occ, OCC, SETTINGS, "aude", "information_hors_champ", dossier_id, TODAY)
    run_command(occ, OCC, "dossier.close_out_of_scope", {"id": dossier_id, "on": "2026-11-20"})
    letter = register.issue(occ, OCC, SETTINGS, "aude", "information_hors_champ", dossier_id, TODAY)
    text = pdf_text(letter.pdf)
    for words in ("figure, pour l'État qui l'a délivré, à l'annexe V, point 5.2.2", "29 juin 1979",
                  "conseil départemental de l'ordre des infirmiers", "dossier a été clos le 20 novembre 2026"):
        assert words in text, words
    assert "Voies et délais de recours" not in text  # an information, not a decision
    _synced(occ, occ_auth)

    dgos, _ = client("dgos")
    with dgos.session() as s:
        p = dump_dossier(s, dossier_id)
        row = s.get(Dossier, dossier_id)
        assert row.state == "hors_champ" and row.next_due_on is None and row.closed_on == date(2026, 11, 20)
        figures = compute(s, TODAY)
    assert p["out_of_scope"]["basis"] == "liste" and p["out_of_scope"]["country"] == "BE"
    [line] = register.letters_of(dgos, "aude", dossier_id)
    assert attachments.read(dgos, line.sha256) == letter.pdf and not line.decision
    assert figures.aude_by_region["OCC"].out_of_scope >= 1
    assert figures.aude_by_profession["infirmier"].by_state.get("hors_champ", 0) == figures.aude_by_profession["infirmier"].out_of_scope
    idf, _ = client("agent.idf")
    with idf.session() as s:
        assert s.get(Dossier, dossier_id) is None


def test_partial_access_with_the_commission_and_the_order_through_the_server(client):
    idf, idf_auth = client("agent.idf")
    partial = _applicant(new_dossier(region="IDF", acces_partiel=True, received_on="2026-11-02",
                                     diploma={"title": "Pflegeassistenz", "country": "DE", "obtained_on": "2019-07-01"}))
    dossier_id = run_command(idf, IDF, "dossier.create", {"payload": partial})
    run_command(idf, IDF, "dossier.acknowledge", {"id": dossier_id, "on": "2026-11-03"})
    run_command(idf, IDF, "dossier.request_avis_partiel", {"id": dossier_id, "body": "ordre", "on": "2026-11-05"})
    request = register.issue(idf, IDF, SETTINGS, "aude", "demande_avis_partiel", dossier_id, TODAY)
    text = pdf_text(request.pdf)
    # addressed to the order; its opinion expected 2 months after Thursday 5 Nov. 2026: Tuesday 5 Jan. 2027
    assert "Conseil national de l'ordre des infirmiers Paris" in text and "au plus tard le 5 janvier 2027" in text
    assert "je sollicite l'avis du conseil national de l'ordre des infirmiers" in text

    run_command(idf, IDF, "dossier.record_avis_partiel", {"id": dossier_id, "body": "commission", "on": "2026-11-19",
                                                          "opinion": "favorable", "note": "Soins de base"})
    decision = {"id": dossier_id, "kind": "acces_partiel", "on": "2026-11-25", "title": "Pflegeassistentin (accès partiel)",
                "activities": ["Soins d'hygiène et de confort", "Aide à la prise des repas"]}
    with pytest.raises(CommandRejected, match="avis manquant du conseil national de l'ordre des infirmiers") as refused:
        run_command(idf, IDF, "dossier.decide", decision)
    assert refused.value.code == "avis_requis"
    with idf.session() as s:
        assert dump_dossier(s, dossier_id)["state"] == "complet"  # nothing written
    run_command(idf, IDF, "dossier.record_avis_partiel", {"id": dossier_id, "body": "ordre", "on": "2026-11-24",
                                                          "opinion": "favorable"})
    run_command(idf, IDF, "dossier.decide", decision)
    letter = register.issue(idf, IDF, SETTINGS, "aude", "decision_acces_partiel", dossier_id, TODAY)
    text = pdf_text(letter.pdf)
    for words in ("Soins d'hygiène et de confort", "Aide à la prise des repas", "« Pflegeassistentin (accès partiel) »",
                  "Vu l'avis favorable de la commission d'autorisation d'exercice rendu le 19 novembre 2026",
                  "Vu l'avis favorable du conseil national de l'ordre des infirmiers rendu le 24 novembre 2026",
                  "Voies et délais de recours"):
        assert words in text, words
    with pytest.raises(Exception, match="ne correspond pas à l'état"):  # never notified as a full autorisation
        register.issue(idf, IDF, SETTINGS, "aude", "decision_autorisation", dossier_id, TODAY)
    _synced(idf, idf_auth)

    dgos, _ = client("dgos")
    with dgos.session() as s:
        p = dump_dossier(s, dossier_id)
        figures = compute(s, TODAY)
    assert p["state"] == "autorise" and p["decision"]["activities"] == decision["activities"]
    assert p["decision"]["title"] == decision["title"]  # the names the RPPS export reads
    assert [(e["body"], e["given_on"]) for e in p["avis_partiel"]] == [("ordre", "2026-11-24"), ("commission", "2026-11-19")]
    lines = register.letters_of(dgos, "aude", dossier_id)
    assert [attachments.read(dgos, line.sha256) for line in lines] == [request.pdf, letter.pdf]
    assert [line.decision for line in lines] == [False, True]
    assert figures.aude_by_region["IDF"].partial_access >= 1
    occ, _ = client("agent.occ")
    with occ.session() as s:
        assert s.get(Dossier, dossier_id) is None
