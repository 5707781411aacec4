"""Central API figures: seeding the national data set, and the change feed served to a DGOS user."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

import requests

from central_api.db import make_engine
from central_api.migrate import upgrade
from central_api.seed import seed
from tests.support.live_server import start

NATIONAL = {"dossiers": 61_300, "conventions": 150_000}


def run():
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'national.db'}"
        engine = make_engine(url)
        upgrade(engine)
        started = time.perf_counter()
        counts = seed(engine, seed_value=42, today=date(2026, 11, 23), **NATIONAL)
        seed_time = time.perf_counter() - started
        engine.dispose()
        records = sum(v for k, v in counts.items() if k != "users")

        server = start(url)
        try:
            pulled, pages, feed_time, feed_cpu = _feed(server.url, "dgos", "demo-dgos")
            # one region: the feed also merges the tombstones of records that left it (scope_exits)
            region_pulled, region_pages, region_time, _cpu = _feed(server.url, "agent.idf", "demo-agent-idf")
        finally:
            server.stop()
    return [
        (f"seed national data set ({records:,} records: {counts})", f"{seed_time:.1f} s", "< 60 s"),
        (f"change feed, full DGOS scope ({pulled:,} records, {pages} pages of 5,000)", f"{pulled / feed_time:,.0f} records/s", ">= 20,000 records/s"),
        ("change feed per CPU-second (server and client in this process)", f"{pulled / feed_cpu:,.0f} records/s", ">= 20,000 records/s"),
        (f"change feed, one region's agent ({region_pulled:,} records, {region_pages} pages)",
         f"{region_pulled / region_time:,.0f} records/s", "-"),
    ]


def _feed(url: str, login: str, password: str) -> tuple[int, int, float, float]:
    """Records and pages of a whole pull from cursor 0, its wall-clock time and its CPU time. Server and
    client share this process: the CPU time is the feed's cost whatever else runs on the machine."""
    token = requests.post(f"{url}/api/v1/auth/token", json={"login": login, "password": password}, timeout=30).json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    since, pulled, pages = 0, 0, 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        page = session.get(f"{url}/api/v1/changes", params={"since": since, "limit": 5000}, timeout=120).json()
        pulled += len(page["changes"])
        pages += 1
        since = page["next"]
        if not page["more"]:
            break
    return pulled, pages, time.perf_counter() - started, time.process_time() - cpu_started


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
