"""Who may read and write what: every role × every endpoint and command × in-scope / out-of-scope
record, against the real server, checked against a table written here by hand from the rules
(central_api/scope.py is not consulted, so a mistake there cannot hide itself).

Roles: agent of Occitanie, agent of Île-de-France, the nurses' order, the ARS of Occitanie, DGOS,
and nobody signed in. The size of the matrix is printed (`-s`)."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
import requests
from sqlalchemy import select, update

from aude_desktop import catalog
from central_api.db import Record
from central_api.service import insert_system_record
from tests.support.live_server import seeded_server

USERS = {"agent.occ": "demo-agent-occ", "agent.idf": "demo-agent-idf", "ordre.inf": "demo-ordre-inf",
         "ars.occ": "demo-ars-occ", "dgos": "demo-dgos"}
# (label, kind, region, authority, owner)
RECORDS = [
    ("D_OCC", "dossier", "OCC", None, None), ("D_IDF", "dossier", "IDF", None, None),
    ("S_OCC", "commission_session", "OCC", None, None), ("S_IDF", "commission_session", "IDF", None, None),
    ("P_OCC", "piece", "OCC", None, None), ("P_IDF", "piece", "IDF", None, None),
    ("C_INF", "convention", None, "ORDRE-INF", None), ("C_ARS", "convention", None, "ARS-OCC", None),
    ("C_MK", "convention", None, "ORDRE-MK", None),
    ("L_OCC", "letter", "OCC", None, None), ("L_INF", "letter", None, "ORDRE-INF", None),
    ("N_OCC", "annotation", "OCC", None, "agent.occ"), ("N_IDF", "annotation", "IDF", None, "agent.idf"),
    ("N_INF", "annotation", None, "ORDRE-INF", "ordre.inf"),
    # agent.occ's note on an Île-de-France dossier (the server once accepted it): nobody's to read.
    ("N_AWAY", "annotation", "IDF", None, "agent.occ"),
    ("R", "ruleset", None, None, None),
    # Transparence Santé results, written by the server's import only.
    ("T_INF", "transparence", None, "ORDRE-INF", None), ("T_ARS", "transparence", None, "ARS-OCC", None),
    ("K", "transparence_company", None, None, None),
]
ALL = {label for label, *_ in RECORDS}
# By hand, from the rules (issue #3 and ARCHITECTURE.md): region for agents, authority for orders
# and ARS, everything for DGOS but others' annotations, one's own annotations on records one sees,
# rules for everyone.
VISIBLE = {
    "agent.occ": {"D_OCC", "S_OCC", "P_OCC", "L_OCC", "N_OCC", "R"},
    "agent.idf": {"D_IDF", "S_IDF", "P_IDF", "N_IDF", "R"},
    "ordre.inf": {"C_INF", "L_INF", "T_INF", "N_INF", "R"},
    "ars.occ": {"C_ARS", "T_ARS", "R"},
    "dgos": ALL - {"N_OCC", "N_IDF", "N_INF", "N_AWAY"},
}
WRITABLE_KINDS = {
    "agent.occ": {"dossier", "piece", "commission_session", "letter", "annotation"},
    "agent.idf": {"dossier", "piece", "commission_session", "letter", "annotation"},
    "ordre.inf": {"convention", "letter", "annotation"},
    "ars.occ": {"convention", "letter", "annotation"},
    "dgos": set(),
}
ATTACHED = ("P_OCC", "P_IDF", "L_OCC", "L_INF", "C_INF")
cases = 0


def _payloads(conn) -> dict[str, dict]:
    def real(kind: str, **where) -> dict:
        query = select(Record.payload).where(Record.kind == kind, Record.deleted.is_(False))
        for column, value in where.items():
            query = query.where(getattr(Record, column) == value)
        return json.loads(conn.execute(query.limit(1)).scalar())

    return {"dossier": real("dossier", region="OCC"), "convention": real("convention", authority="ORDRE-INF")}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("matrix")
    with seeded_server(folder, 400, 600, 13) as server:
        ids = {label: str(uuid.uuid4()) for label in ALL}
        shas = {label: hashlib.sha256(f"fichier {label}".encode()).hexdigest() for label in ATTACHED}
        with server.engine.begin() as conn:
            base = _payloads(conn)
            for label, kind, region, authority, owner in RECORDS:
                if kind == "dossier":
                    payload = base["dossier"] | {"region": region, "reference": f"AUDE-M-{label}"}
                elif kind == "convention":
                    payload = base["convention"] | {"authority": authority, "reference": f"EPS-M-{label}",
                                                    "attachments": [{"sha256": shas[label], "filename": "c.pdf"}] if label in shas else []}
                elif kind == "piece":
                    payload = {"dossier_id": ids["D_" + region], "code": "b", "label": "Identité", "status": "recu", "sha256": shas[label]}
                elif kind == "letter":
                    parent = {"dossier_id": ids["D_OCC"]} if region else {"convention_id": ids["C_INF"]}
                    payload = {"kind": "aude.accuse_reception", "reference": f"L-{label}", "sha256": shas[label],
                               "issued_on": "2026-11-20", **parent}
                elif kind == "commission_session":
                    payload = {"region": region, "profession": "infirmier", "held_on": "2026-12-10"}
                elif kind == "transparence":
                    payload = {"convention_id": ids["C_" + authority.split("-")[-1].replace("OCC", "ARS")],
                               "status": "declaree", "label": "déclarée sur Transparence Santé", "lines": []}
                elif kind == "transparence_company":
                    payload = {"siren": "732829320", "name": "Laboratoires Élan", "conventions": 1, "details": {}}
                elif kind == "annotation":
                    parent = {"dossier_id": ids["D_" + region]} if region else {"convention_id": ids["C_INF"]}
                    payload = {**parent, "author": owner, "text": "note", "updated_at": "2026-11-20T10:00:00+00:00"}
                else:
                    payload = {"version": "test", "effective_from": "2020-08-07"}
                insert_system_record(conn, kind, ids[label], payload, region=region, authority=authority)
                if owner:
                    conn.execute(update(Record).where(Record.id == ids[label]).values(owner=owner))
        for label, sha in shas.items():
            (folder / "attachments" / sha).write_bytes(f"fichier {label}".encode())
        tokens = {}
        for login, password in USERS.items():
            answer = requests.post(f"{server.url}/api/v1/auth/token", json={"login": login, "password": password}, timeout=10)
            assert answer.status_code == 200, answer.text
            tokens[login] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        yield server, ids, shas, tokens


def _label_of(ids: dict, record_id: str) -> str | None:
    return next((label for label, value in ids.items() if value == record_id), None)


@pytest.mark.parametrize("login", sorted(USERS))
def test_reads_follow_the_scope(world, login):
    global cases
    server, ids, shas, tokens = world
    headers = tokens[login]
    for label, kind, *_ in RECORDS:
        answer = requests.get(f"{server.url}/api/v1/records/{kind}/{ids[label]}", headers=headers, timeout=10)
        assert answer.status_code == (200 if label in VISIBLE[login] else 404), (login, label, answer.text)
        cases += 1
    received, since = set(), 0
    while True:
        page = requests.get(f"{server.url}/api/v1/changes", params={"since": since, "limit": 5000}, headers=headers, timeout=30).json()
        received |= {_label_of(ids, c["id"]) for c in page["changes"]} - {None}
        since = page["next"]
        if not page["more"]:
            break
    assert received == VISIBLE[login], login
    cases += len(ALL)
    for label, sha in shas.items():
        answer = requests.get(f"{server.url}/api/v1/attachments/{sha}", headers=headers, timeout=10)
        assert answer.status_code == (200 if label in VISIBLE[login] else 404), (login, label)
        cases += 1


@pytest.mark.parametrize("login", sorted(USERS))
def test_every_command_on_every_record_follows_the_scope(world, login):
    global cases
    server, ids, _shas, tokens = world
    kinds = {label: kind for label, kind, *_ in RECORDS}
    plan = []
    for name, spec in sorted(catalog.registered().items()):
        for label in sorted(label for label, kind in kinds.items() if kind == spec.kind):
            allowed = spec.kind in WRITABLE_KINDS[login] and label in VISIBLE[login]
            plan.append((name, label, allowed))
    body = {"client_id": f"matrix-{login}-{uuid.uuid4()}", "mutations": [
        {"id": str(uuid.uuid4()), "seq": seq, "name": name, "args": {"id": ids[label], "on": "2026-11-20"}, "base_version": None}
        for seq, (name, label, _allowed) in enumerate(plan, start=1)]}
    answer = requests.post(f"{server.url}/api/v1/mutations", json=body, headers=tokens[login], timeout=60)
    cases += len(plan)
    if login == "dgos":  # read-only: the whole request is refused, in French
        assert answer.status_code == 403 and answer.json()["code"] == "lecture_seule"
        return
    assert answer.status_code == 200, answer.text
    for (name, label, allowed), result in zip(plan, answer.json()["results"], strict=True):
        refused_for_scope = result.get("code") == "hors_perimetre"
        assert refused_for_scope is not allowed, (login, name, label, result)


@pytest.mark.parametrize(("login", "name", "payload"), [
    ("agent.occ", "dossier.create", {"region": "IDF"}),
    ("agent.occ", "commission.create", {"region": "IDF"}),
    ("ordre.inf", "dossier.create", {"region": "OCC"}),
    ("ars.occ", "dossier.create", {"region": "OCC"}),
    ("agent.occ", "convention.create", {"authority": "ORDRE-INF"}),
    ("ordre.inf", "convention.create", {"authority": "ORDRE-MK"}),
    ("ars.occ", "convention.create", {"authority": "ARS-IDF"}),
])
def test_creating_outside_ones_scope_is_refused(world, login, name, payload):
    global cases
    server, _ids, _shas, tokens = world
    with server.engine.connect() as conn:
        base = _payloads(conn)["dossier" if name.startswith(("dossier", "commission")) else "convention"]
    if name == "commission.create":
        base = {"profession": "infirmier", "held_on": "2026-12-10"}
    body = {"client_id": f"create-{uuid.uuid4()}", "mutations": [{"id": str(uuid.uuid4()), "seq": 1, "name": name,
            "args": {"id": str(uuid.uuid4()), "payload": base | payload}, "base_version": None}]}
    result = requests.post(f"{server.url}/api/v1/mutations", json=body, headers=tokens[login], timeout=10).json()["results"][0]
    cases += 1
    assert result["status"] == "rejected" and result["code"] in ("hors_perimetre", "autorite_incompetente"), result


@pytest.mark.parametrize("owner", sorted(set(USERS) - {"dgos"}))
def test_a_client_id_answers_only_the_account_that_first_used_it(world, owner):
    """Another account posting with someone's client_id (replaying their seq, or taking it first) is
    refused whole, `client_id_etranger`, and reads nothing of the owner's stored answers."""
    global cases
    server, ids, _shas, tokens = world
    client_id = f"poste-{uuid.uuid4()}"
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "name": "dossier.assign", "args": {"id": ids["D_OCC"]}, "base_version": 0}

    def post(login: str, body: dict):
        return requests.post(f"{server.url}/api/v1/mutations", json=body, headers=tokens[login], timeout=10)

    first = post(owner, {"client_id": client_id, "mutations": [mutation]})
    assert first.status_code == 200
    for other in sorted(set(USERS) - {owner}):
        answer = post(other, {"client_id": client_id, "mutations": [mutation | {"id": str(uuid.uuid4())}]})
        cases += 1
        expected = "lecture_seule" if other == "dgos" else "client_id_etranger"
        assert answer.status_code == 403 and answer.json()["code"] == expected, (owner, other, answer.text)
        assert "results" not in answer.json()
    assert post(owner, {"client_id": client_id, "mutations": [mutation]}).json() == first.json()


ANONYMOUS = [("GET", "/api/v1/changes"), ("GET", "/api/v1/me"), ("GET", "/api/v1/stats"), ("POST", "/api/v1/mutations"),
             ("GET", "/api/v1/records/dossier/x"), ("HEAD", "/api/v1/attachments/" + "0" * 64),
             ("GET", "/api/v1/attachments/" + "0" * 64), ("PUT", "/api/v1/attachments/" + "0" * 64),
             ("GET", "/api/v1/company/filings"), ("GET", "/api/v1/company/mandates"),
             ("GET", f"/api/v1/company/filings/{uuid.uuid4()}"), ("POST", f"/api/v1/company/filings/{uuid.uuid4()}/pieces"),
             ("POST", f"/api/v1/company/filings/{uuid.uuid4()}/modified"),
             ("GET", f"/api/v1/company/letters/{uuid.uuid4()}/pdf")]


@pytest.mark.parametrize(("method", "path"), ANONYMOUS)
def test_nobody_signed_in_gets_nothing(world, method, path):
    global cases
    server, *_ = world
    answer = requests.request(method, server.url + path, timeout=10, json={} if method in ("POST", "PUT") else None)
    cases += 1
    assert answer.status_code == 401, (method, path, answer.status_code)


def test_a_user_token_cannot_file_as_a_company(world):
    global cases
    server, _ids, _shas, tokens = world
    answer = requests.post(f"{server.url}/api/v1/filings/conventions", json={}, headers=tokens["agent.occ"], timeout=10)
    cases += 1
    assert answer.status_code == 401 and "clé" in answer.json()["message"].lower()


# Issue 16: naming a file requires having it (items 3), HEAD/PUT say nothing of others' files, and a
# record moved to another region leaves the old one (item 10). Writable parents for each user's claims.
CLAIM_PARENTS = {"agent.occ": ("D_OCC", "dossier_id"), "agent.idf": ("D_IDF", "dossier_id"),
                 "ordre.inf": ("C_INF", "convention_id"), "ars.occ": ("C_ARS", "convention_id")}


@pytest.mark.parametrize("login", sorted(CLAIM_PARENTS))
def test_naming_a_file_follows_the_scope(world, login):
    """A pièce or letter of one's own scope may name a file only if one may already read it."""
    global cases
    server, ids, shas, tokens = world
    parent, key = CLAIM_PARENTS[login]
    mutations = []
    for label, sha in sorted(shas.items()):
        letter = {"kind": ("aude" if key == "dossier_id" else "eps") + ".accuse_reception", "sha256": sha,
                  "reference": f"L-{uuid.uuid4().hex[:10]}", "issued_on": "2026-11-20", key: ids[parent]}
        mutations.append((label, "letter.register", {"id": str(uuid.uuid4()), "payload": letter}))
        if key == "dossier_id":
            piece = {"dossier_id": ids[parent], "code": "c", "label": "Diplôme", "status": "recu", "sha256": sha}
            mutations.append((label, "piece.upsert", {"id": str(uuid.uuid4()), "payload": piece}))
    body = {"client_id": f"claims-{uuid.uuid4()}", "mutations": [
        {"id": str(uuid.uuid4()), "seq": seq, "name": name, "args": args, "base_version": None}
        for seq, (_label, name, args) in enumerate(mutations, start=1)]}
    results = requests.post(f"{server.url}/api/v1/mutations", json=body, headers=tokens[login], timeout=30).json()["results"]
    for (label, name, _args), result in zip(mutations, results, strict=True):
        cases += 1
        if label in VISIBLE[login]:
            assert result["status"] == "applied", (login, name, label, result)
        else:
            assert result.get("code") == "piece_inconnue", (login, name, label, result)


@pytest.mark.parametrize("login", sorted(USERS))
def test_head_and_put_tell_nothing_of_files_outside_the_scope(world, login):
    global cases
    server, _ids, shas, tokens = world
    for label, sha in sorted(shas.items()):
        url = f"{server.url}/api/v1/attachments/{sha}"
        head = requests.head(url, headers=tokens[login], timeout=10)
        visible = label in VISIBLE[login]
        assert head.headers["Upload-Complete"] == ("1" if visible else "0"), (login, label)
        assert visible or (head.status_code == 404 and head.headers["Upload-Offset"] == "0"), (login, label)
        cases += 1
        if login == "dgos":
            continue
        put = requests.put(url, data=b"z", headers=tokens[login] | {"Content-Range": "bytes 0-0/1000"}, timeout=10)
        assert put.json()["complete"] is visible and (visible or put.json()["size"] == 1), (login, label, put.text)
        cases += 1


def test_a_moved_dossier_follows_its_new_region(world):
    """D_OCC's twin, with its pièce and letter, moved to Île-de-France: every role reads it as its new
    region dictates, the old region gets tombstones only."""
    global cases
    server, _ids, _shas, tokens = world
    moved = {label: str(uuid.uuid4()) for label in ("D", "P", "L")}
    files = {label: hashlib.sha256(f"déplacé {label}".encode()).hexdigest() for label in ("P", "L")}
    with server.engine.begin() as conn:
        dossier = _payloads(conn)["dossier"] | {"region": "OCC", "reference": "AUDE-M-MOVED", "state": "recu"}
        insert_system_record(conn, "dossier", moved["D"], dossier, region="OCC")
        insert_system_record(conn, "piece", moved["P"], {"dossier_id": moved["D"], "code": "b", "label": "Identité",
                                                         "status": "recu", "sha256": files["P"]}, region="OCC")
        insert_system_record(conn, "letter", moved["L"], {"kind": "aude.accuse_reception", "reference": "L-MOVED",
                                                          "sha256": files["L"], "issued_on": "2026-11-20",
                                                          "dossier_id": moved["D"]}, region="OCC")
    for label, sha in files.items():
        (server.app.state.files / sha).write_bytes(f"déplacé {label}".encode())
    body = {"client_id": f"move-{uuid.uuid4()}", "mutations": [{"id": str(uuid.uuid4()), "seq": 1, "name": "dossier.move_region",
            "args": {"id": moved["D"], "region": "IDF", "reason": "Erreur d'aiguillage"}, "base_version": 1}]}
    result = requests.post(f"{server.url}/api/v1/mutations", json=body, headers=tokens["agent.occ"], timeout=10).json()["results"][0]
    assert result["status"] == "applied", result
    after = {"agent.idf", "dgos"}
    kinds = {"D": "dossier", "P": "piece", "L": "letter"}
    for login in sorted(USERS):
        for label, record_id in moved.items():
            answer = requests.get(f"{server.url}/api/v1/records/{kinds[label]}/{record_id}", headers=tokens[login], timeout=10)
            assert answer.status_code == (200 if login in after else 404), (login, label)
            cases += 1
        for sha in files.values():
            answer = requests.get(f"{server.url}/api/v1/attachments/{sha}", headers=tokens[login], timeout=10)
            assert answer.status_code == (200 if login in after else 404), (login, sha)
            cases += 1
        feed, since = {}, 0
        while True:
            page = requests.get(f"{server.url}/api/v1/changes", params={"since": since, "limit": 5000},
                                headers=tokens[login], timeout=30).json()
            for c in page["changes"]:
                if c["id"] in moved.values():
                    feed[c["id"]] = c["deleted"]  # the last word on each record
            since = page["next"]
            if not page["more"]:
                break
        expected = ({i: False for i in moved.values()} if login in after
                    else {i: True for i in moved.values()} if login == "agent.occ" else {})
        assert feed == expected, login
        cases += 1


def test_matrix_size_is_reported():
    print(f"\naccess matrix: {cases} cases checked")
    assert cases > 500
