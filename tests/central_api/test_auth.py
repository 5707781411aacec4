"""Sign-in, refresh with rotation, revocation, forged and expired tokens, throttling."""

from __future__ import annotations

import time

import requests

from central_api import security


def test_login_refresh_rotation_and_revoke(server, login):
    agent = login("agent.occ")
    assert agent.tokens["user"] == {"login": "agent.occ", "display_name": "Agent DREETS Occitanie",
                                    "role": "agent_dreets", "region": "OCC", "authority": None}
    assert agent.get("/api/v1/me").json()["region"] == "OCC"

    first_refresh = agent.tokens["refresh_token"]
    rotated = requests.post(f"{server.url}/api/v1/auth/refresh", json={"refresh_token": first_refresh}, timeout=10)
    assert rotated.status_code == 200
    second_refresh = rotated.json()["refresh_token"]
    assert second_refresh != first_refresh
    reused = requests.post(f"{server.url}/api/v1/auth/refresh", json={"refresh_token": first_refresh}, timeout=10)
    assert reused.status_code == 401 and "déjà utilisé" in reused.json()["message"]
    # A spent token came back: the whole family is closed, the rotated token with it.
    assert requests.post(f"{server.url}/api/v1/auth/refresh", json={"refresh_token": second_refresh}, timeout=10).status_code == 401

    again = login("agent.occ").tokens["refresh_token"]
    assert requests.post(f"{server.url}/api/v1/auth/revoke", json={"refresh_token": again}, timeout=10).ok
    revoked = requests.post(f"{server.url}/api/v1/auth/refresh", json={"refresh_token": again}, timeout=10)
    assert revoked.status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_answer(server):
    for user in ("agent.bre", "personne.inconnue"):
        answer = requests.post(f"{server.url}/api/v1/auth/token", json={"login": user, "password": "faux"}, timeout=10)
        assert answer.status_code == 401
        assert answer.json() == {"code": "identifiants_invalides", "message": "Identifiant ou mot de passe incorrect."}


def test_forged_and_expired_tokens_are_refused(server, login):
    agent = login("agent.occ")
    body, signature = agent.tokens["access_token"].split(".")
    forged_body = security.b64url(b'{"sub":"dgos","exp":9999999999}')
    for token in (f"{forged_body}.{signature}", "n'importe quoi", f"{body}.{signature[:-2]}xx"):
        answer = requests.get(f"{server.url}/api/v1/changes", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 401, token
        assert answer.json()["code"] == "jeton_invalide"
    secret = server.app.state.engine and __import__("central_api.app", fromlist=["_load_secret"])._load_secret(server.engine)
    expired, _ = security.make_access_token(secret, "agent.occ", now=time.time() - 3600)
    answer = requests.get(f"{server.url}/api/v1/changes", headers={"Authorization": f"Bearer {expired}"}, timeout=10)
    assert answer.status_code == 401 and "expiré" in answer.json()["message"]
    assert requests.get(f"{server.url}/api/v1/changes", timeout=10).json()["code"] == "authentification_requise"


def test_repeated_failures_are_throttled(server):
    url = f"{server.url}/api/v1/auth/token"
    for _ in range(5):
        assert requests.post(url, json={"login": "throttle.test", "password": "faux"}, timeout=10).status_code == 401
    blocked = requests.post(url, json={"login": "throttle.test", "password": "mot-de-passe-long"}, timeout=10)
    assert blocked.status_code == 429
    # A delay that grows with each failure (15 s after the fifth), not a 15-minute lock.
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15
    assert "réessayez dans" in blocked.json()["message"]
