"""Hostile or broken requests: a precise 4xx with a French message, never a 500, nothing changed."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from central_api.db import Record


def _records(server) -> int:
    with server.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Record)).scalar()


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ('{"client_id": "x", "mutations": [', {"Content-Type": "application/json"}, 422, "requete_invalide"),
        ('{"client_id": 12, "mutations": "tout"}', {"Content-Type": "application/json"}, 422, "requete_invalide"),
        ('{"client_id": "x", "mutations": [{"id": "pas-un-uuid", "seq": -1, "name": "x", "args": []}]}',
         {"Content-Type": "application/json"}, 422, "requete_invalide"),
        ('{"client_id": "x", "mutations": [], "extra": 1}', {"Content-Type": "application/json"}, 422, "requete_invalide"),
        ("[1, 2, 3]", {"Content-Type": "application/json"}, 422, "requete_invalide"),
    ],
)
def test_malformed_mutation_requests(server, login, body, headers, status, code):
    agent = login("agent.occ")
    before = _records(server)
    answer = requests.post(f"{server.url}/api/v1/mutations", data=body.encode(), headers=agent.headers | headers, timeout=10)
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    assert answer.json()["message"].startswith("Requête invalide")
    assert _records(server) == before


def test_oversized_payload_is_refused_before_parsing(server, login):
    agent = login("agent.occ")
    huge = b'{"client_id": "x", "mutations": [], "pad": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    answer = requests.post(f"{server.url}/api/v1/mutations", data=huge,
                           headers=agent.headers | {"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code == 413
    assert answer.json()["code"] == "trop_volumineux"


def test_cursor_from_the_future_and_bad_parameters(server, login):
    agent = login("agent.occ")
    future = agent.get("/api/v1/changes", params={"since": 10**12})
    assert future.status_code == 400 and future.json()["code"] == "curseur_futur"
    assert "resynchronisation complète" in future.json()["message"]
    for params in ({"since": -1}, {"since": "abc"}, {"limit": 0}, {"limit": 10**6}):
        answer = agent.get("/api/v1/changes", params=params)
        assert answer.status_code == 422, params
        assert answer.json()["code"] == "requete_invalide"


def test_unknown_route_and_method_answer_in_french(server):
    assert requests.get(f"{server.url}/api/v1/nulle-part", timeout=10).json() == {
        "code": "introuvable", "message": "Adresse inconnue sur ce serveur."}
    assert requests.delete(f"{server.url}/api/v1/meta", timeout=10).json()["code"] == "methode_interdite"


def test_wrong_types_inside_command_args_are_rejected_per_mutation(server, login):
    agent = login("agent.occ")
    results = agent.send(
        agent.mutation("dossier.create", {"id": "dddddddd-0000-4000-8000-000000000001",
                                          "payload": {"reference": 12, "profession": "infirmier"}}),
        agent.mutation("dossier.create", {"id": ["liste"], "payload": {}}),
        agent.mutation("dossier.create", {"id": "dddddddd-0000-4000-8000-000000000002", "payload": "texte"}),
    )
    assert [r["code"] for r in results] == ["type_invalide", "identifiant_invalide", "arguments_invalides"]
    assert results[0]["message"] == "Référence : texte attendu."


@pytest.mark.parametrize(("path", "body", "content_type"), [
    ("/api/v1/auth/token", '{"login": "agent\\u0000occ", "password": "x"}', "application/json"),
    ("/api/v1/mutations", '{"client_id": "a\\u0000", "mutations": []}', "application/json"),
    ("/oidc/proconnect/authorize", "username=agent%00occ&password=x", "application/x-www-form-urlencoded"),
])
def test_a_nul_character_is_refused_before_any_database(server, login, path, body, content_type):
    """PostgreSQL cannot store U+0000 in text: found by schemathesis as a 500 on /auth/token."""
    agent = login("agent.occ")
    answer = requests.post(server.url + path, data=body.encode(), timeout=10,
                           headers=agent.headers | {"Content-Type": content_type})
    assert answer.status_code == 422 and "caractère nul" in answer.json()["message"]
    assert requests.get(f"{server.url}/api/v1/changes", params={"since": "0\x00"}, headers=agent.headers,
                        timeout=10).status_code == 422
