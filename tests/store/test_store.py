"""The encrypted local store: key handling, encryption at rest, migrations, pragmas, search."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from aude_desktop.dossiers.models import Applicant, Dossier
from aude_desktop.paths import Profile
from aude_desktop.store import migrate, search
from aude_desktop.store.database import open_store
from aude_desktop.store.engine import make_engine
from aude_desktop.store.keys import (
    KeyMissing,
    KeyringUnavailable,
    PassphraseRequired,
    WrongPassphrase,
    database_key,
    keyring_entry_name,
    read_keyinfo,
)
from aude_desktop.store.models import Base
from aude_desktop.store.plans import write_plan
from tests.support.old_profile import write_at_revision

PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"


@pytest.fixture
def profile(tmp_path) -> Profile:
    return Profile.isolated(tmp_path / "profil").ensure()


def _add_dossier(store, reference="AUDE-2026-OCC-000001", last_name="Nguyễn", first_names="Élodie Bérénice"):
    with store.session() as s:
        d = Dossier(
            reference=reference, profession="infirmier", region="OCC", situation="ue_reglemente",
            state="recu", received_on=date(2026, 5, 2),
        )
        d.applicant = Applicant(last_name=last_name, first_names=first_names)
        s.add(d)
        s.flush()
        d.search_rowid = search.document_rowid("dossier", d.id)
        write_plan(s.connection(), search.row_statements([(d.search_rowid, f"{reference} {first_names} {last_name}")]))
        return d.id


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_database_is_encrypted_and_key_lives_only_in_keyring(profile, memory_keyring):
    store = open_store(profile, database_key(profile))
    _add_dossier(store)
    store.close()

    raw = profile.database_path.read_bytes()
    assert not raw.startswith(PLAIN_SQLITE_HEADER)
    assert "Nguyễn".encode() not in raw and b"Elodie" not in raw

    info = read_keyinfo(profile)
    assert info["mode"] == "keyring"
    stored_key = memory_keyring.get_password("aude-desktop", keyring_entry_name(info["profile_id"]))
    assert stored_key and len(stored_key) == 64
    for file in profile.data_dir.rglob("*"):
        if file.is_file():
            assert stored_key.encode() not in file.read_bytes(), file


def test_plain_sqlite_cannot_read_the_file(profile):
    import sqlite3

    open_store(profile, database_key(profile)).close()
    connection = sqlite3.connect(profile.database_path)
    with pytest.raises(sqlite3.DatabaseError):
        connection.execute("SELECT * FROM sqlite_master").fetchall()
    connection.close()


def test_reopening_with_the_keyring_key_reads_the_data(profile):
    store = open_store(profile, database_key(profile))
    dossier_id = _add_dossier(store)
    store.close()
    store = open_store(profile, database_key(profile))
    with store.session() as s:
        assert s.get(Dossier, dossier_id).applicant.last_name == "Nguyễn"
    store.close()


def test_missing_keyring_entry_refuses_in_french_and_destroys_nothing(profile, memory_keyring):
    store = open_store(profile, database_key(profile))
    _add_dossier(store)
    store.close()
    before = _sha256(profile.database_path)
    memory_keyring.entries.clear()

    with pytest.raises(KeyMissing) as excinfo:
        database_key(profile)
    assert "introuvable dans le trousseau" in str(excinfo.value)
    assert "n'ont pas été modifiées" in str(excinfo.value)
    assert _sha256(profile.database_path) == before


def test_no_secure_keyring_asks_for_a_passphrase(profile, no_keyring):
    with pytest.raises(KeyringUnavailable) as excinfo:
        database_key(profile)
    assert "phrase de passe" in str(excinfo.value)
    assert not profile.database_path.exists()


def test_passphrase_mode_round_trip_and_wrong_passphrase(profile, no_keyring):
    with pytest.raises(PassphraseRequired):
        database_key(profile, passphrase="court")
    store = open_store(profile, database_key(profile, passphrase="une phrase de passe solide"))
    _add_dossier(store)
    store.close()
    assert read_keyinfo(profile)["mode"] == "passphrase"
    assert "une phrase" not in profile.data_dir.joinpath("keyinfo.json").read_text()
    before = _sha256(profile.database_path)

    with pytest.raises(PassphraseRequired):
        database_key(profile)
    with pytest.raises(WrongPassphrase) as excinfo:
        open_store(profile, database_key(profile, passphrase="une autre phrase de passe"))
    assert "Phrase de passe incorrecte" in str(excinfo.value)
    assert _sha256(profile.database_path) == before

    store = open_store(profile, database_key(profile, passphrase="une phrase de passe solide"))
    with store.session() as s:
        assert s.scalar(select(Dossier.reference)) == "AUDE-2026-OCC-000001"
    store.close()


def test_passphrase_from_environment_for_unattended_runs(profile, no_keyring, monkeypatch):
    monkeypatch.setenv("AUDE_DB_PASSPHRASE", "phrase pour les scripts")
    open_store(profile, database_key(profile)).close()
    assert read_keyinfo(profile)["mode"] == "passphrase"
    open_store(profile, database_key(profile)).close()


def test_pragmas_on_every_connection(profile):
    store = open_store(profile, database_key(profile))
    for _ in range(2):
        with store.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        store.engine.dispose()  # force a fresh connection on the next round
    store.close()


def test_old_database_is_backed_up_then_migrated_at_start_up(profile):
    key = database_key(profile)
    write_at_revision(profile, key, "0001", [
        "INSERT INTO dossiers (id, version, reference, profession, region, acces_partiel, situation, "
        "state, received_on, updated_at) VALUES ('d1', 3, 'AUDE-OLD-1', 'infirmier', 'BRE', 0, "
        "'ue_reglemente', 'complet', '2025-01-02', '2025-01-02 00:00:00')"
    ])

    store = open_store(profile, key)
    assert store.schema_revision() == migrate.head_revision()
    assert store.last_backup is not None and store.last_backup.exists()
    assert not store.last_backup.read_bytes().startswith(PLAIN_SQLITE_HEADER)
    with store.session() as s:
        assert s.get(Dossier, "d1").version == 3
    store.close()

    # The backup is the database as it was before the migration, readable with the same key.
    backup_engine = make_engine(store.last_backup, key)
    assert migrate.current_revision(backup_engine) == "0001"
    backup_engine.dispose()

    # Opening again changes nothing and makes no new backup.
    assert open_store(profile, key).last_backup is None


def test_models_and_migrations_agree(profile):
    store = open_store(profile, database_key(profile))
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": _not_fts, "compare_type": True},
        )
        diff = compare_metadata(context, Base.metadata)
    store.close()
    assert diff == []


def _not_fts(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and (name or "").startswith("search_index"))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("elodie", True),
        ("ELODIE nguyen", True),
        ("Élodie", True),
        ("berenice", True),
        ("bérénice nguy", True),  # prefix of the last word
        ("AUDE-2026-OCC", True),
        ("elodia", False),
        ('"; DROP TABLE dossiers; --', False),  # FTS syntax and SQL in the input are plain text
        ("(elodie* ^", True),  # operators are dropped, the words stay
    ],
)
def test_search_is_accent_insensitive(profile, typed, expected):
    store = open_store(profile, database_key(profile))
    dossier_id = _add_dossier(store)
    _add_dossier(store, "AUDE-2026-OCC-000002", "Martin", "Paul")
    with store.session() as s:
        found = search.search(s, "dossier", typed)
        assert (dossier_id in found) is expected
        assert s.query(Dossier).count() == 2
    store.close()
