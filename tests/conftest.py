"""Test-wide setup: offscreen Qt, an in-memory keyring, subprocesses kept away from real keyrings."""

from __future__ import annotations

import os

import keyring
import keyring.backends.fail
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Child processes (the app, the CLI, servers) must never touch the developer's real keyring.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

# `make test` replays the same generated examples every run (main stays green for a reason one can
# reproduce); `make test-faults` explores new ones each time.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

from aude_desktop import catalog  # noqa: E402
from tests.support.memory_keyring import MemoryKeyring, install  # noqa: E402

# Tests that call the registry directly (domain.commands.execute) find every command, as callers of
# the catalog do (the registry imports no procedure).
catalog.load()
_hypothesis_settings.register_profile("repeatable", derandomize=True)
_hypothesis_settings.register_profile("explore", derandomize=False)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def memory_keyring() -> MemoryKeyring:
    return install()


@pytest.fixture(autouse=True)
def no_command_on_gui_thread(monkeypatch):
    """Every command a window asks for, and every write of the store, runs on the serial worker (or a
    sync's thread), never on the GUI thread (docs/ARCHITECTURE.md, « Threading »): a test whose
    window code did one there fails, naming it. Only window code counts (tests/support/gui_thread.py):
    fixtures, the CLI and the store's own tests write on the main thread legitimately."""
    from sqlalchemy import Engine, event

    from tests.support.gui_thread import CommandsOnGuiThread

    guard = CommandsOnGuiThread(catalog.execute)
    monkeypatch.setattr(catalog, "execute", guard)
    event.listen(Engine, "before_cursor_execute", guard.statement)
    yield guard
    event.remove(Engine, "before_cursor_execute", guard.statement)
    if guard.faults:
        pytest.fail("Done on the GUI thread instead of the serial worker:\n" + "\n".join(guard.faults),
                    pytrace=False)


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
