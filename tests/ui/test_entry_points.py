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
    from aude_desktop.store.migrate import head_revision

    assert f"Version du schéma : {head_revision()}" in result.stdout
    result = run("aude-cli", "--profile", str(tmp_path / "q"), "info")
    assert result.returncode == 3
    assert "Aucun trousseau sécurisé" in result.stderr


def test_cli_login_sync_status_logout_without_keyring(tmp_path):
    """Headless: no keyring in the child, so each command signs in again with AUDE_PASSWORD."""
    from datetime import date

    from central_api.seed import seed
    from tests.support.live_server import start

    server = start(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        seed(server.engine, dossiers=40, conventions=40, seed_value=4, today=date(2026, 11, 23))
        env = PASS | {"AUDE_PASSWORD": "demo-agent-occ"}
        profile = str(tmp_path / "p")
        login = run("aude-cli", "--profile", profile, "login", "--server", server.url, "--user", "agent.occ", env_extra=env)
        assert login.returncode == 0, login.stderr
        assert "Connecté : Agent DREETS Occitanie" in login.stdout
        assert "la session n'est pas conservée" in login.stderr
        synced = run("aude-cli", "--profile", profile, "sync", env_extra=env)
        assert synced.returncode == 0, synced.stderr
        assert "Reçus :" in synced.stdout and "Reçus :" in synced.stderr and "\r" not in synced.stderr
        status = run("aude-cli", "--profile", profile, "status", "--json", env_extra=env)
        facts = __import__("json").loads(status.stdout)
        assert facts["pending"] == 0 and facts["cursor"] > 0 and facts["last_sync"]
        everything = __import__("json").loads(run("aude-cli", "--profile", profile, "dossiers", "list", "--json", env_extra=env).stdout)
        states = sorted({r["state"] for r in everything})
        listed = run("aude-cli", "--profile", profile, "dossiers", "list", "--state", "recu", "--state", "complet",
                     "--state", "clos", "--json", env_extra=env)
        assert listed.returncode == 0, listed.stderr
        rows = __import__("json").loads(listed.stdout)
        from aude_desktop.paths import Profile as P
        from aude_desktop.store.database import open_store
        from aude_desktop.store.keys import database_key

        store = open_store(P.isolated(profile), database_key(P.isolated(profile), passphrase=PASS["AUDE_DB_PASSPHRASE"]))
        from aude_desktop.letters import compose
        from aude_desktop.sync.materialize import dump_dossier

        with store.session() as s:
            ids = s.connection().exec_driver_sql("SELECT id FROM dossiers").scalars().all()
            target, kind = next((i, k) for i in ids for k in compose.applicable("aude", dump_dossier(s, i)))
        with store.session() as s:
            expected = s.connection().exec_driver_sql(
                "SELECT reference FROM dossiers WHERE state IN ('recu', 'complet', 'clos')").scalars().all()
            assert len(everything) == s.connection().exec_driver_sql("SELECT count(*) FROM dossiers").scalar() > 0
        store.close()
        assert sorted(r["reference"] for r in rows) == sorted(expected) and len(states) > 1
        assert {r["state"] for r in rows} <= {"Reçu", "Complet — en instruction", "Clos"}
        refused = run("aude-cli", "--profile", profile, "letters", "render", "--kind", kind, "--dossier", target,
                      "--out", str(tmp_path / "courrier.pdf"), env_extra=env)
        assert refused.returncode == 2 and "adresse postale du service (--address)" in refused.stderr
        assert not (tmp_path / "courrier.pdf").exists()
        bad = run("aude-cli", "--profile", profile, "settings", "letters", "--signatory", "Claire", env_extra=env)
        assert bad.returncode == 2 and "prénom puis le NOM" in bad.stderr
        configured = run("aude-cli", "--profile", profile, "settings", "letters", "--service", "Pôle autorisations d'exercice",
                         "--address", "5 esplanade Compans-Caffarelli ; 31000 Toulouse", "--phone", "05 62 89 81 00",
                         "--email", "dreets-occ@exemple.gouv.fr", "--hours", "du lundi au vendredi, de 9 h à 12 h",
                         "--officer-quality", "Gestionnaire", "--signatory", "Jean-Pierre LE GOFF", "--quality", "Directeur",
                         "--show", env_extra=env)
        assert configured.returncode == 0, configured.stderr
        assert "LE GOFF" in configured.stdout and "prêts à être émis" in configured.stdout
        # demo dossiers may be past a letter's legal window: the flag confirms it (its refusal: tests/letters)
        letter = run("aude-cli", "--profile", profile, "letters", "render", "--kind", kind, "--dossier", target,
                     "--out", str(tmp_path / "courrier.pdf"), "--confirmer-hors-delai", env_extra=env)
        assert letter.returncode == 0, letter.stderr
        assert "émis et enregistré" in letter.stderr and (tmp_path / "courrier.pdf").read_bytes().startswith(b"%PDF")
        again = run("aude-cli", "--profile", profile, "letters", "batch", "--kind", kind, "--dossier", target, "inconnu",
                    "--out-dir", str(tmp_path / "lot"), env_extra=env)
        assert again.returncode == 1 and "réémis (courrier enregistré)" in again.stderr and "inconnu : refusé" in again.stderr
        assert [p.read_bytes() for p in (tmp_path / "lot").iterdir()] == [(tmp_path / "courrier.pdf").read_bytes()]
        figures = run("aude-cli", "--profile", profile, "stats", "--json", env_extra=env)
        assert figures.returncode == 0, figures.stderr
        assert sum(g["total"] for g in __import__("json").loads(figures.stdout)["aude"]["by_region"].values()) == len(everything)
        exported = run("aude-cli", "--profile", profile, "export", "--queue", "tous les dossiers", "--format", "xlsx",
                       "--out", str(tmp_path / "file.xlsx"), env_extra=env)
        assert exported.returncode == 0, exported.stderr
        from openpyxl import load_workbook

        assert load_workbook(tmp_path / "file.xlsx").active.max_row == 3 + len(everything)
        unknown = run("aude-cli", "--profile", profile, "export", "--queue", "inexistante", "--format", "csv", "--out", "x.csv", env_extra=env)
        assert unknown.returncode == 2 and "file inconnue" in unknown.stderr
        bad_state = run("aude-cli", "--profile", profile, "dossiers", "list", "--state", "perdu", env_extra=env)
        assert bad_state.returncode == 2 and "choix invalide" in bad_state.stderr
        wrong = run("aude-cli", "--profile", profile, "sync", env_extra=PASS | {"AUDE_PASSWORD": "faux"})
        assert wrong.returncode == 2 and "Identifiant ou mot de passe incorrect" in wrong.stderr
        out = run("aude-cli", "--profile", profile, "logout", env_extra=env)
        assert out.returncode == 0 and "rien à effacer" in out.stdout
    finally:
        server.stop()


def test_cli_deadlines_compute(tmp_path):
    import json

    spec = {"procedure": "eps", "regime": "autorisation", "authority": "ARS-OCC", "urgent": False,
            "octroi_on": "2025-03-01", "today": "2025-02-21",
            "events": [{"on": "2025-01-15", "kind": "receipt"}, {"on": "2025-02-01", "kind": "incomplete"},
                       {"on": "2025-02-20", "kind": "pieces_received"}]}
    path = tmp_path / "convention.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    result = run("aude-cli", "deadlines", "compute", str(path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["next_date"] == "2025-04-22"
    assert answer["next_label"] == "Autorisation tacite le 22 avril 2025 sans décision d'ici là"
    assert any("Lundi de Pâques" in step for step in answer["history"])
    assert "précède la date de décision" in answer["flags"][0]
    spec["events"][0]["on"] = "15/01/2025"
    path.write_text(json.dumps(spec), encoding="utf-8")
    bad = run("aude-cli", "deadlines", "compute", str(path))
    assert bad.returncode == 2 and bad.stdout == "" and "illisible" in bad.stderr


def test_cli_eps_classify(tmp_path):
    import json

    path = tmp_path / "convention.json"
    path.write_text(json.dumps({
        "beneficiaries": [{"id": "b1", "category": "etudiant"}],
        "avantages": [{"id": "a1", "beneficiary_id": "b1", "nature": "remuneration", "amount": "330.00", "half_days": "1"}],
    }), encoding="utf-8")
    result = run("aude-cli", "eps", "classify", str(path))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["regime"] == "autorisation"
    assert answer["explanation"] == ["Rémunération, indemnisation, défraiement : 330,00 €/demi-journée > 320,00 €/demi-journée — arrêté du 7 août 2020"]
    path.write_text(json.dumps({"avantages": [{"id": "a1", "nature": "remuneration", "amount": "-3"}]}), encoding="utf-8")
    bad = run("aude-cli", "eps", "classify", str(path))
    assert bad.returncode == 2 and bad.stdout == "" and "montant « -3 » invalide" in bad.stderr
