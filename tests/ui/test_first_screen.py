"""The first screen (ui/first_screen.py): the window as it was when it last closed, painted before
SQLAlchemy is loaded, then replaced by the main window on its store.

In-process: the first screen shows exactly what the main window's queue shows for the same day.
End to end, with the real `aude-desktop` in child processes: the window keeps its page as it closes
(here on SIGTERM, the session's logout), the next start paints it first without having imported
SQLAlchemy, then the main window goes live and the page is forgotten until the next close.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from aude_desktop.app import _keep_first_page, _kept_first_page, parse_args
from aude_desktop.auth.actor import remember_user
from aude_desktop.auth.session import UserInfo
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store import first_page
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync import materialize
from aude_desktop.ui.first_screen import OPENING, FirstScreen
from aude_desktop.ui.main_window import MainWindow
from aude_desktop.ui.serial_worker import serial_worker
from central_api.demo_data import generate_records

PASSPHRASE = "phrase de passe du premier écran"
PROBE = Path(__file__).resolve().parents[1] / "support" / "cold_start_probe.py"
BIN = Path(sys.executable).parent


def _profile(root: Path) -> Profile:
    """A synced regional profile whose user signed in once (passphrase: a child process cannot
    reach the tests' in-memory keyring; both keys open the file the same way)."""
    profile = Profile.isolated(root)
    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    records = [(r.kind, r.id, 1, json.loads(json.dumps(r.payload)))
               for r in generate_records(60, 0, seed=5, today=date.today()) if r.kind == "dossier"]
    with store.session() as s:
        materialize.materialize(s, records)
    remember_user(store, UserInfo("agent.occ", "Agent DREETS Occitanie", "agent_dreets", "OCC"))
    store.close()
    Settings(last_user="agent.occ").save(profile.settings_path)
    return profile


def _closed_window(profile: Profile, with_backup: bool = False) -> None:
    """The window kept its page as it closed (app._keep_first_page), after the day's backup if asked."""
    from PySide6.QtWidgets import QApplication

    from aude_desktop.store import backups

    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    if with_backup:
        backups.backup_daily(store, profile)
    window = MainWindow(store, Settings.load(profile.settings_path), profile)
    _keep_first_page(window, store)
    serial_worker().wait()
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    store.close()


def _cells(model, rows: int) -> list[list]:
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole,
             Qt.ItemDataRole.UserRole)
    return [[model.data(model.index(r, c), role) for c in range(model.columnCount()) for role in roles]
            for r in range(rows)]


def test_the_first_screen_shows_what_the_window_shows(qtbot, tmp_path):
    profile = _profile(tmp_path / "p")
    store = open_store(profile, database_key(profile, passphrase=PASSPHRASE))
    window = MainWindow(store, Settings.load(profile.settings_path), profile)
    qtbot.addWidget(window)
    _keep_first_page(window, store)
    serial_worker().wait()
    payload = first_page.read(profile.database_path, database_key(profile, passphrase=PASSPHRASE))
    assert payload is not None

    screen = FirstScreen(payload, "AUDE Desktop")
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)

    live = window.dossiers.queue
    frozen = screen.queue
    assert frozen.model.rowCount() == 60
    assert _cells(frozen.model, 60) == _cells(live.model, 60)
    assert [frozen.model.headerData(c, Qt.Orientation.Horizontal) for c in range(frozen.model.columnCount())] == \
           [live.model.headerData(c, Qt.Orientation.Horizontal) for c in range(live.model.columnCount())]
    assert frozen.count_label.text() == live.count_label.text() == "60 dossier(s)"
    assert [screen.navigation.item(i).text() for i in range(4)] == [window.navigation.item(i).text() for i in range(4)]
    assert [a.text() for a in screen.menuBar().actions()] == [a.text() for a in window.menuBar().actions()]
    assert screen.statusBar().currentMessage() == OPENING
    assert not frozen.search.isEnabled()  # typed text would be lost when the window replaces it
    store.close()


def test_a_page_kept_by_another_user_is_not_shown(tmp_path):
    profile = _profile(tmp_path / "p")
    key = database_key(profile, passphrase=PASSPHRASE)
    store = open_store(profile, key)
    first_page.keep(store, {"login": "agent.idf", "rows": [{"id": "x"}], "look": {}})
    store.close()
    args = parse_args(["--profile", str(tmp_path / "p")])

    assert _kept_first_page(profile, key, Settings(last_user="agent.occ"), args) is None
    assert _kept_first_page(profile, key, Settings(last_user="agent.idf"), args) is not None
    assert _kept_first_page(profile, None, Settings(last_user="agent.idf"), args) is None  # a question to ask first


def _env(profile: Profile) -> dict[str, str]:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", AUDE_DB_PASSPHRASE=PASSPHRASE)


def _wait_for_log(profile: Profile, text: str, process, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        logs = "".join(p.read_text(errors="replace") for p in profile.log_dir.glob("*.log*"))
        if text in logs:
            return
        assert process.poll() is None, process.stdout.read()
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"« {text} » never logged")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGTERM as a Linux session's logout sends it")
def test_the_window_keeps_its_page_at_close_and_the_next_start_paints_it_first(tmp_path):
    profile = _profile(tmp_path / "p")
    key = database_key(profile, passphrase=PASSPHRASE)
    assert first_page.read(profile.database_path, key) is None  # nothing kept yet: the usual start

    process = subprocess.Popen([str(BIN / "aude-desktop"), "--profile", str(tmp_path / "p")], env=_env(profile),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for_log(profile, "main window ready", process)
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 128 + signal.SIGTERM

    kept = first_page.read(profile.database_path, key)
    assert kept is not None and kept["login"] == "agent.occ" and len(kept["rows"]) == 60

    start = subprocess.run([sys.executable, str(PROBE), "app", str(tmp_path / "p")], capture_output=True, text=True,
                           env=_env(profile), timeout=180)
    assert start.returncode == 0, start.stderr[-3000:]
    lines = start.stdout.split()
    assert lines[0] == "painted" and lines[2] == "FirstScreen" and lines[3] == "live"
    assert float(lines[1]) <= float(lines[4])  # the kept page first, then the live window
    assert first_page.read(profile.database_path, key) is None  # opened: forgotten until the next close


def test_the_first_screen_is_painted_before_sqlalchemy_is_loaded(qtbot, tmp_path):
    profile = _profile(tmp_path / "p")
    _closed_window(profile)

    result = subprocess.run([sys.executable, str(PROBE), "app", str(tmp_path / "p"), "modules"],
                            capture_output=True, text=True, env=_env(profile), timeout=180)

    assert result.returncode == 0, result.stderr[-3000:]
    loaded = set(result.stdout.split())
    assert "aude_desktop.ui.first_screen" in loaded and "aude_desktop.ui.main_window" not in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in ("sqlalchemy", "alembic", "reportlab", "requests")
                   or m in ("aude_desktop.store.database", "aude_desktop.store.models", "aude_desktop.dossiers.queue"))
    assert heavy == []


DAMAGED_START = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from aude_desktop.app import main
from aude_desktop.ui.first_screen import FirstScreen

app = QApplication(sys.argv[:1])
seen = []

def click():
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        screens = [w for w in QApplication.topLevelWidgets() if isinstance(w, FirstScreen) and w.isVisible()]
        seen.append((box.windowTitle(), len(screens)))
        quit_button = next((b for b in box.buttons() if b.text() == "Quitter sans rien modifier"), None)
        (quit_button or box.buttons()[0]).click()
    QTimer.singleShot(50, click)

shown = []
original = FirstScreen.show
FirstScreen.show = lambda self: (shown.append(1), original(self))
QTimer.singleShot(50, click)
code = main(["--profile", sys.argv[1]])
print(code, len(shown), seen)
"""


def test_a_damaged_file_found_behind_the_first_screen_gets_the_usual_question(qtbot, tmp_path):
    """The kept page still reads, but the file is damaged elsewhere: the first screen goes away
    before the restore question, and « Quitter sans rien modifier » leaves the file as it was."""
    profile = _profile(tmp_path / "p")
    key = database_key(profile, passphrase=PASSPHRASE)
    _closed_window(profile, with_backup=True)
    data = bytearray(profile.database_path.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096
    data[middle + 64: middle + 512] = bytes(448)
    profile.database_path.write_bytes(bytes(data))
    assert first_page.read(profile.database_path, key) is not None  # the page itself still reads
    before = profile.database_path.read_bytes()

    result = subprocess.run([sys.executable, "-c", DAMAGED_START, str(tmp_path / "p")], capture_output=True,
                            text=True, env=_env(profile), timeout=180)

    assert result.returncode == 0, result.stderr[-3000:]
    code, shown, seen = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert (code, shown) == ("3", "1")  # refused (EXIT_REFUSED), after the first screen was shown
    assert seen == "[('Base locale endommagée', 0), ('Ouverture impossible', 0)]"
    assert profile.database_path.read_bytes() == before
