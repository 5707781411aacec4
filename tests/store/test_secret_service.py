"""The store against a real Secret Service (gnome-keyring in a private D-Bus session).

Runs in a child process under `dbus-run-session`, so it never touches the developer's own keyring.
Skipped, with the reason, only where gnome-keyring or dbus-run-session is not installed
(`make system-deps` installs them).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import os, sys
    import keyring
    from keyring.backends import SecretService
    assert isinstance(keyring.get_keyring(), SecretService.Keyring), type(keyring.get_keyring())
    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import KeyMissing, database_key, forget_key, read_keyinfo
    profile = Profile.isolated(sys.argv[1])
    key = database_key(profile)
    assert key.mode == "keyring", key
    store = open_store(profile, key)
    with store.engine.begin() as c:
        c.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES ('probe', 'ok')")
    store.close()
    assert not profile.database_path.read_bytes().startswith(b"SQLite format 3")
    store = open_store(profile, database_key(profile))
    with store.engine.connect() as c:
        assert c.exec_driver_sql("SELECT value FROM sync_state WHERE key='probe'").scalar() == "ok"
    store.close()
    forget_key(profile)
    try:
        database_key(profile)
    except KeyMissing:
        print("SECRET-SERVICE-OK")
    """
)

SCRIPT = 'echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'


@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="gnome-keyring or dbus-run-session not installed (make system-deps installs them)",
)
def test_store_key_in_a_real_secret_service(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path)}
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", SCRIPT, "sh", sys.executable, "-c", CHILD, str(tmp_path / "p")],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert "SECRET-SERVICE-OK" in result.stdout, result.stdout + result.stderr
