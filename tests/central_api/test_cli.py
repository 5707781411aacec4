"""`aude-central` account commands, as an administrator would type them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CENTRAL = str(Path(sys.executable).parent / "aude-central")


def central(*args: str, password: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if password:
        env["AUDE_PASSWORD"] = password
    return subprocess.run([CENTRAL, *args], capture_output=True, text=True, env=env, timeout=60)


def test_users_add_list_disable(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    added = central("users", "add", "agent.test", "--role", "agent_dreets", "--region", "BRE", "--db", db,
                    password="un mot de passe solide")
    assert added.returncode == 0, added.stderr
    listing = central("users", "list", "--db", db)
    assert "agent.test" in listing.stdout and "BRE" in listing.stdout and "actif" in listing.stdout
    assert central("users", "disable", "agent.test", "--db", db).returncode == 0
    assert "désactivé" in central("users", "list", "--db", db).stdout
    bad = central("users", "add", "x", "--role", "ordre", "--authority", "ARS-OCC", "--db", db, password="un mot de passe solide")
    assert bad.returncode == 2 and "autorité ordinale valide" in bad.stderr
    again = central("users", "add", "agent.test", "--role", "dgos", "--db", db, password="un mot de passe solide")
    assert again.returncode == 2 and "existe déjà" in again.stderr


def test_help_is_french():
    result = central("--help")
    assert result.returncode == 0 and "utilisation : aude-central" in result.stdout and "commandes" in result.stdout
