"""`aude-desktop`: the Qt entry point. Opens the encrypted profile, then the main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aude_desktop import APP_NAME, __version__
from aude_desktop.argparse_fr import french_parser
from aude_desktop.logging_setup import configure_logging
from aude_desktop.paths import Profile, resources_dir
from aude_desktop.settings import Settings
from aude_desktop.store.keys import (
    PASSPHRASE_ENV,
    KeyMissing,
    KeyringUnavailable,
    PassphraseRequired,
    StoreKeyError,
    WrongPassphrase,
    database_key,
    read_keyinfo,
)

if TYPE_CHECKING:  # SQLAlchemy is loaded after the first screen is painted (ui/first_screen.py)
    from aude_desktop.store.database import LocalStore

log = logging.getLogger(__name__)

ROLES = ("agent_dreets", "ordre", "ars", "dgos")
EXIT_NO_KEY = 2  # no keyring and no passphrase in an unattended run
EXIT_REFUSED = 3  # the data cannot be opened (key missing, corrupt): nothing was touched
EXIT_NO_DISPLAY = 4  # no display, or a system library Qt needs to open a window is missing
SCREENSHOT_SIZE = (1280, 800)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = french_parser(
        prog="aude-desktop",
        description=f"{APP_NAME} : instruction des autorisations d’exercice et des conventions d’avantages.",
    )
    parser.add_argument("--profile", metavar="DOSSIER", help="dossier de profil isolé (données, journaux, paramètres)")
    parser.add_argument("--version", action="store_true", help="affiche la version et quitte")
    parser.add_argument("--screenshot", metavar="PNG", help="affiche la fenêtre principale, l’enregistre en PNG et quitte")
    parser.add_argument("--demo", action="store_true", help="démonstration sur des données fictives")
    parser.add_argument("--role", choices=ROLES, help="rôle de démonstration (avec --demo)")
    parser.add_argument("--demo-scale", choices=("quick", "national"), default="quick",
                        help="volume de démonstration : rapide (2 000 dossiers, 3 000 conventions) ou national")
    return parser.parse_args(argv)


def boot_demo(role: str, scale: str):
    """Start the reference server on fictitious data and sign in as the role's demo user.

    Runs in a worker thread (it waits on a child process and the network). Tokens of the demo stay
    in memory: fictitious data, throw-away server.
    """
    from aude_desktop.auth.session import AuthSession, MemoryTokens
    from aude_desktop.demo import DEMO_ACCOUNTS, EmbeddedServer
    from aude_desktop.sync.http import Transport

    server = EmbeddedServer.start(scale)
    try:
        login, password = DEMO_ACCOUNTS[role]
        auth = AuthSession(Transport.from_settings(Settings(server_url=server.url)), login, tokens=MemoryTokens())
        auth.sign_in(password)
    except Exception:
        server.stop()
        raise
    return server, auth


def _ask_role() -> str | None:
    from PySide6.QtWidgets import QInputDialog

    from aude_desktop.demo import ROLE_LABELS

    labels = list(ROLE_LABELS.values())
    choice, ok = QInputDialog.getItem(
        None, "Démonstration", "Quel profil voulez-vous essayer ?", labels, 0, False
    )
    if not ok:
        return None
    return list(ROLE_LABELS)[labels.index(choice)]


def _resolve_key(profile: Profile, args: argparse.Namespace):
    """The database key, asking for a passphrase where no secure keyring exists.

    Returns None when the user cancels. Under --screenshot (unattended) nothing is asked: the
    passphrase must come from AUDE_DB_PASSPHRASE.
    """
    from aude_desktop.store.keys import NO_KEYRING_MESSAGE
    from aude_desktop.ui.dialogs import PassphraseDialog

    if args.demo:
        return database_key(profile, demo=True)
    try:
        return database_key(profile)  # keyring, or AUDE_DB_PASSPHRASE
    except (KeyringUnavailable, PassphraseRequired) as exc:
        info = read_keyinfo(profile)
        if args.screenshot or (info or {}).get("mode") == "keyring":
            raise  # unattended, or a keyring profile whose keyring is gone: never ask for a passphrase
        first_run = info is None
        message = NO_KEYRING_MESSAGE if first_run else str(exc)
    while True:
        dialog = PassphraseDialog(message, first_run)
        if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
            return None
        try:
            key = database_key(profile, passphrase=dialog.value())
            args.typed_secret = dialog.value()  # unlocks the window after inactivity (kept as a verifier)
            return key
        except PassphraseRequired as exc:  # too short on the first run
            message = str(exc)


def _open(profile: Profile, args: argparse.Namespace) -> LocalStore | None:
    from aude_desktop.store import backups
    from aude_desktop.ui.dialogs import PassphraseDialog

    key = _resolve_key(profile, args)
    if key is None:
        return None
    while True:
        try:
            return backups.open_or_restore(profile, key, lambda question: _confirm_restore(question, args))
        except WrongPassphrase as exc:
            if args.screenshot or os.environ.get(PASSPHRASE_ENV):
                raise
            dialog = PassphraseDialog(str(exc), first_run=False)
            if dialog.exec() != PassphraseDialog.DialogCode.Accepted:
                return None
            key = database_key(profile, passphrase=dialog.value())
            args.typed_secret = dialog.value()


def _key_without_asking(profile: Profile, args: argparse.Namespace):
    """The key of a profile that needs no question (in the keyring, or the passphrase in the
    environment), or None: the usual path (_open) then asks, or says what is wrong."""
    mode = (read_keyinfo(profile) or {}).get("mode")
    if args.demo or not (mode == "keyring" or (mode == "passphrase" and os.environ.get(PASSPHRASE_ENV))):
        return None
    try:
        return database_key(profile)
    except Exception:  # noqa: BLE001 — met again, and said, on the usual path
        return None


def _kept_first_page(profile: Profile, key, settings: Settings, args: argparse.Namespace) -> dict | None:
    """The first page the window kept as it last closed, if it is this user's (store/first_page.py)."""
    if key is None or args.screenshot or not settings.last_user:
        return None
    from aude_desktop.store import first_page

    payload = first_page.read(profile.database_path, key)
    return payload if payload and payload.get("login") == settings.last_user and payload.get("rows") else None


def _check_while_qt_loads(profile: Profile, key) -> Callable[[], bool | None]:
    """Checks the database's integrity in a thread while Qt loads and the first screen is painted:
    the check reads the whole file inside SQLite, outside the GIL, through the SQLCipher driver
    alone (store/raw.py), so the thread imports nothing that the main thread is importing. Returns
    a function giving True or False, or None when the check could not run."""
    if key is None:
        return lambda: None
    from aude_desktop.store import raw

    answer: list[bool | None] = []
    thread = threading.Thread(target=lambda: answer.append(raw.integrity_ok(profile.database_path, key)),
                              name="integrity-check", daemon=True)
    thread.start()

    def result() -> bool | None:
        thread.join()
        return answer[0] if answer else None

    return result


def _open_checked(profile: Profile, key, checked: Callable[[], bool | None]) -> LocalStore | None:
    """The store of a profile whose key came without asking and whose integrity was just checked
    sound; None otherwise: the usual path (_open) then meets the problem again, with its dialogs."""
    if key is None or checked() is not True:
        return None
    from aude_desktop.store.database import open_store

    try:
        return open_store(profile, key, integrity_checked=True)
    except Exception:  # noqa: BLE001 — met again, and said, on the usual path
        log.info("the profile did not open early: opening it the usual way")
        return None


def _keep_first_page(window, store):
    """What the next start paints first (ui/first_screen.py): the dossiers queue's first page, as the
    window shows it when it opens. Written on the serial worker after whatever the agent asked for
    (stop_workers waits for it); returns the job, or None when nobody signed in on this machine."""
    login = window.settings.last_user
    if not login:
        return None
    from aude_desktop.ui.serial_worker import serial_worker

    look = window.dossiers.queue.look()  # the widgets, read here on the GUI thread
    return serial_worker().submit(lambda _progress: _capture_first_page(store, login, look))


def _capture_first_page(store, login: str, look: dict) -> None:
    """Never in the way of closing: the next start then takes the usual path. Only the error's
    type is logged (a database error's text may quote the rows)."""
    from datetime import date

    from aude_desktop.casework.first_page import capture
    from aude_desktop.dossiers import queue
    from aude_desktop.store import first_page

    try:
        payload = capture(store, queue, queue.saved_queues(login)[0].filter, login, date.today(), look)
        if payload["rows"]:
            first_page.keep(store, payload)
    except Exception as exc:  # noqa: BLE001
        log.warning("first page not kept: %s", type(exc).__name__)


def _dismiss(screen) -> None:
    if screen is not None:
        screen.close()
        screen.deleteLater()


def _confirm_restore(question: str, args: argparse.Namespace) -> bool:
    """Restoring a backup is never done unasked; unattended runs (--screenshot) never restore."""
    if args.screenshot:
        return False
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Base locale endommagée", question)
    box.setAccessibleName("Base locale endommagée")
    restore = box.addButton("Restaurer et resynchroniser", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quitter sans rien modifier", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    return box.clickedButton() is restore


def _refuse(message: str, code: int, gui: bool) -> int:
    print(message, file=sys.stderr)
    if gui:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, "Ouverture impossible", message)
        box.setAccessibleName("Ouverture impossible")
        box.exec()
    return code


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.version:
        print(f"{APP_NAME} {__version__}")
        return 0
    from aude_desktop.display import problem

    cannot_show = problem()  # before Qt, which would abort in English on a missing xcb library
    if cannot_show:
        print(cannot_show, file=sys.stderr)
        return EXIT_NO_DISPLAY
    from aude_desktop import scratch

    if args.demo:
        # A demo without --profile lives in a throw-away folder, removed on exit, SIGTERM or Ctrl+C.
        root = Path(args.profile) if args.profile else scratch.scratch_dir("aude-demo-")
        profile = Profile.isolated(root).ensure()
        if profile.database_path.exists():
            profile.database_path.unlink()  # a demo profile holds fictitious data under a throw-away key
    else:
        profile = (Profile.isolated(args.profile) if args.profile else Profile.default()).ensure()
    log_file = configure_logging(profile.log_dir, logging.DEBUG if os.environ.get("AUDE_LOG_LEVEL") == "DEBUG" else logging.INFO)
    settings = Settings.load(profile.settings_path)
    key = _key_without_asking(profile, args)
    first = _kept_first_page(profile, key, settings, args)
    checked = _check_while_qt_loads(profile, key)

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from aude_desktop.ui.errors import install_excepthook
    from aude_desktop.ui.i18n import install_french
    from aude_desktop.ui.style import install_style

    # Windows' 125 % and 150 % displays: scale by the exact factor, not rounded to 100 or 200 %.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "aude-desktop.png")))
    install_french(app)
    install_style(app)
    install_excepthook(profile.log_dir)
    stopped_by = _quit_on_signals(app)
    screen = None
    if first is not None:
        from aude_desktop.ui.first_screen import FirstScreen

        screen = FirstScreen(first, APP_NAME)
        screen.show()
        app.processEvents()  # painted: the rest loads behind it
    app.setApplicationVersion(__version__)
    log.info("start %s %s (log %s)", APP_NAME, __version__, log_file.name)

    from aude_desktop.store.database import DatabaseCorrupt, StoreReadOnly
    from aude_desktop.ui.main_window import MainWindow

    gui_messages = not args.screenshot
    try:
        store = _open_checked(profile, key, checked)
        if store is None:
            _dismiss(screen)  # the usual path may ask or explain, in dialogs of its own
            screen = None
            store = _open(profile, args)
    except (KeyringUnavailable, PassphraseRequired) as exc:
        if (read_keyinfo(profile) or {}).get("mode") == "keyring":
            return _refuse(str(exc), EXIT_REFUSED, gui_messages)
        return _refuse(f"{exc}\nPour un lancement sans surveillance, définissez {PASSPHRASE_ENV}.", EXIT_NO_KEY, False)
    except (KeyMissing, WrongPassphrase, DatabaseCorrupt, StoreReadOnly, StoreKeyError) as exc:
        return _refuse(str(exc), EXIT_REFUSED, gui_messages)
    if store is None:
        return 1

    role = None
    if args.demo:
        role = args.role or ("dgos" if args.screenshot else _ask_role())
        if role is None:
            store.close()
            return 128 + stopped_by[0] if stopped_by else 1
        from aude_desktop.letters.samples import with_demo_letterhead

        settings = with_demo_letterhead(settings, role)  # fictitious service: the demo's letters can be issued
    window = MainWindow(store, settings, profile, demo=args.demo)
    window.unlock_secrets.remember(getattr(args, "typed_secret", "") or os.environ.get(PASSPHRASE_ENV, ""))
    if args.demo:
        _start_demo(app, window, role, args.demo_scale, unattended=bool(args.screenshot))
    if args.screenshot:
        return _screenshot(app, window, store, args)
    if screen is not None:  # the window takes the first screen's place
        window.setGeometry(screen.geometry())
        window.setWindowState(screen.windowState())
    window.show()
    _dismiss(screen)
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: log.info("main window ready"))  # for support: the start is over
    code = app.exec()
    from aude_desktop.ui.serial_worker import stop_workers

    if not args.demo:
        _keep_first_page(window, store)  # queued after what the agent asked for
    stop_workers()  # what the agent asked for (a batch of letters…) finishes before the store closes
    _finish_demo(window)  # also after a signal in a non-demo run: the sync thread is waited for
    from aude_desktop.sync.attachments import clear_viewing_folder

    clear_viewing_folder()  # copies of scans opened in the system viewer (also removed at exit)
    store.close()
    return 128 + stopped_by[0] if stopped_by else code


def _quit_on_signals(app) -> list[int]:
    """SIGTERM and Ctrl+C close the app like its window does (demo server stopped, throw-away folders
    removed). Python only sees a signal when it runs: a short timer gives it the hand while Qt's loop
    waits. Returns the list the signal number is put in."""
    from PySide6.QtCore import QTimer

    from aude_desktop.scratch import exit_on_signals

    received: list[int] = []

    def quit_app(signum: int) -> None:
        received.append(signum)
        app.quit()

    exit_on_signals(quit_app)
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(200)
    return received


def _finish_demo(window) -> None:
    """Stops the demo server (even while it is still starting) and waits for the threads that talk
    to it, so nothing is destroyed while it runs and the throw-away folders can go."""
    from aude_desktop.scratch import stop_children

    stop_children()  # a boot still waiting for the server, or a sync talking to it, ends at once
    for task in (getattr(window, "demo_boot", None), getattr(window, "sync_task", None)):
        if task is not None:
            task.wait(60_000)


def _start_demo(app, window, role: str, scale: str, *, unattended: bool = False) -> None:
    from PySide6.QtWidgets import QMessageBox

    from aude_desktop.ui.workers import Task

    window.statusBar().showMessage("Démarrage du serveur de démonstration…")
    window.sync_progress.show()
    boot = Task(lambda _report: boot_demo(role, scale), window)

    def ready(result) -> None:
        from aude_desktop.demo import DEMO_ACCOUNTS

        server, auth = result
        window.unlock_secrets.remember(DEMO_ACCOUNTS[role][1])
        app.aboutToQuit.connect(server.stop)
        window.demo_server = server
        window.attach_session(auth)
        window.sync_now()

    def failed(message: str) -> None:
        window.sync_progress.hide()
        window.demo_failure = message
        if unattended:  # a capture run has nobody to close a dialog: said on stderr, exit 1
            print(f"La démonstration n’a pas pu démarrer : {message}", file=sys.stderr)
            return
        QMessageBox.critical(window, "Démonstration", f"La démonstration n’a pas pu démarrer : {message}")

    boot.succeeded.connect(ready)
    boot.failed.connect(failed)
    window.demo_boot = boot
    boot.start()


def _screenshot(app, window, store, args) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    window.resize(*SCREENSHOT_SIZE)
    window.show()
    if args.demo:  # wait for the demo server and the first sync, so the capture shows real figures
        loop = QEventLoop()
        QTimer.singleShot(300_000, loop.quit)
        window.demo_boot.failed.connect(lambda _m: loop.quit())
        window.sync_finished.connect(lambda _ok: loop.quit())
        loop.exec()
    app.processEvents()
    if getattr(window, "demo_failure", None):
        store.close()
        return 1
    ok = window.grab().save(args.screenshot)
    _finish_demo(window)
    store.close()
    if not ok:
        print(f"Impossible d’enregistrer la capture {args.screenshot}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
