"""The first window imports only what it shows (bench/bench_cold_start.py times it): the real
`aude-desktop` start in a child process, its sys.modules read when the first queue is painted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from aude_desktop.paths import Profile
from aude_desktop.store import migrate
from aude_desktop.store.database import open_store
from aude_desktop.store.engine import make_engine
from aude_desktop.store.keys import database_key
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records

PROBE = Path(__file__).resolve().parents[1] / "support" / "cold_start_probe.py"
PASSPHRASE = "phrase de passe du démarrage"
# What the first window (the dossiers queue) does not need: letters (ReportLab), spreadsheets,
# charts, the server's code, the network, the holidays calendars, Alembic at head, the other spaces
# and the dossier view (built when a dossier is opened).
LATE = ("alembic", "reportlab", "openpyxl", "central_api", "aude_desktop.letters.engine", "PySide6.QtCharts",
        "requests", "holidays", "aude_desktop.supervision", "aude_desktop.conventions.views", "aude_desktop.sync.engine",
        "aude_desktop.dossiers.views.dossier_view")


def existing_profile(root: Path) -> Profile:
    """A profile a sync has filled (a few dossiers, so the queue has rows), protected by a passphrase
    (a child process cannot reach the tests' in-memory keyring; both keys open the same way)."""
    profile = Profile.isolated(root)
    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload)))
               for r in generate_records(20, 0, seed=7, today=date.today()) if r.kind == "dossier"]
    with store.session() as s:
        materialize.materialize(s, records)
    store.close()
    return profile


def modules_at_first_paint(profile: Profile) -> set[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", AUDE_DB_PASSPHRASE=PASSPHRASE)
    result = subprocess.run([sys.executable, str(PROBE), "app", str(profile.data_dir.parent), "modules"],
                            capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = set(result.stdout.split())
    # The list is the window's: its queue was painted from the profile's data.
    assert {"aude_desktop.ui.main_window", "aude_desktop.dossiers.views.queue_view"} <= loaded
    return loaded


def late(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if any(m == name or m.startswith(name + ".") for name in LATE))


def test_the_first_window_of_a_profile_at_head_imports_nothing_it_does_not_show(tmp_path):
    profile = existing_profile(tmp_path / "p")

    loaded = modules_at_first_paint(profile)

    assert late(loaded) == []
    assert not profile.backup_dir.exists() or not any(profile.backup_dir.iterdir())  # nothing to migrate


def test_a_profile_at_an_older_revision_is_still_backed_up_and_migrated_at_start(tmp_path):
    profile = existing_profile(tmp_path / "p")
    key = database_key(profile, passphrase=PASSPHRASE)
    engine = make_engine(profile.database_path, key)
    config = migrate.alembic_config()
    with engine.begin() as connection:  # as the previous version of the app left it
        from alembic import command

        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    assert migrate.stored_revisions(engine) != [migrate.SCHEMA_HEAD]
    older = migrate.stored_revisions(engine)
    engine.dispose()

    loaded = modules_at_first_paint(profile)

    assert "alembic" in loaded  # the migration ran, in the app's own start
    engine = make_engine(profile.database_path, key)
    assert migrate.stored_revisions(engine) == [migrate.SCHEMA_HEAD]
    engine.dispose()
    backups = list(profile.backup_dir.glob("aude-*.db"))
    assert len(backups) == 1
    backup = make_engine(backups[0], key)  # the file as it was before, readable with the same key
    assert migrate.stored_revisions(backup) == older
    backup.dispose()
