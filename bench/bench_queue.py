"""Dossier queue figures on the national data set (61,300 dossiers): first paint, search, sort, memory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from aude_desktop.dossiers.views.queue_view import QueueView  # noqa: E402
from aude_desktop.paths import Profile  # noqa: E402
from aude_desktop.store.database import open_store  # noqa: E402
from aude_desktop.store.keys import database_key  # noqa: E402
from bench import local_data, queue_figures  # noqa: E402
from tests.support.memory_keyring import install as install_memory_keyring  # noqa: E402

TODAY = date(2026, 11, 23)
SEARCHES = ["elodie", "nguyen", "martin", "AUDE-2025", "belgique", "infirmier", "lefevre", "zoe", "da silva", "roumanie"]


PASSPHRASE = "banc de mesure de la file"
# The app's side only: a fresh process opens the profile, shows the queue, scrolls through 2,000
# rows, searches, and reports its peak RSS (building the data set is not the app's memory).
CHILD = """
import os, sys
from datetime import date
from PySide6.QtWidgets import QApplication
from aude_desktop.dossiers.views.queue_view import QueueView
from aude_desktop.paths import Profile
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
app = QApplication([])
profile = Profile.isolated(sys.argv[1])
store = open_store(profile, database_key(profile, passphrase=sys.argv[2]))
view = QueueView(store, "agent.occ", date(2026, 11, 23))
view.resize(1280, 800)
view.show()
app.processEvents()
for _ in range(10):
    view.model.fetchMore()
    view.table.scrollToBottom()
    app.processEvents()
view.search.setText("martin")
view.apply_filters()
app.processEvents()
# VmHWM, not ru_maxrss: after fork and exec, Linux's ru_maxrss still counts the parent's size.
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(hwm.split()[1]) / 1024)
"""


def _app_rss(profile: Profile) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD, str(profile.data_dir.parent), PASSPHRASE],
                         capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run():
    install_memory_keyring()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        profile = Profile.isolated(Path(tmp) / "p")
        store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
        local_data.load(store, 61_300, 0, TODAY, kinds=("dossier",))

        view, paint = queue_figures.first_paint(app, lambda: QueueView(store, "agent.occ", TODAY))
        p95 = queue_figures.filters_p95(app, view, SEARCHES, (view.deadline_box, view.state_box, view.profession_box))
        sort = queue_figures.sort_time(app, view, 5)
        view.close()
        store.close()
        rss_mb = _app_rss(profile)
    return [
        ("queue first paint, 61,300 dossiers", f"{paint * 1000:.0f} ms", "<= 300 ms"),
        ("search and filter changes, p95", f"{p95 * 1000:.0f} ms", "<= 50 ms"),
        ("sort by next legal date", f"{sort * 1000:.0f} ms", "<= 100 ms"),
        ("peak RSS of an app process with the queue open and scrolled", f"{rss_mb:.0f} MB", "<= 300 MB"),
    ]


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
