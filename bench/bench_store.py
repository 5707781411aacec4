"""Local store figures: opening an encrypted profile, and bulk insert rate vs plain sqlite3."""

from __future__ import annotations

import sqlite3
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from aude_desktop.dossiers.models import Dossier
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from tests.support.memory_keyring import install as install_memory_keyring

ROWS = 61_300


def _rows():
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


def run():
    install_memory_keyring()  # a bench profile must not land in the developer's keyring
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile.isolated(Path(tmp) / "p")
        started = time.perf_counter()
        store = open_store(profile, database_key(profile))
        first_open = time.perf_counter() - started
        store.close()
        started = time.perf_counter()
        store = open_store(profile, database_key(profile))
        reopen = time.perf_counter() - started

        rows = _rows()
        started = time.perf_counter()
        with store.session() as s:
            s.execute(Dossier.__table__.insert(), rows)
        encrypted = time.perf_counter() - started
        store.close()

        plain = sqlite3.connect(Path(tmp) / "plain.db")
        plain.execute(
            "CREATE TABLE d (id, version, reference, profession, specialty, region, acces_partiel, "
            "situation, state, assigned_to, received_on, acknowledged_on, complete_on, closed_on, next_due_on)"
        )
        tuples = [tuple(str(v) if isinstance(v, date) else v for v in r.values()) for r in rows]
        started = time.perf_counter()
        with plain:
            plain.executemany(f"INSERT INTO d VALUES ({','.join('?' * 15)})", tuples)
        baseline = time.perf_counter() - started
        plain.close()
    return [
        ("first open of a new encrypted profile (migrations)", f"{first_open * 1000:.0f} ms", "-"),
        ("re-open of an encrypted profile", f"{reopen * 1000:.0f} ms", "-"),
        (f"insert {ROWS} dossier rows, encrypted, SQLAlchemy Core", f"{ROWS / encrypted:,.0f} rows/s", "-"),
        (f"insert {ROWS} rows, plain sqlite3 executemany (floor)", f"{ROWS / baseline:,.0f} rows/s", "-"),
    ]


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
