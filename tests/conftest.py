"""Test-wide setup: offscreen Qt, an in-memory keyring, subprocesses kept away from real keyrings."""

from __future__ import annotations

import os

import keyring
import keyring.backends.fail
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Child processes (the app, the CLI, servers) must never touch the developer's real keyring.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from tests.support.memory_keyring import MemoryKeyring, install  # noqa: E402


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    return install()


@pytest.fixture
def no_keyring():
    """A machine without a secure keyring (headless Linux): keyring's own `fail` backend."""
    keyring.set_keyring(keyring.backends.fail.Keyring())


@pytest.fixture
def store(tmp_path):
    """An empty encrypted local store (key in the in-memory keyring); the UI tests' own fixture
    shares its profile with the window instead."""
    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key

    profile = Profile.isolated(tmp_path / "p")
    s = open_store(profile, database_key(profile))
    yield s
    s.close()
