"""Issue 16, item 5: the stand-in identity providers take AUDE passwords, so `aude-central serve`
must not offer them unless asked (`--demo`, `--oidc-standin`: a test aid). Run with the real CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from aude_desktop.auth import oidc
from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.settings import Settings
from aude_desktop.sync.http import Transport
from tests.support.live_server import free_port

CLI = str(Path(sys.executable).parent / "aude-central")


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('standin') / 'c.db'}"
    # The seeded demo users also get stand-in provider accounts, with the same passwords.
    subprocess.run([CLI, "seed", "--db", url, "--dossiers", "0", "--conventions", "0"], check=True, capture_output=True)
    return url


def _serve(url: str, *flags: str):
    port = free_port()
    process = subprocess.Popen([CLI, "serve", "--db", url, "--port", str(port), *flags],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/api/v1/meta", timeout=1).ok:
                return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(process.communicate()[0])


def _stop(process) -> str:
    process.terminate()
    return process.communicate(timeout=20)[0]


def test_a_plain_server_offers_no_stand_in_provider(database):
    process, base = _serve(database)
    try:
        assert requests.get(f"{base}/oidc/proconnect/.well-known/openid-configuration", timeout=5).status_code == 404
        guess = requests.post(f"{base}/oidc/proconnect/authorize", timeout=5, data={
            "username": "agent.occ", "password": "demo-agent-occ", "response_type": "code", "client_id": "aude-desktop",
            "redirect_uri": "http://127.0.0.1:5000/cb", "scope": "openid", "state": "s", "nonce": "n" * 20,
            "code_challenge": "c" * 43, "code_challenge_method": "S256"}, allow_redirects=False)
        assert guess.status_code == 404  # was a password oracle with no throttling
        exchange = requests.post(f"{base}/api/v1/auth/oidc", json={"provider": "proconnect", "id_token": "a.b.c"}, timeout=5)
        assert exchange.status_code == 404 and exchange.json()["code"] == "fournisseur_non_configure"
        assert "non configurée" in exchange.json()["message"]
        assert requests.post(f"{base}/api/v1/auth/token", json={"login": "agent.occ", "password": "demo-agent-occ"},
                             timeout=10).status_code == 200
        # The desktop's sign-in through ProConnect says so in French.
        auth = AuthSession(Transport.from_settings(Settings(server_url=base)), "", tokens=MemoryTokens())
        with pytest.raises(oidc.OidcError, match="n'est pas proposée par ce serveur"):
            oidc.sign_in(auth, "proconnect", open_browser=lambda _url: None, timeout=2)
    finally:
        output = _stop(process)
    assert "démonstration" not in output


def test_the_flag_turns_them_on_and_says_it_is_a_test_aid(database):
    process, base = _serve(database, "--oidc-standin")
    try:
        config = requests.get(f"{base}/oidc/proconnect/.well-known/openid-configuration", timeout=5)
        assert config.status_code == 200 and config.json()["issuer"] == f"{base}/oidc/proconnect"
    finally:
        output = _stop(process)
    assert "jamais en production" in output
    helptext = subprocess.run([CLI, "serve", "--help"], capture_output=True, text=True).stdout
    assert "--oidc-standin" in helptext and "aide aux" in helptext
