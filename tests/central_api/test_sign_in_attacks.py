"""Issue 16, items 6 and 8, performed against the live server (SQLite and PostgreSQL): parallel
password guessing, locking a colleague out, spraying from one address, using a token after logout,
replaying a spent refresh token (in a race too), replaying an ID token, a sign-in without nonce.

Addresses: the server sits behind uvicorn's proxy-header handling (trusted from 127.0.0.1, as a
reverse proxy on the same host would be), so X-Forwarded-For gives each "attacker" its own address.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import func, select, update

from central_api.accounts import add_user
from central_api.db import AuditEntry, LoginThrottle
from central_api.oidc import s256
from tests.central_api.conftest import Client

PARALLEL = int(os.environ.get("AUDE_LOGIN_RACE", "100"))
REFRESH_RACE = int(os.environ.get("AUDE_REFRESH_RACE", "20"))


def _allowed(started: float) -> int:
    """Checks the throttle may admit in the time the burst took: 5, then one more after each delay
    (15 s, then 30, 60…). On a loaded machine a long burst legitimately gets a sixth."""
    elapsed = time.monotonic() - started
    return 5 + sum(1 for k in range(1, 12) if 15 * (2**k - 1) <= elapsed)


def _address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def _account(server) -> str:
    login = f"cible.{uuid.uuid4().hex[:8]}"
    add_user(server.engine, login, "le-bon-mot-de-passe", "agent_dreets", region="OCC")
    return login


def _try(server, login: str, password: str, address: str):
    return requests.post(f"{server.url}/api/v1/auth/token", json={"login": login, "password": password},
                         headers={"X-Forwarded-For": address}, timeout=60)


def _audited(server, login: str) -> list[str]:
    with server.engine.connect() as conn:
        return list(conn.scalars(select(AuditEntry.outcome).where(AuditEntry.login == login,
                                                                  AuditEntry.command == "auth.login")
                                  .order_by(AuditEntry.id)))


def test_parallel_wrong_passwords_check_at_most_five(server):
    login, address = _account(server), _address()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda _i: _try(server, login, f"essai-{_i}", address), range(PARALLEL)))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert 1 <= statuses.count(401) <= _allowed(started), statuses.count(401)  # 35 of 100 checked before the fix
    refused = next(a for a in answers if a.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1 and "réessayez dans" in refused.json()["message"]
    # Every refusal is in the audit log, with its reason.
    outcomes = _audited(server, login)
    assert sorted(outcomes) == sorted("identifiants_invalides" if s == 401 else "trop_de_tentatives" for s in statuses)


def test_guessing_cannot_lock_a_colleague_out(server):
    login, attacker = _account(server), _address()
    for _ in range(12):
        _try(server, login, "devine", attacker)
    assert _try(server, login, "le-bon-mot-de-passe", attacker).status_code == 429  # the guesser waits
    colleague = _try(server, login, "le-bon-mot-de-passe", _address())
    assert colleague.status_code == 200, colleague.text  # was 429 for 15 minutes before the fix
    assert _audited(server, login)[-1] == "ok"


def test_delays_grow_with_each_failure_then_a_success_clears_them(server):
    login, address = _account(server), _address()
    for _ in range(5):
        assert _try(server, login, "faux", address).status_code == 401
    delays = [int(_try(server, login, "faux", address).headers["Retry-After"])]
    for _ in range(2):
        with server.engine.begin() as conn:  # the delay has elapsed
            conn.execute(update(LoginThrottle).values(next_at=datetime.now(UTC)).where(LoginThrottle.key.contains(login)))
        assert _try(server, login, "faux", address).status_code == 401
        delays.append(int(_try(server, login, "faux", address).headers["Retry-After"]))
    assert delays[0] <= 15 < delays[1] <= 30 < delays[2] <= 60, delays
    with server.engine.begin() as conn:
        conn.execute(update(LoginThrottle).values(next_at=datetime.now(UTC)).where(LoginThrottle.key.contains(login)))
    assert _try(server, login, "le-bon-mot-de-passe", address).status_code == 200
    assert _try(server, login, "faux", address).status_code == 401  # counted from zero again


def test_spraying_many_logins_from_one_address_is_slowed_down(server):
    sprayer = _address()
    for i in range(30):
        assert _try(server, f"inconnu.{uuid.uuid4().hex[:6]}.{i}", "Printemps2026", sprayer).status_code == 401
    login = _account(server)
    assert _try(server, login, "le-bon-mot-de-passe", sprayer).status_code == 429
    assert _try(server, login, "le-bon-mot-de-passe", _address()).status_code == 200


def test_hostile_logins_are_refused_and_audited_never_a_500(server):
    address = _address()
    for login in ("a\ud800b", "x" * 80, "é' OR 1=1 --", "\u202eadmin"):
        body = json.dumps({"login": login, "password": "faux"})  # a lone surrogate travels as \ud800
        answer = requests.post(f"{server.url}/api/v1/auth/token", data=body,
                               headers={"Content-Type": "application/json", "X-Forwarded-For": address}, timeout=10)
        assert answer.status_code in (401, 422), (login, answer.status_code, answer.text)
        if answer.status_code == 401:
            assert _audited(server, login.encode("utf-8", "replace").decode())[-1] == "identifiants_invalides"


# -- sessions ------------------------------------------------------------------------------------


def _sign_in(server) -> Client:
    login = _account(server)
    return Client(server, login, "le-bon-mot-de-passe")


def test_logout_ends_the_access_token_at_once(server):
    user = _sign_in(server)
    assert user.get("/api/v1/me").status_code == 200
    assert requests.post(f"{server.url}/api/v1/auth/revoke", json={"refresh_token": user.tokens["refresh_token"]},
                         timeout=10).ok
    after = user.get("/api/v1/me")
    assert after.status_code == 401 and after.json()["code"] == "session_revoquee"  # 200 for 15 min before
    assert user.get("/api/v1/changes").status_code == 401
    with server.engine.connect() as conn:
        assert conn.scalar(select(AuditEntry.command).where(AuditEntry.login == user.tokens["user"]["login"])
                           .order_by(AuditEntry.id.desc()).limit(1)) == "auth.logout"


def _refresh(server, token: str):
    return requests.post(f"{server.url}/api/v1/auth/refresh", json={"refresh_token": token}, timeout=60)


def test_a_spent_refresh_token_replayed_revokes_its_family(server):
    user = _sign_in(server)
    stolen = user.tokens["refresh_token"]
    rotated = _refresh(server, stolen).json()  # the legitimate client refreshes
    thief = _refresh(server, stolen)
    assert thief.status_code == 401 and thief.json()["code"] == "session_revoquee"
    assert _refresh(server, rotated["refresh_token"]).status_code == 401
    me = requests.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {rotated['access_token']}"}, timeout=10)
    assert me.status_code == 401
    # Another sign-in of the same person is another family: untouched.
    other = Client(server, user.tokens["user"]["login"], "le-bon-mot-de-passe")
    assert other.get("/api/v1/me").status_code == 200


def test_parallel_refreshes_of_one_token_give_one_session_at_most(server):
    user = _sign_in(server)
    token = user.tokens["refresh_token"]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _i: _refresh(server, token), range(REFRESH_RACE)))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {200, 401}, statuses
    assert statuses.count(200) <= 1, statuses
    for winner in (a.json() for a in answers if a.status_code == 200):
        # The other uses were replays of a spent token: the winner's family is closed too.
        assert _refresh(server, winner["refresh_token"]).status_code == 401
        assert requests.get(f"{server.url}/api/v1/me", timeout=10,
                            headers={"Authorization": f"Bearer {winner['access_token']}"}).status_code == 401


# -- the stand-in identity providers (this fixture's server opts in to them) ------------------------

REDIRECT = "http://127.0.0.1:5999/retour"


def _authorize(server, username: str, password: str, address: str, **extra):
    verifier = secrets.token_urlsafe(64)
    params = {"response_type": "code", "client_id": "aude-desktop", "redirect_uri": REDIRECT, "scope": "openid",
              "state": secrets.token_urlsafe(8), "nonce": secrets.token_urlsafe(16),
              "code_challenge": s256(verifier), "code_challenge_method": "S256"} | extra
    params = {k: v for k, v in params.items() if v is not None}
    answer = requests.post(f"{server.url}/oidc/proconnect/authorize", data=params | {"username": username, "password": password},
                           headers={"X-Forwarded-For": address}, allow_redirects=False, timeout=60)
    return answer, verifier


def _id_token(server) -> str:
    answer, verifier = _authorize(server, "agent.occ", "demo-agent-occ", _address())
    assert answer.status_code == 302, answer.text
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = requests.post(f"{server.url}/oidc/proconnect/token", timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "client_id": "aude-desktop",
        "code_verifier": verifier}).json()
    return tokens["id_token"]


def test_password_guessing_through_the_provider_is_throttled_like_the_api(server):
    address = _address()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda i: _authorize(server, "agent.occ", f"essai-{i}", address)[0], range(PARALLEL)))
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert 1 <= statuses.count(401) <= _allowed(started), statuses.count(401)  # every guess was checked before the fix
    assert "Trop de tentatives" in next(a.text for a in answers if a.status_code == 429)
    with server.engine.connect() as conn:
        audited = conn.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.command == "oidc.authorize", AuditEntry.login == "proconnect:agent.occ",
            AuditEntry.outcome.in_(("identifiants_invalides", "trop_de_tentatives"))))
    assert audited >= PARALLEL


def test_an_id_token_is_exchanged_once(server):
    id_token = _id_token(server)
    first = requests.post(f"{server.url}/api/v1/auth/oidc", json={"provider": "proconnect", "id_token": id_token}, timeout=10)
    assert first.status_code == 200 and first.json()["user"]["login"] == "agent.occ"
    replay = requests.post(f"{server.url}/api/v1/auth/oidc", json={"provider": "proconnect", "id_token": id_token}, timeout=10)
    assert replay.status_code == 401 and replay.json()["code"] == "jeton_oidc_rejoue"  # a second session before


def test_the_provider_requires_a_nonce(server):
    answer, _ = _authorize(server, "agent.occ", "demo-agent-occ", _address(), nonce=None)
    assert answer.status_code == 400 and "« nonce » obligatoire" in answer.json()["message"]
