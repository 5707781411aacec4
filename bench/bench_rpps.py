"""`aude-central rpps export` on the national demo data (61,300 dossiers): the first run (every decision
since a date, one file per order or ARS, each dossier marked through the mutation path) and the
re-run with nothing new."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from central_api.audit import open_log
from central_api.db import make_engine
from central_api.migrate import upgrade
from central_api.rpps import export
from central_api.seed import seed

DOSSIERS = 61_300


def run():
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'c.db'}"
        engine = make_engine(url)
        upgrade(engine)
        open_log(engine, url)
        seed(engine, dossiers=DOSSIERS, conventions=0, seed_value=42)
        out = Path(tmp) / "envoi"
        out.mkdir()
        since = date(date.today().year - 1, 1, 1)
        started, cpu = time.perf_counter(), time.process_time()
        first = export(engine, out, "csv", since)
        first_run, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        again = export(engine, out, "csv", None)
        second_run, second_cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
    return [
        (f"first run since {since:%d/%m/%Y}: {first.decisions:,} decisions, {len(first.files)} files, {DOSSIERS:,} dossiers read",
         f"{first_run:.1f} s (CPU {first_cpu:.1f} s)", "≤ 120 s"),
        (f"re-run, nothing new ({again.decisions} decisions)", f"{second_run:.1f} s (CPU {second_cpu:.1f} s)", "≤ 10 s"),
    ]
