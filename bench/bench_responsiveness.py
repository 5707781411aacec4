"""Responsiveness: a 10 ms QTimer on the GUI thread records the event loop's gaps (time between two
ticks; 10 ms when nothing blocks) while the window (a) runs an initial sync of the DGOS scope,
(b) runs a 500-item bulk action, (c) issues a batch of 200 letters, (d) opens the national queue.

Each scenario goes through the window's own path (MainWindow.sync_now, the space's bulk runner on the
serial worker, a new queue view), offscreen. Target per scenario: p99 gap <= 50 ms, max <= 250 ms.
Scale: AUDE_BENCH_SCALE=national (61,300 dossiers + 150,000 conventions) or quick (the default here:
3,000 + 6,000, so `make bench` stays short); the figures say which ran, and the load average of
the machine before and after (other processes share the two cores).
"""

from __future__ import annotations

import collections
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = date(2026, 11, 23)
TARGET_P99, TARGET_MAX = 0.050, 0.250


class GapRecorder:
    """Ticks of a 10 ms timer of the GUI thread; a gap is the time between two ticks. A watch thread
    samples the GUI thread's stack while a tick is late (> 40 ms): `blame()` says where it was."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.last = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.gaps = []
        self.samples: collections.Counter[str] = collections.Counter()
        self.others: collections.Counter[str] = collections.Counter()
        self.last = time.perf_counter()
        self.timer.start()
        self.watching = True
        self.gui = threading.get_ident()
        self.watch = threading.Thread(target=self._watch, daemon=True)
        self.watch.start()

    def _watch(self) -> None:
        while self.watching:
            time.sleep(0.005)
            if time.perf_counter() - self.last > 0.040:
                frames = sys._current_frames()
                if self.gui in frames:
                    self.samples[_where(frames[self.gui])] += 1
                for ident, frame in frames.items():  # who else ran: the GUI thread may be waiting for the GIL
                    if ident not in (self.gui, threading.get_ident()):
                        self.others[f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno} {frame.f_code.co_name}"] += 1

    def stop(self) -> list[float]:
        self._tick()  # the stretch since the last tick counts too
        self.timer.stop()
        self.watching = False
        self.watch.join()
        return self.gaps

    def blame(self, name: str) -> None:
        """The GUI thread's busiest places while late (5 ms samples), on stderr."""
        for where, count in self.samples.most_common(4):
            print(f"  {name}: ~{count * 5} ms late in {where}", file=sys.stderr)
        for where, count in self.others.most_common(4):
            print(f"  {name}: meanwhile another thread in {where} ({count} samples)", file=sys.stderr)
        if self.gaps:
            worst = max(range(len(self.gaps)), key=self.gaps.__getitem__)
            print(f"  {name}: longest gap {self.gaps[worst] * 1000:.0f} ms, "
                  f"{sum(self.gaps[:worst]):.1f} s after the start", file=sys.stderr)


def _where(frame) -> str:
    """The innermost frames of the project's code (bench and test support aside)."""
    found = []
    while frame is not None and len(found) < 3:
        path = frame.f_code.co_filename
        if "/aude_desktop/" in path:
            found.append(f"{path.rsplit('/aude_desktop/', 1)[1]}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(found) or "Qt (no Python frame of the app)"


def wait_until(predicate, timeout: float = 900.0) -> None:
    """Run the event loop (the recorder's timer ticks meanwhile) until `predicate()`. One loop per
    wait, polled by a timer: not processEvents() in a Python loop, which PySide6 6.12 on Python 3.11
    pays with a reference to None per call (see the README's note)."""
    from PySide6.QtCore import QEventLoop, QTimer

    if predicate():
        return
    loop, poll = QEventLoop(), QTimer()
    deadline = time.monotonic() + timeout
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if predicate() or time.monotonic() > deadline else None)
    poll.start()
    loop.exec()
    poll.stop()
    if not predicate():
        raise TimeoutError("scenario did not finish")


def settle(seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() >= end)


def figures(name: str, gaps: list[float]) -> list[tuple[str, str, str]]:
    ordered = sorted(gaps)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    worst = ordered[-1]
    return [(f"{name}: GUI event loop gap p50 / p99 / max ({len(gaps):,} ticks)",
             f"{p50 * 1000:.0f} / {p99 * 1000:.0f} / {worst * 1000:.0f} ms",
             f"p99 <= {TARGET_P99 * 1000:.0f} ms, max <= {TARGET_MAX * 1000:.0f} ms")]


def _sync_and_queue(folder: Path, scale: str, recorder: GapRecorder) -> list[tuple[str, str, str]]:
    """(a) the DGOS's first sync from MainWindow (progress, status bar, pages refreshed after), then
    (d) the national queue opened in a new view on that copy."""
    from aude_desktop.auth.session import AuthSession, MemoryTokens
    from aude_desktop.dossiers.views.queue_view import QueueView
    from aude_desktop.paths import Profile
    from aude_desktop.settings import Settings
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from aude_desktop.sync.http import Transport
    from aude_desktop.ui.main_window import MainWindow
    from aude_desktop.ui.serial_worker import lookup_worker, serial_worker
    from bench.bench_sync import SCALES, _server_process
    from central_api.db import make_engine
    from central_api.migrate import upgrade
    from central_api.seed import seed

    dossiers, conventions = SCALES[scale]
    url = f"sqlite:///{folder / 'central.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine, dossiers=dossiers, conventions=conventions, seed_value=42, today=TODAY)
    engine.dispose()
    rows = []
    with _server_process(url) as server_url:
        profile = Profile.isolated(folder / "dgos")
        store = open_store(profile, database_key(profile))
        settings = Settings(server_url=server_url)
        window = MainWindow(store, settings, profile)
        window.show()
        auth = AuthSession(Transport.from_settings(settings), "dgos", tokens=MemoryTokens())
        auth.sign_in("demo-dgos")
        finished: list[bool] = []
        window.sync_finished.connect(finished.append)
        settle(0.3)
        recorder.start()
        started = time.perf_counter()
        window.attach_session(auth)
        window.sync_now()
        wait_until(lambda: bool(finished))
        print(f"  (a): sync done {time.perf_counter() - started:.1f} s after the start", file=sys.stderr)
        settle(0.3)  # what the window does right after (pages refreshed, status bar)
        gaps = recorder.stop()
        pulled = window.pending_label.text()  # keeps the window alive to here
        assert finished == [True], pulled
        with store.session() as s:
            held = [s.connection().exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() for table in ("dossiers", "conventions")]
        recorder.blame("(a)")
        rows += figures(f"(a) initial sync, DGOS scope, {scale} scale, from the window ({held[0]:,} dossiers + "
                        f"{held[1]:,} conventions kept after the retention purge)", gaps)

        settle(0.3)
        recorder.start()
        view = QueueView(store, "dgos", TODAY)
        view.resize(1280, 800)
        view.show()
        settle(0.5)  # first page painted, headers sized
        gaps = recorder.stop()
        recorder.blame("(d)")
        rows += figures(f"(d) opening the national queue ({view.model.total:,} dossiers)", gaps)
        view.close()
        window.auto_sync.stop()  # no sync of this window during the next scenarios
        window.close()
        for worker in (serial_worker(), lookup_worker()):
            worker.wait()  # the overview's figures, still computing, before the store closes
        store.close()
    return rows


def _bulk_and_letters(folder: Path, recorder: GapRecorder) -> list[tuple[str, str, str]]:
    """(b) 500 dossiers assigned, (c) 200 acknowledgements issued, from the Dossiers space's runner
    (progress dialog, serial worker, per-item report, queue refreshed), as the menu would after its dialog."""
    from aude_desktop.auth.actor import remember_user
    from aude_desktop.auth.session import UserInfo
    from aude_desktop.domain.commands import Actor
    from aude_desktop.dossiers import bulk
    from aude_desktop.dossiers.views.space import DossiersSpace
    from aude_desktop.letters.samples import sample_settings
    from aude_desktop.paths import Profile
    from aude_desktop.store.database import open_store
    from aude_desktop.store.keys import database_key
    from aude_desktop.sync import materialize
    from aude_desktop.ui.serial_worker import serial_worker
    from aude_desktop.workspace import Workspace
    from bench.bench_letters import _received_dossiers
    from bench.local_data import load

    profile = Profile.isolated(folder / "agent")
    store = open_store(profile, database_key(profile))
    load(store, 3_000, 0, TODAY, kinds=("dossier",))
    records = _received_dossiers(700)
    for _kind, _id, _version, payload in records:
        payload["region"] = "OCC"  # the agent's region: every item may be acted on
    with store.session() as s:
        materialize.materialize(s, records)
    actor = Actor("agent", "agent_dreets", "OCC")
    remember_user(store, UserInfo("agent", "Julien PETIT", "agent_dreets", "OCC"))
    space = DossiersSpace(store, lambda: actor, "agent", TODAY, settings=sample_settings)
    space.resize(1280, 800)
    space.show()
    settle(0.5)
    rows = []
    ids, workspace, settings = [r[1] for r in records], Workspace(store), sample_settings()
    scenarios = (
        ("(b) bulk action on 500 dossiers (attribution)",
         lambda p, chosen=ids[:500]: bulk.assign(store, actor, chosen, "agent", on_progress=p), 500),
        ("(c) batch of 200 letters (accusés de réception)",
         lambda p, chosen=ids[500:700]: workspace.issue_letters(
             actor, settings, "aude", "accuse_reception", chosen, TODAY, on_progress=p, confirm_late=True), 200),
    )
    for name, work, expected in scenarios:
        space.last_report = None
        recorder.start()
        space._run(name, work)
        wait_until(lambda: space.last_report is not None)
        settle(0.3)  # the report dialog and the refreshed queue painted
        gaps = recorder.stop()
        assert space.last_report.succeeded == expected, space.last_report.summary()
        recorder.blame(name[:3])
        rows += figures(name, gaps)
    space.close()
    serial_worker().wait()
    store.close()
    return rows


def run():
    from PySide6.QtWidgets import QApplication

    from aude_desktop.ui.i18n import install_french
    from tests.support.memory_keyring import install as install_memory_keyring

    install_memory_keyring()
    app = QApplication.instance() or QApplication([])
    install_french(app)
    scale = os.environ.get("AUDE_BENCH_SCALE", "quick")
    load_before = os.getloadavg()[0]
    recorder = GapRecorder()
    with tempfile.TemporaryDirectory() as tmp:
        rows = _sync_and_queue(Path(tmp), scale, recorder) + _bulk_and_letters(Path(tmp), recorder)
    load_after = os.getloadavg()[0]
    rows.append((f"machine load average (1 min) before / after, {os.cpu_count()} CPUs",
                 f"{load_before:.1f} / {load_after:.1f}", "-"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
