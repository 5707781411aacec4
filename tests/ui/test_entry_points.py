"""The installed commands, run as a user would: aude-desktop and aude-cli in child processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

BIN = Path(sys.executable).parent


def run(command: str, *args: str, env_extra: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("AUDE_DB_PASSPHRASE", None)
    env.update(env_extra or {})
    return subprocess.run([str(BIN / command), *args], capture_output=True, text=True, env=env, timeout=timeout)


PASS = {"AUDE_DB_PASSPHRASE": "phrase de passe de test"}


def test_version():
    result = run("aude-desktop", "--version")
    assert result.returncode == 0
    assert result.stdout.startswith("AUDE Desktop ")


def test_screenshot_writes_the_main_window(tmp_path):
    png = tmp_path / "main.png"
    result = run("aude-desktop", "--profile", str(tmp_path / "p"), "--screenshot", str(png), env_extra=PASS)
    assert result.returncode == 0, result.stderr
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)
    assert not (tmp_path / "p" / "data" / "aude.db").read_bytes().startswith(b"SQLite format 3")


def test_unattended_run_without_keyring_or_passphrase_explains_and_exits_2(tmp_path):
    result = run("aude-desktop", "--profile", str(tmp_path / "p"), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert "Aucun trousseau sécurisé" in result.stderr
    assert "AUDE_DB_PASSPHRASE" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_lost_keyring_entry_refuses_and_leaves_the_data_untouched(tmp_path):
    """A profile created with a keyring whose entry is gone: exit 3, French message, same bytes."""
    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key

    profile = Profile.isolated(tmp_path / "p")
    open_store(profile, database_key(profile)).close()  # keyring mode, in the test's memory keyring
    before = hashlib.sha256(profile.database_path.read_bytes()).hexdigest()
    # The child process has no keyring at all: the key is unreachable.
    result = run("aude-desktop", "--profile", str(tmp_path / "p"), "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 3
    assert "trousseau" in result.stderr and "La base n'a pas été modifiée" in result.stderr
    assert hashlib.sha256(profile.database_path.read_bytes()).hexdigest() == before


def test_cli_help_and_info(tmp_path):
    result = run("aude-cli", "--help")
    assert result.returncode == 0
    assert "utilisation : aude-cli" in result.stdout and "affiche cette aide" in result.stdout
    result = run("aude-cli", "--profile", str(tmp_path / "p"), "info", env_extra=PASS)
    assert result.returncode == 0, result.stderr
    assert "Protection de la clé : phrase de passe" in result.stdout
    assert "Version du schéma : 0003" in result.stdout
    result = run("aude-cli", "--profile", str(tmp_path / "q"), "info")
    assert result.returncode == 3
    assert "Aucun trousseau sécurisé" in result.stderr
