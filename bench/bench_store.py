"""Local store figures: opening an encrypted profile, and bulk insert rate against the floor."""

from __future__ import annotations

import sqlite3
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine

from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from tests.support.memory_keyring import install as install_memory_keyring

ROWS = 61_300


def _rows() -> list[dict]:
    return [
        {
            "id": str(uuid.UUID(int=i + 1)), "version": 1, "reference": f"AUDE-B-{i:06d}",
            "profession": "infirmier", "specialty": None, "region": "OCC", "acces_partiel": False,
            "situation": "ue_reglemente", "state": "complet", "assigned_to": None,
            "received_on": date(2026, 1, 1), "acknowledged_on": None, "complete_on": None,
            "closed_on": None, "next_due_on": None,
        }
        for i in range(ROWS)
    ]


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _floor(folder: Path, rows: list[dict]) -> float:
    """Same table and indexes, unencrypted, raw DBAPI executemany: the practical limit."""
    engine = create_engine(f"sqlite:///{folder / 'plain.db'}")
    Dossier.__table__.create(engine)
    engine.dispose()
    columns = list(rows[0])
    tuples = [tuple(str(v) if isinstance(v, date) else v for v in r.values()) for r in rows]
    sql = (
        f"INSERT INTO dossiers ({','.join(columns)}, updated_at) "
        f"VALUES ({','.join('?' * len(columns))}, '2026-01-01')"
    )
    plain = sqlite3.connect(folder / "plain.db")
    plain.execute("PRAGMA journal_mode=WAL")
    plain.execute("PRAGMA synchronous=NORMAL")

    def insert():
        with plain:
            plain.executemany(sql, tuples)

    elapsed = _timed(insert)
    plain.close()
    return elapsed


def run():
    install_memory_keyring()  # a bench profile must not land in the developer's keyring
    rows = _rows()
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile.isolated(Path(tmp) / "p")
        first_open = _timed(lambda: open_store(profile, database_key(profile)).close())
        store = None

        def reopen():
            nonlocal store
            store = open_store(profile, database_key(profile))

        reopen_time = _timed(reopen)

        def insert():
            with store.session() as s:
                s.execute(Dossier.__table__.insert(), rows)

        encrypted = _timed(insert)
        store.close()
        baseline = _floor(Path(tmp), rows)
    return [
        ("first open of a new encrypted profile (migrations)", f"{first_open * 1000:.0f} ms", "-"),
        ("re-open of an encrypted profile", f"{reopen_time * 1000:.0f} ms", "-"),
        (f"insert {ROWS} dossier rows, encrypted, SQLAlchemy Core", f"{ROWS / encrypted:,.0f} rows/s", "-"),
        (f"insert {ROWS} rows, same table unencrypted, raw executemany (floor)", f"{ROWS / baseline:,.0f} rows/s", "-"),
    ]


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
