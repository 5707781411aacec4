"""Issue 16, protocol attacks (items 1, 2, 4, 7, 11, 12, 13), each performed against the real server
on 127.0.0.1 (SQLite, and PostgreSQL when installed) by a signed-in demo user, and read back by
another user — an agent of another region or the DGOS. docs/SECURITY.md lists them."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
import uuid

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select

from aude_desktop.domain.commands import is_record_id
from aude_desktop.rules.identifiers import luhn_check_digit
from central_api.accounts import add_api_key, add_user
from central_api.db import Record
from central_api.service import allocate_cursors, dumps
from tests.central_api.conftest import new_dossier

EXAMPLES = int(os.environ.get("AUDE_PROTOCOL_EXAMPLES", "40"))  # make test-faults explores more
HOSTILE_IDS = ['y"', 'x","deleted":true,"kind":"dossier', "AAAAAAAA-0000-4000-8000-000000000001", "../../etc", "1"]


def _occ_dossier(client) -> dict:
    return next(c for c in client.pull_all() if c["kind"] == "dossier" and not c["deleted"])


def _piece(dossier_id: str) -> dict:
    return {"dossier_id": dossier_id, "code": "a", "label": "Pièce d'identité", "status": "recue", "received_on": "2026-11-20"}


def _french_refusal(answer, status: int, code: str) -> None:
    assert answer.status_code == status, (answer.status_code, answer.text)
    body = answer.json()
    assert body["code"] == code, body
    assert len(body["message"]) > 15 and " " in body["message"], body


# -- 1. record ids -------------------------------------------------------------------------------


def test_a_record_id_that_is_not_a_uuid_is_refused_and_the_feed_stays_readable(server, login):
    agent, dgos = login("agent.occ"), login("dgos")
    dossier = _occ_dossier(agent)
    results = agent.send(*(agent.mutation("piece.upsert", {"id": bad, "payload": _piece(dossier["id"])}) for bad in HOSTILE_IDS))
    assert [r["status"] for r in results] == ["rejected"] * len(HOSTILE_IDS)
    assert {r["code"] for r in results} == {"identifiant_invalide"}
    assert all("UUID" in r["message"] for r in results)
    for reader in (agent, dgos):  # OCC's feed and the DGOS's are still JSON, and hold none of them
        ids = {c["id"] for c in reader.pull_all()}
        assert not ids & set(HOSTILE_IDS)


def test_ids_and_kinds_already_stored_are_encoded_in_the_feed_not_spliced(server, login):
    """A record written by an older server with a hostile id: the feed and /records encode it."""
    hostile = 'x","deleted":true,"kind":"dossier'
    with server.engine.begin() as conn:
        cursor = allocate_cursors(conn)
        conn.execute(insert(Record).values(kind="piece", id=hostile, version=1, cursor=cursor, deleted=False, region="OCC",
                                           authority=None, owner=None, payload=dumps({"dossier_id": "z", "code": "a"})))
    try:
        agent, dgos = login("agent.occ"), login("dgos")
        for reader in (agent, dgos):
            found = [c for c in reader.pull_all() if c["id"] == hostile]
            assert len(found) == 1 and found[0]["kind"] == "piece" and found[0]["deleted"] is False, found
        one = agent.get(f"/api/v1/records/piece/{requests.utils.quote(hostile, safe='')}")
        _french_refusal(one, 404, "introuvable")  # /records takes UUIDs only
    finally:
        with server.engine.begin() as conn:
            conn.execute(delete(Record).where(Record.kind == "piece", Record.id == hostile))


# -- 2. references ---------------------------------------------------------------------------------


def test_a_reference_already_taken_is_refused_in_any_region(server, login):
    occ, idf, dgos = login("agent.occ"), login("agent.idf"), login("dgos")
    first = new_dossier()
    assert occ.send(occ.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": first}))[0]["status"] == "applied"
    again = [occ.send(occ.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": new_dossier(reference=first["reference"])}))[0],
             idf.send(idf.mutation("dossier.create", {"id": str(uuid.uuid4()),
                                                      "payload": new_dossier(region="IDF", reference=first["reference"])}))[0]]
    for result in again:
        assert result["status"] == "rejected" and result["code"] == "reference_existante", result
        assert first["reference"] in result["message"] and "autre enregistrement" in result["message"]
    holders = [c for c in dgos.pull_all() if c["kind"] == "dossier" and (c["payload"] or {}).get("reference") == first["reference"]]
    assert len(holders) == 1


def test_concurrent_creations_with_one_reference_apply_once(server, login):
    reference = f"AUDE-T-{uuid.uuid4().hex[:10]}"
    agents = [login("agent.occ") for _ in range(6)]
    results: list[dict] = []

    def create(agent):
        results.extend(agent.send(agent.mutation("dossier.create", {"id": str(uuid.uuid4()),
                                                                    "payload": new_dossier(reference=reference)})))

    threads = [threading.Thread(target=create, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["status"] for r in results) == ["applied"] + ["rejected"] * 5, results
    assert {r.get("code") for r in results if r["status"] == "rejected"} == {"reference_existante"}


def test_a_cnom_file_naming_a_reference_already_held_is_refused_whole(server, tmp_path):
    from central_api.cnom import CnomImportError, import_cnom
    from tests.central_api.test_filing_and_import import HEADER, _line

    with server.engine.connect() as conn:
        taken = conn.execute(select(Record.reference).where(  # a filed convention's (a CNOM one would be a re-import)
            Record.kind == "convention", Record.authority != "CNOM", Record.reference.is_not(None))).scalar()
        before = conn.execute(select(Record.cursor).order_by(Record.cursor.desc()).limit(1)).scalar()
    fresh = f"S{uuid.uuid4().hex[:8]}"
    csv = tmp_path / "cnom.csv"
    csv.write_text(HEADER + _line(fresh) + _line("X").replace("CNOM-X", taken, 1), encoding="utf-8")
    with pytest.raises(CnomImportError, match=f"{taken}.*déjà celle d'un autre enregistrement.*Rien n'a été importé"):
        import_cnom(server.engine, csv)
    with server.engine.connect() as conn:  # all or nothing: not even the first convention of the file
        assert conn.execute(select(Record.id).where(Record.reference == f"CNOM-{fresh}")).first() is None
        assert conn.execute(select(Record.cursor).order_by(Record.cursor.desc()).limit(1)).scalar() == before


SIREN = "542051180"
SIRET = SIREN + "0001" + luhn_check_digit(SIREN + "0001")


def _filing(attachments: list | None = None) -> dict:
    rpps = "1000345678" + luhn_check_digit("1000345678")
    return {
        "company": {"name": "Laboratoires Sécurité", "siret": SIRET},
        "object": "conseil_expertise", "signing_region": "OCC", "period_start": "2027-01-01", "period_end": "2027-03-31",
        "beneficiaries": [{"id": "b1", "category": "professionnel", "last_name": "Lefèvre", "first_name": "Anaïs",
                           "profession": "infirmier", "rpps": rpps}],
        "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "remuneration", "amount": "1500.00", "hours": "6",
                       "date": "2027-02-01"}],
        **({"attachments": attachments} if attachments is not None else {}),
    }


@pytest.fixture(scope="module")
def company_key(server):
    return add_api_key(server.engine, f"Laboratoires Sécurité {uuid.uuid4().hex[:6]}", SIREN)


def test_company_filings_take_their_references_from_a_sequence(server, company_key, login):
    url = f"{server.url}/api/v1/filings/conventions"
    answers: list = []

    def file_one():
        answers.append(requests.post(url, json=_filing(), headers={"X-API-Key": company_key}, timeout=60))

    threads = [threading.Thread(target=file_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    references = sorted(c["reference"] for a in answers for c in a.json()["created"])
    assert all(re.fullmatch(r"EPS-\d{4}-\d{7}", r) for r in references), references
    numbers = [int(r[-7:]) for r in references]
    assert numbers == list(range(numbers[0], numbers[0] + 6)), references  # one sequence, no gap, no repeat
    feed = {c["payload"]["reference"] for c in login("ordre.inf").pull_all() if c["kind"] == "convention"}
    assert set(references) <= feed


# -- 4. client_id ----------------------------------------------------------------------------------


def test_a_client_id_answers_only_the_account_that_first_used_it(server, login):
    victim, attacker = login("agent.occ"), login("agent.idf")
    dossier = _occ_dossier(victim)
    stale = victim.send(victim.mutation("dossier.assign", {"id": dossier["id"], "assigned_to": "agent.occ"}, base_version=0))[0]
    assert stale["status"] == "conflict" and stale["current"]["payload"]["region"] == "OCC"
    # The attacker replays the victim's client_id and seq: no stored answer (an OCC record) for them.
    replay = attacker.post("/api/v1/mutations", json={"client_id": victim.client_id, "mutations": [
        {"id": str(uuid.uuid4()), "seq": victim.seq, "name": "dossier.assign", "args": {"id": str(uuid.uuid4())}}]})
    _french_refusal(replay, 403, "client_id_etranger")
    assert "OCC" not in replay.text and dossier["id"] not in replay.text
    # Pre-empting a client_id: the victim's later command is refused loudly, never « applied » unseen.
    taken = f"poste-{uuid.uuid4()}"
    attacker.post("/api/v1/mutations", json={"client_id": taken, "mutations": [
        {"id": str(uuid.uuid4()), "seq": 1, "name": "dossier.assign", "args": {"id": str(uuid.uuid4())}}]})
    victim.client_id = taken
    _french_refusal(victim.post("/api/v1/mutations", json={"client_id": taken, "mutations": [
        victim.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": new_dossier()})]}), 403, "client_id_etranger")


def test_a_seq_reused_with_another_mutation_is_not_answered_with_the_first_result(server, login):
    agent = login("agent.occ")
    first = agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": new_dossier()})
    assert agent.send(first)[0]["status"] == "applied"
    other = first | {"id": str(uuid.uuid4()), "args": {"id": str(uuid.uuid4()), "payload": new_dossier()}}
    result = agent.send(other)[0]
    assert result["status"] == "rejected" and result["code"] == "sequence_reutilisee" and result["id"] == other["id"]
    assert agent.send(first)[0] == {"id": first["id"], "seq": first["seq"], "status": "applied", "version": 1}


# -- 7. server errors --------------------------------------------------------------------------------


def test_a_lone_surrogate_is_refused_in_french_and_nothing_of_the_batch_is_applied(server, login):
    agent, dgos = login("agent.occ"), login("dgos")
    good = new_dossier()
    bad = new_dossier(applicant={"last_name": "a\ud800b", "first_names": "Élodie"})
    body = json.dumps({"client_id": agent.client_id, "mutations": [
        agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": good}),
        agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": bad})]})
    for _attempt in range(2):  # the same answer on retry
        answer = requests.post(f"{server.url}/api/v1/mutations", data=body, timeout=30,
                               headers=agent.headers | {"Content-Type": "application/json"})
        _french_refusal(answer, 422, "texte_invalide")
    references = {(c["payload"] or {}).get("reference") for c in dgos.pull_all() if c["kind"] == "dossier"}
    assert good["reference"] not in references and bad["reference"] not in references
    paired = new_dossier(applicant={"last_name": "Zoë 😀", "first_names": "Élodie"})  # a real pair is text
    assert agent.send(agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": paired}))[0]["status"] == "applied"


@pytest.mark.parametrize("path", ["/api/v1/mutations", "/api/v1/auth/token", "/api/v1/filings/conventions"])
def test_json_nested_900_deep_is_refused_in_french(server, login, path):
    agent = login("agent.occ")
    deep = '{"client_id": "c", "mutations": [{"args": ' + "[" * 900 + "]" * 900 + "}]}"
    answer = requests.post(server.url + path, data=deep, headers=agent.headers | {"Content-Type": "application/json"}, timeout=30)
    _french_refusal(answer, 422, "json_trop_imbrique")


@pytest.mark.parametrize("redirect", ["http://127.0.0.1:99999/retour", "http://127.0.0.1:abc/retour"])
def test_a_redirect_uri_with_an_impossible_port_is_refused_in_french(server, redirect):
    params = {"response_type": "code", "client_id": "aude-desktop", "redirect_uri": redirect, "scope": "openid",
              "code_challenge": "x" * 43, "code_challenge_method": "S256", "state": "s", "nonce": "n"}
    answer = requests.get(f"{server.url}/oidc/proconnect/authorize", params=params, timeout=10)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text)
    assert "adresse de retour" in answer.json()["message"]


def test_each_mutation_of_a_batch_has_its_own_answer_and_transaction(server, login):
    agent, dgos = login("agent.occ"), login("dgos")
    first, last = new_dossier(), new_dossier()
    results = agent.send(
        agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": first}),
        agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": new_dossier(reference=first["reference"])}),
        agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": new_dossier(reference="R" * 201)}),
        agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": last}),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"], results
    references = [(c["payload"] or {}).get("reference") for c in dgos.pull_all() if c["kind"] == "dossier"]
    assert references.count(first["reference"]) == 1 and references.count(last["reference"]) == 1


# -- 11. base_version ------------------------------------------------------------------------------


def test_a_command_on_an_existing_record_requires_its_base_version(server, login):
    agent, colleague = login("agent.occ"), login("agent.occ")
    dossier = _occ_dossier(agent)
    blind = agent.send(agent.mutation("dossier.assign", {"id": dossier["id"], "assigned_to": "agent.pirate"}))[0]
    assert blind["status"] == "rejected" and blind["code"] == "base_version_requise" and "base_version" in blind["message"]
    after = colleague.get(f"/api/v1/records/dossier/{dossier['id']}").json()
    assert after["version"] == dossier["version"] and after["payload"].get("assigned_to") != "agent.pirate"
    done = agent.send(agent.mutation("dossier.assign", {"id": dossier["id"], "assigned_to": "agent.occ"},
                                     base_version=dossier["version"]))[0]
    assert done["status"] == "applied" and done["version"] == dossier["version"] + 1


# -- 12. NUL -----------------------------------------------------------------------------------------


def test_only_the_nul_character_is_refused_not_text_that_looks_like_it(server, login):
    login_name = f"nul.{uuid.uuid4().hex[:6]}"
    add_user(server.engine, login_name, "100%00-mot-de-passe", "agent_dreets", region="OCC")
    signed = requests.post(f"{server.url}/api/v1/auth/token", json={"login": login_name, "password": "100%00-mot-de-passe"}, timeout=10)
    assert signed.status_code == 200, signed.text
    agent = login("agent.occ")
    typed = new_dossier(applicant={"last_name": "Texte \\u0000 tapé", "first_names": "100%00"})
    record_id = str(uuid.uuid4())
    assert agent.send(agent.mutation("dossier.create", {"id": record_id, "payload": typed}))[0]["status"] == "applied"
    stored = login("dgos").get(f"/api/v1/records/dossier/{record_id}").json()["payload"]["applicant"]
    assert (stored["last_name"], stored["first_names"]) == ("Texte \\u0000 tapé", "100%00")
    nul = new_dossier(applicant={"last_name": "a\x00b", "first_names": "x"})
    answer = agent.post("/api/v1/mutations", json={"client_id": agent.client_id, "mutations": [
        agent.mutation("dossier.create", {"id": str(uuid.uuid4()), "payload": nul})]})
    _french_refusal(answer, 422, "requete_invalide")
    _french_refusal(agent.get("/api/v1/changes?since=1%00"), 422, "requete_invalide")


# -- 13. filing size ---------------------------------------------------------------------------------


def test_a_filing_accepts_a_3_mib_file_and_refuses_one_over_16_mib_in_french(server, company_key, login):
    url = f"{server.url}/api/v1/filings/conventions"
    data = bytes(range(256)) * (3 * 4096)  # 3 MiB
    attachment = {"filename": "statuts.pdf", "label": "Statuts", "content_base64": base64.b64encode(data).decode()}
    answer = requests.post(url, json=_filing([attachment]), headers={"X-API-Key": company_key}, timeout=60)
    assert answer.status_code == 200, answer.text
    sha = hashlib.sha256(data).hexdigest()
    downloaded = login("ordre.inf").get(f"/api/v1/attachments/{sha}")
    assert downloaded.status_code == 200 and downloaded.content == data
    big = {"filename": "gros.pdf", "content_base64": base64.b64encode(b"x" * (16 * 1024 * 1024 + 1)).decode()}
    _french_refusal(requests.post(url, json=_filing([big]), headers={"X-API-Key": company_key}, timeout=60),
                    422, "pieces_jointes_invalides")
    with server.engine.connect() as conn:
        stored = conn.execute(select(Record.id).where(Record.kind == "convention", Record.payload.contains("gros.pdf"))).first()
    assert stored is None


# -- generated ---------------------------------------------------------------------------------------

ids = st.uuids().map(str) | st.text(max_size=40) | st.sampled_from(HOSTILE_IDS) | st.uuids().map(lambda u: str(u).upper())
texts = st.text(st.characters(exclude_categories=()), max_size=12)  # lone surrogates and NUL included


def test_generated_ids_and_texts_never_break_the_server_or_the_feed(server, login):
    """Any id and any text: a French 422 for what no database can store, `identifiant_invalide` for
    anything but a UUID, never a 500 — and OCC's and the DGOS's feeds stay JSON, with what was applied."""
    agent, dgos = login("agent.occ"), login("dgos")
    applied: set[str] = set()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ids, texts)
    def attack(record_id, text):
        payload = new_dossier(applicant={"last_name": "N" + text, "first_names": "Élodie"})
        body = json.dumps({"client_id": agent.client_id, "mutations": [
            agent.mutation("dossier.create", {"id": record_id, "payload": payload})]})
        answer = requests.post(f"{server.url}/api/v1/mutations", data=body, timeout=30,
                               headers=agent.headers | {"Content-Type": "application/json"})
        assert answer.status_code in (200, 422), answer.text
        if answer.status_code == 422:
            assert answer.json()["code"] in ("texte_invalide", "requete_invalide"), answer.text
            return
        result = answer.json()["results"][0]
        if not is_record_id(record_id):
            assert result["code"] == "identifiant_invalide", result
        elif result["status"] == "applied":
            applied.add(record_id)

    attack()
    for reader in (agent, dgos):
        seen = {c["id"] for c in reader.pull_all()}
        assert applied <= seen and not seen & set(HOSTILE_IDS)
