"""Convention queue figures on the 150,000 demo conventions (DGOS scope): first paint, search and
filters, sort — the same targets as the dossier queue's."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from aude_desktop.conventions.views.space import ConventionQueueView  # noqa: E402
from aude_desktop.paths import Profile  # noqa: E402
from aude_desktop.store.database import open_store  # noqa: E402
from aude_desktop.store.keys import database_key  # noqa: E402
from bench import local_data, queue_figures  # noqa: E402
from tests.support.memory_keyring import install as install_memory_keyring  # noqa: E402

TODAY = date(2026, 11, 23)
SEARCHES = ["laboratoires", "optique", "martin", "EPS-2025", "leman", "10522", "helios", "nguyen", "santé vaucluse", "pharma"]


def run():
    install_memory_keyring()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile.isolated(Path(tmp) / "p")
        store = open_store(profile, database_key(profile))
        local_data.load(store, 0, 150_000, TODAY)

        view, paint = queue_figures.first_paint(app, lambda: ConventionQueueView(store, TODAY))
        p95 = queue_figures.filters_p95(app, view, SEARCHES, (view.deadline_box, view.state_box, view.regime_box))
        sort = queue_figures.sort_time(app, view, 5)
        view.close()
        store.close()
    return [
        ("convention queue first paint, 150,000 conventions", f"{paint * 1000:.0f} ms", "<= 300 ms"),
        ("search and filter changes, p95", f"{p95 * 1000:.0f} ms", "<= 50 ms"),
        ("sort by next legal date", f"{sort * 1000:.0f} ms", "<= 100 ms"),
    ]
