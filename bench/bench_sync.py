"""Client sync figures: initial sync of a DGOS scope into an empty profile, its apply rate next to a
plain sqlite3 executemany of the same rows (the practical limit), and an incremental sync.

The reference server runs in its own process, as in production (there it is another machine;
here it shares the 2 cores with the client, which only makes the figure harder to reach).
Scale: AUDE_BENCH_SCALE=national (61,300 dossiers + 150,000 conventions, the default) or quick.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import requests
from sqlalchemy import create_engine

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.demo import free_port
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.store.models import Base
from aude_desktop.sync import materialize
from aude_desktop.sync.engine import INITIAL_APPLY_BATCH, SyncEngine
from aude_desktop.sync.http import Transport
from central_api.db import make_engine
from central_api.migrate import upgrade
from central_api.seed import seed
from central_api.service import allocate_cursors, dumps
from tests.support.memory_keyring import install as install_memory_keyring

SCALES = {"national": (61_300, 150_000), "quick": (3_000, 6_000)}


FLOOR_SEARCH_INDEX = ("CREATE VIRTUAL TABLE search_index USING fts5(body, content = '', "
                      "tokenize = 'unicode61 remove_diacritics 2')")  # 0013's table, minus deletes (SQLite < 3.43)


def _floor(folder: Path, statements: list) -> tuple[float, int]:
    """The client's statements for the same records (table rows and search documents), prebuilt,
    into the same tables of an unencrypted database: raw executemany, one transaction."""
    engine = create_engine(f"sqlite:///{folder / 'floor.db'}")
    Base.metadata.create_all(engine)
    engine.dispose()
    connection = sqlite3.connect(folder / "floor.db")
    connection.execute(FLOOR_SEARCH_INDEX)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    with connection:
        for sql, rows in statements:
            connection.executemany(sql, rows)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, sum(len(rows) for _sql, rows in statements)


@contextmanager
def _server_process(db_url: str):
    """`aude-central serve` on the seeded database, in its own process."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "central_api.cli", "serve", "--db", db_url, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/api/v1/meta", timeout=1).ok:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the reference server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def run():
    install_memory_keyring()
    dossiers, conventions = SCALES[os.environ.get("AUDE_BENCH_SCALE", "national")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'central.db'}"
        engine = make_engine(url)
        upgrade(engine)
        seed(engine, dossiers=dossiers, conventions=conventions, seed_value=42, today=date(2026, 11, 23))
        with _server_process(url) as server_url:
            profile = Profile.isolated(folder / "client")
            store = open_store(profile, database_key(profile))
            auth = AuthSession(Transport.from_settings(Settings(server_url=server_url)), "dgos", tokens=MemoryTokens())
            auth.sign_in("demo-dgos")
            started = time.perf_counter()
            report = SyncEngine(store, auth).run()
            initial = time.perf_counter() - started

            # The apply step alone, on the same records, into a second empty profile, in this process:
            # rows built then written, in the transactions of a first sync.
            with engine.connect() as conn:
                rows = conn.exec_driver_sql("SELECT kind, id, version, payload FROM records ORDER BY cursor").all()
            records = [(r.kind, r.id, r.version, json.loads(r.payload)) for r in rows]
            other = Profile.isolated(folder / "apply")
            apply_store = open_store(other, database_key(other))
            started = time.perf_counter()
            for i in range(0, len(records), INITIAL_APPLY_BATCH):
                with apply_store.session() as s:
                    materialize.materialize(s, records[i : i + INITIAL_APPLY_BATCH], new=True)
            apply_time = time.perf_counter() - started
            apply_store.close()
            floor_time, floor_rows = _floor(folder, materialize.build_plan(records, new=True).statements)

            # 1,000 records changed on the server, then an incremental sync
            with engine.begin() as conn:
                changed = conn.exec_driver_sql("SELECT kind, id, version, payload FROM records WHERE kind = 'dossier' LIMIT 1000").all()
                last = allocate_cursors(conn, len(changed))
                for offset, row in enumerate(changed):
                    payload = json.loads(row.payload)
                    payload["specialty"] = "modifié"
                    conn.exec_driver_sql("UPDATE records SET version = ?, cursor = ?, payload = ? WHERE kind = ? AND id = ?",
                                         (row.version + 1, last - len(changed) + 1 + offset, dumps(payload), row.kind, row.id))
            started = time.perf_counter()
            incremental = SyncEngine(store, auth).run()
            incremental_time = time.perf_counter() - started
            store.close()
        engine.dispose()
    return [
        (f"initial sync, DGOS scope, empty profile ({report.pulled:,} records, {report.pages} pages, "
         f"{report.transactions} transactions)", f"{initial:.1f} s", "< 30 s"),
        (f"apply only, encrypted store, one process ({len(records):,} records → {floor_rows:,} rows)",
         f"{len(records) / apply_time:,.0f} records/s", "-"),
        ("same rows, plain sqlite3 executemany, one transaction (floor)", f"{len(records) / floor_time:,.0f} records/s", "-"),
        ("apply time / floor time", f"{apply_time / floor_time:.1f}x", "<= 3x"),
        (f"incremental sync of {incremental.pulled:,} changed records", f"{incremental_time:.2f} s", "< 2 s"),
    ]


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
