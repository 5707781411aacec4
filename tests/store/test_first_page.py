"""The first page kept for the next start (store/first_page.py) and the integrity check run before
the store opens (store/raw.py): read back through the SQLCipher driver alone, never older than the
data, never readable without the key."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from aude_desktop.casework.first_page import FrozenSource, capture
from aude_desktop.dossiers import queue
from aude_desktop.paths import Profile
from aude_desktop.store import first_page, migrate, raw
from aude_desktop.store.database import open_store
from aude_desktop.store.engine import make_engine
from aude_desktop.store.keys import DatabaseKey, database_key
from aude_desktop.store.models import FirstPage
from aude_desktop.sync import materialize
from central_api.demo_data import generate_records

TODAY = date.today()
PASSPHRASE = "phrase de passe de la première page"
LOOK = {"heading": "Autorisations d’exercice", "placeholder": "Rechercher…", "noun": "dossier(s)",
        "saved": "Tous les dossiers", "boxes": ["Tous les états"], "widths": [160, 175]}


@pytest.fixture
def profile(tmp_path) -> Profile:
    profile = Profile.isolated(tmp_path / "p")
    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload)))
               for r in generate_records(40, 0, seed=11, today=TODAY) if r.kind == "dossier"]
    with store.session() as s:
        materialize.materialize(s, records)
    store.close()
    return profile


def _key(profile: Profile) -> DatabaseKey:
    return database_key(profile, passphrase=PASSPHRASE)


def _keep(profile: Profile, today: date = TODAY) -> dict:
    store = open_store(profile, _key(profile))
    payload = capture(store, queue, queue.QueueFilter(), "agent.occ", today, LOOK)
    first_page.keep(store, payload)
    store.close()
    return payload


def test_the_kept_page_is_read_back_without_sqlalchemy_as_the_queue_gave_it(profile):
    kept = _keep(profile)

    read = first_page.read(profile.database_path, _key(profile))

    assert read is not None and read["format"] == first_page.FORMAT
    assert read["login"] == "agent.occ" and read["look"] == LOOK and read["total"] == 40
    assert read["rows"] == kept["rows"] and len(read["rows"]) == 40
    store = open_store(profile, _key(profile))
    with store.session() as s:
        live = queue.page(s, queue.QueueFilter(), TODAY, total=40)
    store.close()
    assert [r["id"] for r in read["rows"]] == [r.id for r in live]


def test_any_opening_of_the_store_forgets_the_page(profile):
    _keep(profile)
    open_store(profile, _key(profile)).close()  # the window, a migration, a restore: all open it so

    assert first_page.read(profile.database_path, _key(profile)) is None


def test_the_command_line_forgets_it_too(profile):
    _keep(profile)
    env = {"AUDE_DB_PASSPHRASE": PASSPHRASE, "PATH": str(Path(sys.executable).parent)}
    result = subprocess.run([sys.executable, "-m", "aude_desktop.cli", "--profile", str(profile.data_dir.parent),
                             "dossiers", "list"], capture_output=True, text=True, env=env, timeout=120)

    assert result.returncode == 0, result.stderr
    assert first_page.read(profile.database_path, _key(profile)) is None


def test_nothing_is_read_with_another_key_at_another_schema_or_from_a_damaged_page(profile, tmp_path):
    _keep(profile)
    path = profile.database_path
    assert first_page.read(path, DatabaseKey(bytes(32), "keyring")) is None
    assert first_page.read(tmp_path / "absent.db", _key(profile)) is None

    engine = make_engine(path, _key(profile))
    with engine.begin() as connection:  # another build's schema: its page may mean something else
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0023'")
    assert first_page.read(path, _key(profile)) is None
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = ?", (migrate.SCHEMA_HEAD,))
        connection.exec_driver_sql("UPDATE first_page SET payload = '{\"format\": 1, \"rows\": ['")
    assert first_page.read(path, _key(profile)) is None
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE first_page SET payload = ?", (json.dumps({"format": 0, "rows": []}),))
    assert first_page.read(path, _key(profile)) is None
    engine.dispose()


def test_the_page_stays_inside_the_encrypted_file(profile):
    kept = _keep(profile)
    names = [row["name"] for row in kept["rows"]]  # « NGUYỄN Élodie »: long enough not to occur by chance

    written = b"".join(p.read_bytes() for p in profile.data_dir.glob("aude.db*"))

    assert names and not [n for n in names if n.encode() in written]


def test_read_back_another_day_its_deadlines_are_those_of_that_day(profile):
    kept = _keep(profile, TODAY)
    store = open_store(profile, _key(profile))
    seen = set()
    # Days on which deadlines pass, implicit decisions arise and « bientôt » moves.
    for later in (TODAY + timedelta(days=n) for n in (0, 1, 30, 60, 75, 120)):
        frozen = FrozenSource(kept, later)
        with store.session() as s:
            live = queue.page(s, queue.QueueFilter(), later, total=40)
        assert [[getattr(r, c) for c in queue.COLUMNS] + [r.deadline_status] for r in frozen.rows] == \
               [[getattr(r, c) for c in queue.COLUMNS] + [r.deadline_status] for r in live], later
        seen |= {r.deadline_status for r in live} | {r.deadline.split()[0] for r in live}
    store.close()
    assert seen >= {"overdue", "soon", "later", "none", "acquise", "dans"}  # every kind was compared


def test_a_sound_file_passes_the_early_check_a_damaged_one_fails_it(profile):
    assert raw.integrity_ok(profile.database_path, _key(profile)) is True
    assert raw.integrity_ok(profile.database_path, DatabaseKey(bytes(32), "keyring")) is None  # said later
    assert raw.integrity_ok(profile.database_path.with_name("absent.db"), _key(profile)) is None

    data = bytearray(profile.database_path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle + 100: middle + 400] = bytes(300)
    profile.database_path.write_bytes(bytes(data))

    assert raw.integrity_ok(profile.database_path, _key(profile)) is False
    store_check = make_engine(profile.database_path, _key(profile))
    from aude_desktop.store.database import LocalStore

    assert LocalStore(store_check, profile.database_path).integrity_ok() is False  # the same answer
    store_check.dispose()


def test_one_row_at_most(profile):
    _keep(profile)
    _keep_again = open_store(profile, _key(profile))
    first_page.keep(_keep_again, {"rows": [], "look": LOOK})
    first_page.keep(_keep_again, {"rows": [], "look": LOOK})
    with _keep_again.session() as s:
        assert s.query(FirstPage).count() == 1
    _keep_again.close()
