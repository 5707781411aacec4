"""The screenshots that need the embedded demo server: the main window of each role after its
first sync (docs/GUIDE.md), the national-scale views (README), the Synchronisation page with a real
conflict and its dialog. Part of `make screenshot` (python -m aude_desktop.ui.gallery DIR).

Every profile is a throw-away folder (aude_desktop.scratch); the servers stop when this ends.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from aude_desktop.auth.session import AuthSession, MemoryTokens
from aude_desktop.demo import DEMO_ACCOUNTS, EmbeddedServer
from aude_desktop.paths import Profile
from aude_desktop.scratch import scratch_dir
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import database_key
from aude_desktop.sync.http import Transport
from aude_desktop.ui.main_window import MainWindow
from aude_desktop.ui.serial_worker import lookup_worker

GUIDE = (("agent_dreets", "guide-agent_dreets.png"), ("ordre", "guide-ordre.png"), ("dgos", "guide-dgos.png"))
NATIONAL = (("dgos", "supervision", "supervision-national.png"), ("agent_dreets", "dossiers", "dossier-queue-national.png"),
            ("ordre", "conventions", "convention-queue-national.png"))
CONFLICT = ("sync-page.png", "conflict-dialog.png")
DEMO_SHOTS = (*(name for _r, name in GUIDE), *CONFLICT, *(name for _r, _s, name in NATIONAL))


def _signed_in(server: EmbeddedServer, role: str):
    login, password = DEMO_ACCOUNTS[role]
    profile = Profile.isolated(scratch_dir("aude-gallery-demo-")).ensure()
    store = open_store(profile, database_key(profile, demo=True))
    auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), login, tokens=MemoryTokens())
    auth.sign_in(password)
    return profile, store, auth


def _synced_window(server: EmbeddedServer, role: str) -> MainWindow:
    """The main window as `aude-desktop --demo --role ROLE` shows it once the first sync is done."""
    profile, store, auth = _signed_in(server, role)
    window = MainWindow(store, Settings(), profile, demo=True)
    window.resize(1280, 800)
    window.show()
    loop = QEventLoop()
    window.sync_finished.connect(lambda _ok: loop.quit())
    QTimer.singleShot(900_000, loop.quit)
    window.attach_session(auth)
    window.sync_now()
    loop.exec()
    lookup_worker().wait()  # the overview's figures, computed off the GUI thread after the sync
    return window


def _save(widget: QWidget, path: Path) -> Path:
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    widget.grab().save(str(path))
    return path


def _conflict_shots(server: EmbeddedServer, folder: Path) -> list[Path]:
    """Two offline edits of one dossier by two laptops of the same agent: the second gets a conflict."""
    from sqlalchemy import select

    from aude_desktop.domain.commands import Actor
    from aude_desktop.dossiers.models import Dossier
    from aude_desktop.sync.engine import SyncEngine
    from aude_desktop.sync.local import run_command
    from aude_desktop.ui.sync_page import MERGED, SyncPage

    actor = Actor("agent.occ", "agent_dreets", "OCC")
    (_p1, first, auth1), (_p2, second, auth2) = _signed_in(server, "agent_dreets"), _signed_in(server, "agent_dreets")
    SyncEngine(first, auth1).run()
    SyncEngine(second, auth2).run()
    with first.session() as s:
        target = s.scalar(select(Dossier.id).where(Dossier.state == "complet").order_by(Dossier.reference).limit(1))
    run_command(first, actor, "dossier.update", {"id": target, "fields": {"specialty": "Urgences adultes",
                                                                          "applicant": {"city": "Albi"}}})
    run_command(second, actor, "dossier.update", {"id": target, "fields": {"specialty": "Pédiatrie",
                                                                           "applicant": {"city": "Rodez"}}})
    SyncEngine(first, auth1).run()
    SyncEngine(second, auth2).run()
    page = SyncPage(second)
    page.auth = auth2
    page.resize(1000, 400)
    page.table.selectRow(0)
    written = [_save(page, folder / CONFLICT[0])]
    dialog = page.resolve()
    diffs = [d.path for d in dialog.diffs]
    dialog.choices[diffs.index("specialty")].setCurrentText(MERGED)
    written.append(_save(dialog, folder / CONFLICT[1]))
    dialog.reject()
    first.close()
    return written


def render_demo(folder: Path, national: bool = True, report: Callable[[str], None] = print) -> list[Path]:
    written: list[Path] = []
    report("Serveur de démonstration (2 000 dossiers, 3 000 conventions)…")
    quick = EmbeddedServer.start("quick")
    try:
        for role, name in GUIDE:
            written.append(_save(_synced_window(quick, role), folder / name))
        written += _conflict_shots(quick, folder)
    finally:
        quick.stop()
    if not national:
        return written
    report("Serveur de démonstration à l’échelle nationale (61 300 dossiers, 150 000 conventions), quelques minutes…")
    server = EmbeddedServer.start("national", timeout=1200)
    try:
        for role, space, name in NATIONAL:
            window = _synced_window(server, role)
            window.go_to(space)
            written.append(_save(window, folder / name))
            window.hide()
    finally:
        server.stop()
    return written
