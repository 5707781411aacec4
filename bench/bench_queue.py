"""Dossier queue figures on the national data set (61,300 dossiers): first paint, search, sort, memory."""

from __future__ import annotations

import json
import os
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from aude_desktop.dossiers.views.queue_view import QueueView  # noqa: E402
from aude_desktop.paths import Profile  # noqa: E402
from aude_desktop.store.database import open_store  # noqa: E402
from aude_desktop.store.keys import database_key  # noqa: E402
from aude_desktop.sync import materialize  # noqa: E402
from central_api.demo_data import generate_records  # noqa: E402
from tests.support.memory_keyring import install as install_memory_keyring  # noqa: E402

TODAY = date(2026, 11, 23)
SEARCHES = ["elodie", "nguyen", "martin", "AUDE-2025", "belgique", "infirmier", "lefevre", "zoe", "da silva", "roumanie"]


def run():
    install_memory_keyring()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile.isolated(Path(tmp) / "p")
        store = open_store(profile, database_key(profile))
        batch = []
        for r in generate_records(61_300, 0, seed=42, today=TODAY):
            if r.kind == "dossier":
                batch.append((r.kind, r.id, 1, json.loads(json.dumps(r.payload))))
            if len(batch) == 5000:
                with store.session() as s:
                    materialize.materialize(s, batch)
                batch = []
        with store.session() as s:
            materialize.materialize(s, batch)

        started = time.perf_counter()
        view = QueueView(store, "agent.occ", TODAY)
        view.resize(1280, 800)
        view.show()
        app.processEvents()
        first_paint = time.perf_counter() - started

        timings = []
        for text in SEARCHES * 3:
            started = time.perf_counter()
            view.search.setText(text)
            view.apply_filters()
            app.processEvents()
            timings.append(time.perf_counter() - started)
        view.search.setText("")
        filter_timings = []
        for box in (view.deadline_box, view.state_box, view.profession_box):
            for index in list(range(box.count())) * 3:
                started = time.perf_counter()
                box.setCurrentIndex(index)
                app.processEvents()
                filter_timings.append(time.perf_counter() - started)
            box.setCurrentIndex(0)
        started = time.perf_counter()
        view.model.sort(5, Qt.SortOrder.DescendingOrder)
        app.processEvents()
        sort_time = time.perf_counter() - started
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        view.close()
        store.close()
    p95 = statistics.quantiles(timings + filter_timings, n=20)[18]
    return [
        ("queue first paint, 61,300 dossiers", f"{first_paint * 1000:.0f} ms", "<= 300 ms"),
        ("search and filter changes, p95", f"{p95 * 1000:.0f} ms", "<= 50 ms"),
        ("sort by next legal date", f"{sort_time * 1000:.0f} ms", "<= 100 ms"),
        ("peak RSS of the process (includes building the data set)", f"{rss_mb:.0f} MB", "<= 300 MB"),
    ]


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
