"""Alembic, run programmatically at start-up, after a backup copy of the database file.

Alembic is imported only when the schema is not at head: a start on an up-to-date profile (nearly
every start) reads the stored revision with one query and compares it with SCHEMA_HEAD, the head
this build ships (loading Alembic and its script directory costs about as much as showing a bare
Qt window; bench/bench_cold_start.py).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from aude_desktop.store.schema_head import SCHEMA_HEAD

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BACKUPS_KEPT = 5


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """Alembic's own answer (loads the script directory): SCHEMA_HEAD is the cheap one."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_database(engine: Engine, db_path: Path, backup_dir: Path, label: str) -> Path:
    """Copy the (still encrypted) file after folding the WAL into it, so the copy is complete."""
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backup_dir / f"aude-{stamp}-{label}.db"
    shutil.copy2(db_path, target)
    for old in sorted(backup_dir.glob("aude-*.db"))[:-BACKUPS_KEPT]:
        old.unlink()
    return target


def stored_revisions(engine: Engine) -> list[str]:
    """The revision(s) recorded in alembic_version, read without Alembic ([] for a new database)."""
    with engine.connect() as connection:
        try:
            return [row[0] for row in connection.exec_driver_sql("SELECT version_num FROM alembic_version")]
        except OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            return []  # a new database


def upgrade(engine: Engine, db_path: Path, backup_dir: Path) -> Path | None:
    """Bring the schema to head; returns the backup made (None for a new database or no change)."""
    if stored_revisions(engine) == [SCHEMA_HEAD]:
        return None  # at head: Alembic is not even imported
    from alembic import command

    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return None
    backup = None
    if current is not None:
        backup = backup_database(engine, db_path, backup_dir, f"before-{head}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return backup
