"""Transparence Santé import: a million lines of the public export against 150,000 EPS conventions.

The EPS side and the matched lines come from tests/support/transparence_sample.py (planted cases
included); the rest of the million are other companies' published lines, as in the real export
where most declarants' conventions are outside a given EPS authority's files.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from central_api.audit import open_log
from central_api.db import Record, make_engine
from central_api.migrate import upgrade
from central_api.service import allocate_cursors, dumps
from central_api.transparence import import_file
from tests.support.transparence_sample import _beneficiary, _row, build, siren, ts_id, write_export

LINES = 1_000_000


def _filler(count: int, seed: int = 5):
    rng = random.Random(seed)
    companies = [{"siren": siren(rng), "name": f"Société {i}", "ts_name": f"SOCIETE DECLARANTE {i}", "ts_id": ts_id(rng)}
                 for i in range(2000)]
    people = [_beneficiary(rng, "b1") for _ in range(5000)]
    from datetime import date, timedelta

    for k in range(count):
        company = companies[k % len(companies)]
        yield _row(rng, company, f"F{k:09d}", people[k % len(people)], date(2025, 1, 1) + timedelta(days=k % 600),
                   f"{100 + k % 4000}.00")


def run():
    sample = build(companies=500, per_company=300, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "declaration_convention_2026_11_25_04_00.csv"
        write_export(export, sample.rows)
        with open(export, "a", encoding="utf-8", newline="") as handle:  # streamed: a million rows never held
            import csv

            csv.writer(handle, delimiter=";", lineterminator="\n").writerows(_filler(LINES - len(sample.rows)))
        url = f"sqlite:///{Path(tmp) / 'c.db'}"
        engine = make_engine(url)
        upgrade(engine)
        open_log(engine, url)  # the audit log's key, as the server and the CLI open it
        with engine.begin() as conn:
            last = allocate_cursors(conn, len(sample.conventions))
            first = last - len(sample.conventions) + 1
            conn.execute(insert(Record), [
                {"kind": "convention", "id": cid, "version": 1, "cursor": first + i, "deleted": False, "region": None,
                 "authority": authority, "owner": None, "company": payload["company"]["siren"], "payload": dumps(payload)}
                for i, (cid, authority, payload) in enumerate(sample.conventions)])
        size = export.stat().st_size / 1e6
        started, cpu = time.perf_counter(), time.process_time()
        result = import_file(engine, export)
        first_run, first_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        again = import_file(engine, export)
        second_run, second_cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
    # CPU time beside wall time: on a shared machine the wall time also measures the neighbours.
    return [
        (f"import {result.lines:,} TS lines ({size:.0f} Mo) vs {len(sample.conventions):,} EPS conventions, first run",
         f"{first_run:.1f} s (CPU {first_cpu:.1f} s)", "≤ 60 s"),
        (f"same file again ({again.records_written} records rewritten)", f"{second_run:.1f} s (CPU {second_cpu:.1f} s)",
         "≤ 60 s"),
    ]
