"""Cold start: a bare PySide6 QMainWindow shown vs AUDE on an existing profile whose database key is
in the keyring: (1) the first screen — the window's navigation and the first page of its queue, kept
in the encrypted database when the window last closed (store/first_page.py) — then the main window
live on its store; (2) a start with no kept page (the first after an upgrade, or after `aude-cli`
opened the store), straight to the main window with its first queue painted.

Each start is a fresh process timed from exec to its first paint (tests/support/cold_start_probe.py),
interpreter included; the two kinds alternate, after one unmeasured start of each (so both find the
files in the OS cache and their compiled bytecode, as an installed app does: a second launch, not a
reboot), and the median of each is reported with their ratio, measured in the same run so a loaded
machine weighs on both. The CPU time of each start is reported too: less sensitive to the load, but
blind to what the app does in parallel (it opens the profile in a thread while Qt loads).

The key comes from a real Secret Service (gnome-keyring in a private D-Bus session, never the
user's own); where it is not installed, from a passphrase in AUDE_DB_PASSPHRASE, and the figure
says so.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

RUNS = 7
TARGET_RATIO = 3.0
DOSSIERS, CONVENTIONS = 2_000, 3_000  # the quick demo's volume: a regional agent's copy
PASSPHRASE = "banc de mesure du démarrage"
ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "tests" / "support" / "cold_start_probe.py"
UNLOCK = 'echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"'


def make_profile(root: Path, passphrase: str | None = None, dossiers: int = DOSSIERS, conventions: int = CONVENTIONS):
    """An existing profile as a regional agent leaves it: synced data, the user remembered."""
    from aude_desktop.auth.actor import remember_user
    from aude_desktop.auth.session import UserInfo
    from aude_desktop.paths import Profile
    from aude_desktop.settings import Settings
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from bench import local_data

    profile = Profile.isolated(root).ensure()
    store = open_store(profile, database_key(profile, passphrase=passphrase))
    local_data.load(store, dossiers, conventions, date.today())
    remember_user(store, UserInfo("agent.occ", "Agent DREETS Occitanie", "agent_dreets", "OCC"))
    store.close()
    Settings(last_user="agent.occ").save(profile.settings_path)
    return profile


def keep_first_page(profile, passphrase: str | None = None) -> None:
    """As the window does when it closes (app._keep_first_page), through the window itself."""
    from PySide6.QtWidgets import QApplication

    from aude_desktop.app import _keep_first_page
    from aude_desktop.settings import Settings
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from aude_desktop.ui.main_window import MainWindow
    from aude_desktop.ui.serial_worker import serial_worker

    app = QApplication.instance() or QApplication([])
    store = open_store(profile, database_key(profile, passphrase=passphrase))
    window = MainWindow(store, Settings.load(profile.settings_path), profile)
    _keep_first_page(window, store)
    serial_worker().wait()
    window.close()
    window.deleteLater()
    app.processEvents()
    store.close()


def time_start(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Seconds from exec to the child's first queue with rows on screen and to its main window live
    (the same for the bare window), the CPU seconds of the whole child (less sensitive to the
    machine's load, but blind to what runs in parallel), and which window painted first."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    child = subprocess.Popen([sys.executable, str(PROBE), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, cwd=ROOT)
    out, err = child.communicate(timeout=120)
    lines = out.split()
    if child.returncode != 0 or not lines or lines[0] != "painted":
        raise RuntimeError(f"{args[0]} start failed ({child.returncode}): {out}{err[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if args[0] in ("bare", "floor"):
        return time.time() - started, 0.0, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime, "bare"
    painted, first_window, live = float(lines[1]) - started, lines[2], float(lines[4]) - started
    return painted, live, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime, first_window


def measure(runs: int, passphrase: str | None) -> dict:
    """Runs inside the session whose keyring holds the key (or with the passphrase in the env)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if passphrase:
        env["AUDE_DB_PASSPHRASE"] = passphrase
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "bytecode")  # compiled once, by the unmeasured starts
        profile = make_profile(Path(tmp) / "p", passphrase)
        mode = json.loads((profile.data_dir / "keyinfo.json").read_text())["mode"]
        plain = Path(tmp) / "plain"  # the same data, no page kept: the start after an upgrade
        shutil.copytree(profile.data_dir.parent, plain)
        keep_first_page(profile, passphrase)
        kept = Path(tmp) / "kept"  # every start opens the store, which forgets the page: put back each time
        shutil.copytree(profile.data_dir.parent, kept)
        kinds = {"bare": ["bare"], "floor": ["floor"], "first": ["app", str(profile.data_dir.parent)],
                 "plain": ["app", str(plain)]}

        def start(kind: str) -> tuple:
            if kind == "first":
                shutil.rmtree(profile.data_dir.parent)
                shutil.copytree(kept, profile.data_dir.parent)
            return time_start(kinds[kind], env)

        for kind in kinds:  # warm the OS file cache, compile the bytecode
            start(kind)
        figures = {kind: [] for kind in kinds}
        for _ in range(runs):
            for kind in kinds:
                figures[kind].append(start(kind))
    return {"mode": mode, "load": os.getloadavg()[0], **figures}


def _secret_service_env(tmp: str) -> dict[str, str]:
    # A private home: gnome-keyring's files and the D-Bus session never touch the user's own.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "PYTHON_KEYRING"))}
    return dict(env, HOME=tmp, XDG_RUNTIME_DIR=tmp, QT_QPA_PLATFORM="offscreen")


def run():
    if shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon"):
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o700)
            out = subprocess.run(
                ["dbus-run-session", "--", "sh", "-c", UNLOCK, "sh", sys.executable, "-m", "bench.bench_cold_start", "--inner"],
                capture_output=True, text=True, env=_secret_service_env(tmp), cwd=ROOT, timeout=1800)
            if out.returncode != 0:
                raise RuntimeError(out.stderr[-3000:])
            figures = json.loads(out.stdout.strip().splitlines()[-1])
    else:
        figures = measure(RUNS, PASSPHRASE)
    def median(kind: str, field: int = 0) -> float:
        return statistics.median(run[field] for run in figures[kind])

    bare, floor, first, live, plain = median("bare"), median("floor"), median("first"), median("first", 1), median("plain")
    windows = {run[3] for run in figures["first"]}
    if windows != {"FirstScreen"}:
        raise RuntimeError(f"the kept page was not painted first: {windows}")
    key = "key from the keyring" if figures["mode"] == "keyring" else "passphrase (no Secret Service here)"
    volume = f"{DOSSIERS:,} dossiers + {CONVENTIONS:,} conventions"
    return [
        (f"bare PySide6 QMainWindow shown (median of {RUNS} fresh processes)", f"{bare * 1000:.0f} ms", "-"),
        (f"first screen painted: navigation + first queue page kept at last close ({key}, {volume})",
         f"{first * 1000:.0f} ms", "-"),
        (f"cold start ratio, first screen / bare window (same run, load {figures['load']:.1f})", f"{first / bare:.1f}×",
         f"<= {TARGET_RATIO:.0f}×"),
        ("then the main window live on its store (first queue painted from SQL)", f"{live * 1000:.0f} ms ({live / bare:.1f}×)", "-"),
        ("start with no kept page (first after an upgrade or after aude-cli): main window + first queue",
         f"{plain * 1000:.0f} ms ({plain / bare:.1f}×)", "-"),
        ("floor of a live window: bare window after importing SQLAlchemy's ORM and the keyring's backends",
         f"{floor * 1000:.0f} ms ({floor / bare:.1f}×)", "-"),
        (f"CPU time of a start: bare {median('bare', 2) * 1000:.0f} ms, first screen then live {median('first', 2) * 1000:.0f} ms",
         f"{median('first', 2) / median('bare', 2):.1f}×", "-"),
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["--inner"]:
        print(json.dumps(measure(RUNS, None)))
    else:
        for row in run():
            print(*row, sep="  ")
