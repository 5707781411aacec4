"""Single sign-on through the real protocol against the reference server's stand-in providers
(ProConnect and ProSanté Connect cannot run here): authorization code + PKCE S256 + loopback
redirect. The "browser" below does what a person does: it opens the provider's page, fills in the
form, and follows the redirect to the app's loopback address."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from aude_desktop.auth import oidc
from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.settings import Settings
from aude_desktop.sync.http import RequestRefused, Transport


def browser(username: str, password: str, seen: list | None = None, tamper=None):
    def open_url(url: str) -> None:
        page = requests.get(url, timeout=10)
        assert page.status_code == 200 and "Se connecter" in page.text
        form = {unescape(k): unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)}
        answer = requests.post(url.split("?")[0], data=form | {"username": username, "password": password},
                               allow_redirects=False, timeout=10)
        if seen is not None:
            seen.append(answer)
        if answer.status_code == 302:
            location = answer.headers["Location"]
            requests.get(tamper(location) if tamper else location, timeout=10)

    return open_url


def _auth(server, tokens=None) -> AuthSession:
    return AuthSession(Transport.from_settings(Settings(server_url=server.url)), "", tokens=tokens or MemoryTokens())


@pytest.mark.parametrize(("provider", "login", "role"), [("proconnect", "agent.occ", "agent_dreets"),
                                                         ("prosante-connect", "ordre.inf", "ordre")])
def test_sign_in_with_a_provider_gives_aude_tokens_kept_in_the_keyring(server, memory_keyring, provider, login, role):
    from aude_desktop.auth.session import KeyringTokens
    from central_api.demo_data import demo_users

    password = next(u.password for u in demo_users() if u.login == login)
    auth = _auth(server, KeyringTokens())
    user = oidc.sign_in(auth, provider, open_browser=browser(login, password), timeout=20)
    assert (user.login, user.role) == (login, role)
    assert auth.login == login and auth.has_saved_session()
    me = auth.transport.request("GET", "/api/v1/me", token=auth.access_token())
    assert me["login"] == login


def test_a_wrong_password_at_the_provider_never_reaches_the_app(server):
    seen: list = []
    with pytest.raises(oidc.OidcError, match="délai dépassé"):
        oidc.sign_in(_auth(server), "proconnect", open_browser=browser("agent.occ", "faux", seen), timeout=2)
    assert seen[0].status_code == 401 and "Identifiant ou mot de passe incorrect" in seen[0].text


def test_a_forged_state_is_refused(server):
    def swap_state(location: str) -> str:
        return re.sub(r"state=[^&]+", "state=autre", location)

    with pytest.raises(oidc.OidcError, match="état différent"):
        oidc.sign_in(_auth(server), "proconnect", open_browser=browser("agent.occ", "demo-agent-occ", tamper=swap_state), timeout=10)


def test_code_is_single_use_and_bound_to_its_pkce_verifier(server):
    """Replaying an intercepted code, or redeeming it without the verifier, is refused in French."""
    captured: list[str] = []

    def capture(location: str) -> str:
        captured.append(location)
        return location

    oidc.sign_in(_auth(server), "proconnect", open_browser=browser("agent.occ", "demo-agent-occ", tamper=capture), timeout=10)
    query = parse_qs(urlsplit(captured[0]).query)
    redirect = captured[0].split("?")[0]
    replay = requests.post(f"{server.url}/oidc/proconnect/token", timeout=10, data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect,
        "client_id": "aude-desktop", "code_verifier": "x" * 60})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert "déjà utilisé" in replay.json()["message"]


def test_redeeming_without_the_right_verifier_fails(server):
    stolen: list[str] = []

    def steal(location: str) -> str:  # an attacker reads the code and redeems it first, without the verifier
        query = parse_qs(urlsplit(location).query)
        answer = requests.post(f"{server.url}/oidc/proconnect/token", timeout=10, data={
            "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": location.split("?")[0],
            "client_id": "aude-desktop", "code_verifier": "v" * 64})
        stolen.append(answer.json()["message"])
        return location

    with pytest.raises(RequestRefused, match="déjà utilisé"):  # the stolen attempt burnt the code
        oidc.sign_in(_auth(server), "proconnect", open_browser=browser("agent.occ", "demo-agent-occ", tamper=steal), timeout=10)
    assert "PKCE" in stolen[0]


def test_an_identity_mapped_to_no_account_is_refused_in_french(server):
    from central_api import oidc as provider

    provider.add_account(server.engine, "proconnect", "inconnu.sans.compte", "mot-de-passe-long", "x@demo.gouv.fr", "X", "Y")
    with pytest.raises(RequestRefused, match="rattachée à aucun compte AUDE"):
        oidc.sign_in(_auth(server), "proconnect", open_browser=browser("inconnu.sans.compte", "mot-de-passe-long"), timeout=10)


@pytest.mark.parametrize("params", [
    {"redirect_uri": "https://attaquant.example/cb"},
    {"code_challenge_method": "plain"},
    {"client_id": "autre"},
])
def test_the_provider_refuses_unsafe_requests(server, params):
    base = {"response_type": "code", "client_id": "aude-desktop", "redirect_uri": "http://127.0.0.1:5000/callback",
            "scope": "openid", "state": "s", "code_challenge": "c" * 43, "code_challenge_method": "S256"}
    answer = requests.get(f"{server.url}/oidc/proconnect/authorize", params=base | params, timeout=10)
    assert answer.status_code == 400 and answer.json()["message"].startswith("Demande de connexion invalide")


def test_the_window_signs_in_with_proconnect_and_unlocks_through_it(qtbot, server, tmp_path):
    """The login dialog's ProConnect button, then the inactivity lock reopened through the provider."""
    from PySide6.QtWidgets import QPushButton

    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from aude_desktop.ui.main_window import MainWindow

    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    window = MainWindow(store, Settings(server_url=server.url, retention_months=120), profile)
    qtbot.addWidget(window)
    dialog = window.open_login()
    assert dialog.findChild(QPushButton, "sso_proconnect").text().replace("&", "") == "Se connecter avec ProConnect"
    dialog.provider = None
    dialog.close()
    with qtbot.waitSignal(window.sync_finished, timeout=60_000):
        window.sign_in_oidc(server.url, "proconnect", open_browser=browser("agent.occ", "demo-agent-occ"))
    assert window.auth.login == "agent.occ" and window.settings.last_user == "agent.occ"
    window.auto_sync.stop()

    window.lock()
    assert window.lock_page.sso.isVisibleTo(window.lock_page) and not window.unlock("pas le mot de passe")
    task = window._unlock_with_sso(open_browser=browser("agent.occ", "demo-agent-occ"))
    qtbot.waitUntil(lambda: not window.is_locked(), timeout=20_000)
    assert task is window.unlock_task
    store.close()


def test_command_line_sign_in_through_prosante_connect(server, tmp_path):
    """`aude-cli login --oidc prosante-connect`: the system browser ($BROWSER here) does the provider's part."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    browser = Path(__file__).parents[1] / "support" / "scripted_browser.py"
    env = dict(os.environ, BROWSER=f"{sys.executable} {browser} %s", AUDE_TEST_SSO_USER="ordre.inf",
               AUDE_TEST_SSO_PASSWORD="demo-ordre-inf", AUDE_DB_PASSPHRASE="phrase de passe du test sso",
               PYTHONPATH=str(Path(__file__).parents[2]))
    cli = str(Path(sys.executable).parent / "aude-cli")
    done = subprocess.run([cli, "--profile", str(tmp_path / "p"), "login", "--server", server.url, "--oidc", "prosante-connect"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Connecté" in done.stdout and "ordre" in done.stdout
    assert "Connexion dans le navigateur" in done.stderr
