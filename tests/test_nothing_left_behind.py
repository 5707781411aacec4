"""Nothing left behind: the demo app, the demo server and the gallery remove their temporary
folders on exit, on SIGTERM and on Ctrl+C (SIGINT). Real child processes, each with a private
TMPDIR whose content is compared before and after."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aude_desktop.demo import free_port

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc of Linux")
SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]


def _env(tmpdir: Path) -> dict:
    env = dict(os.environ, TMPDIR=str(tmpdir), QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("AUDE_DB_PASSPHRASE", None)
    return env


def _wait_for(condition, timeout: float, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"{what}: the process ended early ({process.returncode}): {process.stdout.read()}")
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"{what}: not reached within {timeout} s")


def _log_says(tmpdir: Path, text: str) -> bool:
    return any(text in log.read_text(encoding="utf-8", errors="replace") for log in tmpdir.glob("aude-demo-server-*/server.log"))


def _stop(process: subprocess.Popen, signum: int) -> int:
    process.send_signal(signum)
    try:
        return process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running 90 s after signal {signum}")


@pytest.mark.parametrize("signum", SIGNALS)
def test_demo_server_removes_its_database_on_signal(tmp_path, signum):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "aude-central"), "serve", "--demo", "--port", str(port), "--dossiers", "60", "--conventions", "60"],
        env=_env(tmpdir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for(lambda: any(tmpdir.glob("aude-central-demo-*/demo.db")), 60, "demo database", process)
    import requests

    def ready() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/api/v1/meta", timeout=0.5).ok
        except requests.RequestException:
            return False

    _wait_for(ready, 90, "server answering", process)
    code = _stop(process, signum)
    assert code == 128 + signum, process.stdout.read()
    assert list(tmpdir.iterdir()) == []


@pytest.mark.parametrize("signum", SIGNALS)
def test_demo_app_removes_profile_server_and_logs_on_signal(tmp_path, signum):
    """Once the demo is up (server ready), a signal closes the app: its profile, the server's log
    folder and the server's database all go, and the server process is gone."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = subprocess.Popen([str(BIN / "aude-desktop"), "--demo", "--role", "agent_dreets"],
                               env=_env(tmpdir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for(lambda: _log_says(tmpdir, "Serveur prêt"), 180, "demo server ready", process)
    server_pids = _children(process.pid)
    assert server_pids, "the demo server runs as a child process"
    code = _stop(process, signum)
    assert code == 128 + signum, process.stdout.read()
    assert list(tmpdir.iterdir()) == []
    assert not [pid for pid in server_pids if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"]


def test_demo_app_signalled_while_the_server_is_still_seeding(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = subprocess.Popen([str(BIN / "aude-desktop"), "--demo", "--role", "dgos"],
                               env=_env(tmpdir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for(lambda: any(tmpdir.glob("aude-central-demo-*")), 120, "demo server started", process)
    code = _stop(process, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM, process.stdout.read()
    assert list(tmpdir.iterdir()) == []


def test_gallery_leaves_no_profile_behind(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = tmp_path / "shots"
    result = subprocess.run([sys.executable, "-m", "aude_desktop.ui.gallery", str(out), "--no-demo"],
                            env=_env(tmpdir), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert list(tmpdir.iterdir()) == []
    # `make screenshot` regenerates every image of the docs: these, and those of the demo server
    from aude_desktop.ui.gallery_demo import DEMO_SHOTS

    documented = {p.name for p in (Path(__file__).resolve().parents[1] / "docs" / "screenshots").glob("*.png")}
    assert {p.name for p in out.glob("*.png")} | set(DEMO_SHOTS) == documented


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_demo_server_stops_and_cleans_up_when_the_app_is_killed(tmp_path):
    """SIGKILL gives the app no chance to clean up; its demo server notices (its stdin closes),
    stops and removes its database rather than running on alone."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = subprocess.Popen([str(BIN / "aude-desktop"), "--demo", "--role", "ordre"],
                               env=_env(tmpdir), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_for(lambda: _log_says(tmpdir, "Serveur prêt"), 180, "demo server ready", process)
    servers = [pid for pid in _children(process.pid) if b"central_api" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert servers
    process.kill()
    process.wait()
    deadline = time.monotonic() + 60
    while any(tmpdir.glob("aude-central-demo-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(tmpdir.glob("aude-central-demo-*")), "the server's demo database outlived the app"
    while [pid for pid in servers if _state(pid) != "Z"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in servers if _state(pid) != "Z"], "the demo server outlived the app"
