"""Sign-in: the refresh token lives only in the keyring, silent refresh, sign-out wipes it."""

from __future__ import annotations

import pytest

from aude_desktop.auth.session import AuthSession, NotSignedIn, refresh_entry
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.engine import SyncEngine
from aude_desktop.sync.http import AuthenticationError, Transport
from tests.support.live_server import server_fixture

server = server_fixture(50, 50, 5)


def test_tokens_only_in_keyring_and_wiped_on_sign_out(tmp_path, server, memory_keyring):
    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), "agent.occ")
    user = auth.sign_in("demo-agent-occ")
    assert (user.role, user.region) == ("agent_dreets", "OCC")
    refresh = memory_keyring.get_password("aude-desktop", refresh_entry(server.url, "agent.occ"))
    assert refresh

    auth._expires_at = 0  # the access token expired: the next call refreshes silently
    SyncEngine(store, auth).run()
    rotated = memory_keyring.get_password("aude-desktop", refresh_entry(server.url, "agent.occ"))
    assert rotated and rotated != refresh
    store.close()

    secrets = [rotated, refresh, auth._access_token, memory_keyring.entries[next(k for k in memory_keyring.entries if k[1].startswith("database-key"))]]
    for file in (tmp_path / "p").rglob("*"):
        if file.is_file():
            content = file.read_bytes()
            assert not any(secret.encode() in content for secret in secrets), file

    auth.sign_out()
    assert memory_keyring.get_password("aude-desktop", refresh_entry(server.url, "agent.occ")) is None
    with pytest.raises(NotSignedIn):
        auth.access_token()


def test_wrong_password_is_a_french_authentication_error(server):
    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), "agent.occ")
    with pytest.raises(AuthenticationError) as excinfo:
        auth.sign_in("mauvais")
    assert str(excinfo.value) == "Identifiant ou mot de passe incorrect."
