"""Supervision: the national overview over 61,300 dossiers + 150,000 conventions (SQL aggregates),
and an export of the 61,300 dossiers to XLSX."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from aude_desktop.dossiers import queue
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.supervision import export
from aude_desktop.supervision.overview import compute
from bench import local_data
from tests.support.memory_keyring import install as install_memory_keyring

TODAY = date(2026, 11, 23)


def run():
    install_memory_keyring()
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile.isolated(Path(tmp) / "p")
        store = open_store(profile, database_key(profile))
        local_data.load(store, 61_300, 150_000, TODAY)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            with store.session() as s:
                compute(s, TODAY)
            timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = export.write(Path(tmp) / "dossiers.xlsx", "xlsx", "Tous les dossiers", "", queue.HEADERS,
                            export.queue_rows(store, queue, queue.QueueFilter(), TODAY))
        xlsx = time.perf_counter() - started
        store.close()
    return [
        ("national overview (61,300 dossiers + 150,000 conventions), best of 3", f"{min(timings) * 1000:.0f} ms", "<= 1 s"),
        (f"export of {rows:,} dossiers to XLSX", f"{xlsx:.1f} s", "<= 15 s"),
    ]
