"""Cold start: a bare PySide6 QMainWindow shown vs AUDE's main window on an existing profile whose
database key is in the keyring, shown with its first queue painted.

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


def time_start(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from exec to the child's `painted` line, and the CPU seconds of the whole child (less
    sensitive to the machine's load, but blind to what runs in parallel)."""
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(PROBE), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, cwd=ROOT)
    line = child.stdout.readline()
    elapsed = time.perf_counter() - started
    _out, err = child.communicate(timeout=120)
    if line.strip() != "painted" or child.returncode != 0:
        raise RuntimeError(f"{args[0]} start failed ({child.returncode}): {line}{err[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime


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
        app_args = ["app", str(Path(tmp) / "p")]
        kinds = {"bare": ["bare"], "floor": ["floor"], "app": app_args}
        for args in kinds.values():  # warm the OS file cache, compile the bytecode
            time_start(args, env)
        figures = {kind: [] for kind in kinds}
        for _ in range(runs):
            for kind, args in kinds.items():
                figures[kind].append(time_start(args, env))
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
    bare, floor, app = (statistics.median(t for t, _cpu in figures[k]) for k in ("bare", "floor", "app"))
    bare_cpu, app_cpu = (statistics.median(cpu for _t, cpu in figures[k]) for k in ("bare", "app"))
    key = "key from the keyring" if figures["mode"] == "keyring" else "passphrase (no Secret Service here)"
    volume = f"{DOSSIERS:,} dossiers + {CONVENTIONS:,} conventions"
    return [
        (f"bare PySide6 QMainWindow shown (median of {RUNS} fresh processes)", f"{bare * 1000:.0f} ms", "-"),
        (f"main window + first queue painted ({key}, {volume})", f"{app * 1000:.0f} ms", "-"),
        (f"cold start ratio, main window / bare window (same run, load {figures['load']:.1f})", f"{app / bare:.1f}×",
         f"<= {TARGET_RATIO:.0f}×"),
        ("floor: bare window after importing SQLAlchemy's ORM and the keyring's backends / bare window",
         f"{floor / bare:.1f}× ({floor * 1000:.0f} ms)", "-"),
        (f"CPU time of a start: bare {bare_cpu * 1000:.0f} ms, main window {app_cpu * 1000:.0f} ms", f"{app_cpu / bare_cpu:.1f}×", "-"),
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["--inner"]:
        print(json.dumps(measure(RUNS, None)))
    else:
        for row in run():
            print(*row, sep="  ")
