"""The main window: navigation between the four spaces, menus, and a status bar that tells the truth."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

from aude_desktop import APP_NAME
from aude_desktop.auth.actor import local_actor
from aude_desktop.auth.unlock import UnlockSecrets
from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import LocalStore, StoreStatus
from aude_desktop.ui.inactivity import InactivityWatch, LockPage
from aude_desktop.ui.navigation import (
    FILE_MENU,
    HELP_MENU,
    SPACES,
    SYNC_MENU,
    VIEW_MENU,
    beside_navigation,
    navigation_list,
)
from aude_desktop.ui.workers import Task
from aude_desktop.workspace import Workspace

if TYPE_CHECKING:  # imported where used: the first window shows one space (bench/bench_cold_start.py)
    from aude_desktop.conventions.views.space import ConventionsSpace
    from aude_desktop.dossiers.views.space import DossiersSpace
    from aude_desktop.supervision.views.overview_view import OverviewView
    from aude_desktop.sync.engine import SyncReport
    from aude_desktop.ui.dialogs import AboutDialog, LoginDialog, SettingsDialog
    from aude_desktop.ui.sync_page import SyncPage

DEMO_SUFFIX = " — profil de démonstration"
HOME_SPACE = {"agent_dreets": "dossiers", "ordre": "conventions", "ars": "conventions", "dgos": "supervision"}


def fr(number: int) -> str:
    """1 234 567, as French readers expect (QLocale's default is French, set at start-up)."""
    return QLocale().toString(number)


def format_last_sync(status: StoreStatus) -> str:
    if status.last_sync is None:
        return "Dernière synchronisation : jamais"
    local = status.last_sync.astimezone()
    return "Dernière synchronisation : " + QLocale().toString(local, "d MMMM yyyy 'à' HH:mm")


class MainWindow(QMainWindow):
    space_changed = Signal(str)
    sync_finished = Signal(bool)  # succeeded?

    def __init__(self, store: LocalStore, settings: Settings, profile: Profile, demo: bool = False):
        super().__init__()
        self.store = store
        self.settings = settings
        self.profile = profile
        self.demo = demo
        # fictitious data on a throw-away demo profile: no backup, no retention purge after a sync
        self.workspace = Workspace(store, profile, housekeeping=not demo)
        self.setWindowTitle(APP_NAME + (DEMO_SUFFIX if demo else ""))
        self.resize(1280, 800)
        self.auth = None
        self.sso_provider: str | None = None  # set when signed in through ProConnect / ProSanté Connect

        self.navigation = navigation_list()
        self.pages = QStackedWidget()
        self._stale: set[int] = set()  # spaces to refresh when next shown
        self.pages.setAccessibleName("Contenu")
        # A space is built when first shown (space()): until then its page is an empty placeholder,
        # so the first window imports and queries only what it shows.
        self._spaces: dict[str, QWidget] = {}
        for _space in SPACES:
            self.pages.addWidget(QWidget())
        self.navigation.currentRowChanged.connect(self._show_space)
        self.content = beside_navigation(self.navigation, self.pages)
        self.lock_page = LockPage()
        self.lock_page.unlock_requested.connect(self.unlock)
        self.lock_page.sso_requested.connect(self._unlock_with_sso)
        self.root = QStackedWidget()
        self.root.addWidget(self.content)
        self.root.addWidget(self.lock_page)
        self.setCentralWidget(self.root)
        self.unlock_secrets = UnlockSecrets()
        self._hidden_while_locked: list[QWidget] = []
        self._actions_before_lock: dict[QAction, bool] = {}
        self.inactivity = InactivityWatch(settings.inactivity_lock_minutes, self)
        self.inactivity.idle.connect(self.lock)

        self.sync_task: Task | None = None
        self.auto_sync = QTimer(self)
        self.auto_sync.timeout.connect(self.sync_now)
        self._build_menus()
        self._build_status_bar()
        self.navigation.setCurrentRow(0)
        self.refresh_status(pages=False)  # the space just built has loaded its queue

    # -- inactivity lock ------------------------------------------------------------------------

    def is_locked(self) -> bool:
        return self.root.currentWidget() is self.lock_page

    def lock(self) -> None:
        if self.is_locked():
            return
        for widget in QApplication.topLevelWidgets():  # open dialogs show personal data too
            if widget is not self and widget.isVisible() and isinstance(widget, QDialog):
                widget.hide()
                self._hidden_while_locked.append(widget)
        self._actions_before_lock = {a: a.isEnabled() for a in self.actions() if a is not self.quit_action}
        for action in self._actions_before_lock:
            action.setEnabled(False)
        self.menuBar().setEnabled(False)
        user = self.auth.user.display_name if self.auth is not None and self.auth.user is not None else ""
        from aude_desktop.auth.oidc import PROVIDERS

        self.lock_page.prepare(self.settings.inactivity_lock_minutes, f"Session de {user}. " if user else "",
                               PROVIDERS.get(self.sso_provider) if self.sso_provider else None)
        self.root.setCurrentWidget(self.lock_page)
        self.inactivity.pause()

    def unlock(self, secret: str) -> bool:
        if not self._secret_accepted(secret):
            self.lock_page.refuse("Mot de passe incorrect : la session reste verrouillée.")
            return False
        self._reveal()
        return True

    def _reveal(self) -> None:
        self.root.setCurrentWidget(self.content)
        self.menuBar().setEnabled(True)
        for action, enabled in self._actions_before_lock.items():
            action.setEnabled(enabled)
        for widget in self._hidden_while_locked:
            widget.show()
        self._hidden_while_locked.clear()
        self.inactivity.resume()

    def _unlock_with_sso(self, open_browser=None) -> Task:
        """Signed in through a provider: the provider checks who is back, in the browser."""
        from aude_desktop.auth import oidc
        from aude_desktop.auth.session import AuthSession, MemoryTokens

        probe = AuthSession(self.auth.transport, "", tokens=MemoryTokens())
        browser = open_browser or (lambda url: QDesktopServices.openUrl(QUrl(url)))
        task = Task(lambda _r: oidc.sign_in(probe, self.sso_provider, open_browser=browser), self)

        def done(user) -> None:
            if user.login == self.auth.login:
                self._reveal()
            else:
                self.lock_page.refuse("Ce n'est pas la personne de cette session : elle reste verrouillée.")

        task.succeeded.connect(done)
        task.failed.connect(self.lock_page.refuse)
        self.unlock_task = task
        task.start()
        return task

    def _secret_accepted(self, secret: str) -> bool:
        if not secret:
            return False
        if self.unlock_secrets.known:
            return self.unlock_secrets.matches(secret)
        if self.auth is None:
            return False  # nothing typed in this session to compare with: quit (Ctrl+Q) and start again
        # Signed in from a session kept in the keyring: the server checks the password.
        from aude_desktop.auth.session import AuthSession, MemoryTokens
        from aude_desktop.sync.http import ApiError

        try:
            AuthSession(self.auth.transport, self.auth.login, tokens=MemoryTokens()).sign_in(secret)
        except ApiError:
            return False
        self.unlock_secrets.remember(secret)
        return True

    def space(self, key: str) -> QWidget:
        """The page of a space, built (in place of its placeholder) the first time it is needed."""
        page = self._spaces.get(key)
        if page is None:
            index = [s.key for s in SPACES].index(key)
            page = self._spaces[key] = self._page(key)
            placeholder = self.pages.widget(index)
            shown = self.pages.currentIndex()
            self.pages.insertWidget(index, page)
            self.pages.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages.setCurrentIndex(shown)
        return page

    @property
    def dossiers(self) -> DossiersSpace:
        return self.space("dossiers")

    @property
    def conventions(self) -> ConventionsSpace:
        return self.space("conventions")

    @property
    def supervision(self) -> OverviewView:
        return self.space("supervision")

    @property
    def sync_page(self) -> SyncPage:
        return self.space("sync")

    def _page(self, key: str) -> QWidget:
        if key == "sync":
            from aude_desktop.ui.sync_page import SyncPage

            page = SyncPage(self.store)
            page.auth = self.auth
            page.changed.connect(self.refresh_status)
            return page
        if key == "dossiers":
            from aude_desktop.dossiers.views.space import DossiersSpace

            page = DossiersSpace(self.store, self.actor, self.settings.last_user, settings=lambda: self.settings,
                                 national=lambda: self.auth)
            page.changed.connect(lambda: self.refresh_status(pages=False))
            return page
        if key == "conventions":
            from aude_desktop.conventions.views.space import ConventionsSpace

            page = ConventionsSpace(self.store, self.actor, settings=lambda: self.settings)
            page.changed.connect(lambda: self.refresh_status(pages=False))
            return page
        from aude_desktop.supervision.views.overview_view import OverviewView

        page = OverviewView(self.store)
        page.open_queue.connect(self.drill_down)
        return page

    def drill_down(self, kind: str, field: str, key: str, deadline: str) -> None:
        """From a bar or a row of the overview to the same lazy queue, filtered (read-only for the DGOS)."""
        from aude_desktop.conventions import queue as convention_queue
        from aude_desktop.conventions.states import REGIME_LABELS
        from aude_desktop.dossiers import queue as dossier_queue
        from aude_desktop.rules.reference import authorities, professions, regions

        what = {"overdue": " — échéance dépassée", "soon": " — échéance sous 15 jours"}.get(deadline, "")
        names = {"region": regions(), "profession": professions(), "authority": authorities()}
        label = getattr(names.get(field, {}).get(key), "label", None) or str(REGIME_LABELS.get(key, key))
        if kind == "dossiers":
            self.dossiers.show_queue()
            self.dossiers.queue.show_saved(dossier_queue.SavedQueue(
                f"{label}{what}", dossier_queue.QueueFilter(deadline=deadline, **{field: key})))
        else:
            self.conventions.show_queue()
            self.conventions.queue.show_saved(convention_queue.SavedQueue(
                f"{label}{what}", convention_queue.ConventionFilter(deadline=deadline, **{field: key})))
        self.go_to(kind)

    def actor(self):
        """Who acts: the signed-in user, or offline the last user who signed in on this machine."""
        user = self.auth.user if self.auth is not None else None
        if user is not None:
            from aude_desktop.domain.commands import Actor

            return Actor(user.login, user.role, user.region, user.authority)
        return local_actor(self.store, self.settings.last_user)

    # -- navigation -----------------------------------------------------------------------------

    def _show_space(self, row: int) -> None:
        if row < 0:
            return
        self.space(SPACES[row].key)
        self.pages.setCurrentIndex(row)
        if row in self._stale:
            self._stale.discard(row)
            self.pages.widget(row).refresh()
        self.space_changed.emit(SPACES[row].key)

    def current_space(self) -> str:
        return SPACES[self.pages.currentIndex()].key

    def go_to(self, key: str, focus: bool = False) -> None:
        self.navigation.setCurrentRow([s.key for s in SPACES].index(key))
        if focus:  # from the keyboard (Ctrl+1…4): land in the space, ready for Ctrl+F or the arrows
            page = self.pages.currentWidget()
            queue = getattr(page, "queue", None)
            shown = page.currentWidget() if hasattr(page, "currentWidget") else page
            target = queue.table if queue is not None and shown is queue else shown
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- menus ----------------------------------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, name: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if name:
            action.setObjectName(name)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(FILE_MENU)
        self.login_action = self._action("Se &connecter…", self.open_login, name="loginAction")
        self.logout_action = self._action("Se &déconnecter", self.sign_out, name="logoutAction")
        self.logout_action.setEnabled(False)
        # Preferences has no standard key on Linux desktops: Ctrl+, everywhere, as on the others.
        self.settings_action = self._action("&Paramètres…", self.open_settings, "Ctrl+,", "settingsAction")
        self.quit_action = self._action("&Quitter", self.close, "Ctrl+Q", "quitAction")
        file_menu.addAction(self.login_action)
        file_menu.addAction(self.logout_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        view_menu = bar.addMenu(VIEW_MENU)
        for index, space in enumerate(SPACES, start=1):
            action = self._action(space.title, lambda _=False, k=space.key: self.go_to(k, focus=True), f"Ctrl+{index}", f"goto_{space.key}")
            view_menu.addAction(action)

        sync_menu = bar.addMenu(SYNC_MENU)
        self.sync_action = self._action("Synchroniser &maintenant", self.sync_now, "F5", "syncAction")
        self.sync_action.setEnabled(False)
        self.sync_action.setToolTip("Connectez-vous pour synchroniser")
        self.sync_action.setStatusTip("Connectez-vous pour synchroniser")
        sync_menu.addAction(self.sync_action)

        help_menu = bar.addMenu(HELP_MENU)
        self.about_action = self._action("À &propos d’AUDE Desktop", self.open_about, name="aboutAction")
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.connection_label = QLabel("Hors ligne")
        self.connection_label.setObjectName("connectionLabel")
        self.connection_label.setAccessibleName("État de la connexion")
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pendingLabel")
        self.pending_label.setAccessibleName("Modifications en attente")
        self.last_sync_label = QLabel()
        self.last_sync_label.setObjectName("lastSyncLabel")
        self.last_sync_label.setAccessibleName("Dernière synchronisation")
        self.sync_progress = QProgressBar()
        self.sync_progress.setObjectName("syncProgress")
        self.sync_progress.setAccessibleName("Progression de la synchronisation")
        self.sync_progress.setMaximumWidth(260)
        self.sync_progress.setRange(0, 0)
        self.sync_progress.setFormat("%v enregistrements")
        self.sync_progress.hide()
        bar.addPermanentWidget(self.sync_progress)
        for label in (self.connection_label, self.pending_label, self.last_sync_label):
            label.setContentsMargins(12, 0, 12, 0)
            bar.addPermanentWidget(label)

    def set_online(self, online: bool) -> None:
        # Text, not colour alone: the state must be readable by everyone.
        self.connection_label.setText("En ligne" if online else "Hors ligne")

    def refresh_status(self, pages: bool = True) -> None:
        status = self.store.status()
        pending = f"Modifications en attente : {status.pending}"
        if status.rejected:
            pending += f" · refusées : {status.rejected}"
        if status.conflicts:
            pending += f" · conflits : {status.conflicts}"
        self.pending_label.setText(pending)
        self.last_sync_label.setText(format_last_sync(status))
        if not pages:
            return
        for key, page in self._spaces.items():
            if key == "sync":  # a space not built yet loads its data when first shown
                continue
            if key == "supervision" or page is self.pages.currentWidget():
                page.refresh()  # the overview computes off the GUI thread
            else:
                # A national queue takes a few hundred milliseconds to count and page again: the
                # hidden ones are refreshed when shown, not all at once after each sync.
                page.refresh_permissions()
                self._stale.add([s.key for s in SPACES].index(key))

    # -- dialogs --------------------------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        from aude_desktop.ui.dialogs import SettingsDialog

        dialog = SettingsDialog(self.settings, self.profile.settings_path, self)
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        dialog.open()
        return dialog

    def _settings_saved(self, dialog: SettingsDialog) -> None:
        if dialog.saved is not None:
            self.settings = dialog.saved
            self.inactivity.set_minutes(self.settings.inactivity_lock_minutes)
            self.statusBar().showMessage("Paramètres enregistrés.", 4000)

    def open_login(self) -> LoginDialog:
        from aude_desktop.ui.dialogs import LoginDialog

        dialog = LoginDialog(self.settings.server_url, self.settings.last_user, self)

        def chosen() -> None:
            server, login, password = dialog.values()
            if dialog.provider:
                self.sign_in_oidc(server, dialog.provider)
            else:
                self.sign_in(server, login, password)

        dialog.accepted.connect(chosen)
        dialog.open()
        return dialog

    def sign_in(self, server_url: str, login: str, password: str) -> Task:
        """Sign in off the GUI thread; the refresh token goes to the OS keyring only."""
        return self._start_session(server_url, login, lambda auth: auth.sign_in(password), password)

    def sign_in_oidc(self, server_url: str, provider: str, open_browser=None) -> Task:
        """Single sign-on in the system browser (ProConnect, ProSanté Connect); see auth/oidc.py."""
        from aude_desktop.auth import oidc

        self.sso_provider = provider
        browser = open_browser or (lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.statusBar().showMessage(f"Connexion avec {oidc.PROVIDERS[provider]} dans votre navigateur…")
        return self._start_session(server_url, "", lambda auth: oidc.sign_in(auth, provider, open_browser=browser), "")

    def _start_session(self, server_url: str, login: str, how, password: str) -> Task:
        from dataclasses import replace

        from aude_desktop.auth.secrets import secure_keyring_available
        from aude_desktop.auth.session import AuthSession, KeyringTokens, MemoryTokens
        from aude_desktop.sync.http import Transport

        settings = replace(self.settings, server_url=server_url, last_user=login)
        keep = secure_keyring_available()
        auth = AuthSession(Transport.from_settings(settings), login, tokens=KeyringTokens() if keep else MemoryTokens())
        task = Task(lambda _report: how(auth), self)

        def done(_user) -> None:
            self.unlock_secrets.remember(password)
            self.settings = replace(settings, last_user=auth.login)
            try:
                self.settings.save(self.profile.settings_path)
            except (OSError, ValueError):
                pass  # remembering the server and login is a convenience, not a requirement
            message = f"Connecté en tant que {auth.user.display_name}."
            if not keep:
                message += " Aucun trousseau sécurisé : la session ne sera pas conservée, reconnectez-vous à chaque lancement."
            self.statusBar().showMessage(message, 15000)
            self.attach_session(auth)
            self.sync_now()

        def failed(message: str) -> None:
            QMessageBox.warning(self, "Connexion impossible", message)

        task.succeeded.connect(done)
        task.failed.connect(failed)
        self.sign_in_task = task
        if password:
            self.statusBar().showMessage("Connexion en cours…")
        task.start()
        return task

    def sign_out(self) -> Task | None:
        """Revoke the session on the server when reachable and wipe the token from the keyring; the
        local data stays (encrypted) for the next sign-in."""
        if self.auth is None:
            return None
        auth, self.auth = self.auth, None
        self.auto_sync.stop()
        self.sync_action.setEnabled(False)
        self.logout_action.setEnabled(False)
        if "sync" in self._spaces:
            self.sync_page.auth = None
        self.sso_provider = None
        task = Task(lambda _r: auth.sign_out(), self)
        task.finished.connect(lambda: self.statusBar().showMessage("Déconnecté : la session a été effacée de ce poste.", 10_000))
        self.sign_out_task = task
        task.start()
        self.set_online(False)
        return task

    def open_about(self) -> AboutDialog:
        from aude_desktop.ui.dialogs import AboutDialog

        dialog = AboutDialog(self)
        dialog.open()
        return dialog

    # -- sync -----------------------------------------------------------------------------------

    def attach_session(self, auth) -> None:
        """A signed-in session: sync becomes possible, now and every few minutes."""
        from aude_desktop.auth.actor import remember_user
        from aude_desktop.ui.serial_worker import french_message, serial_worker

        self.auth = auth
        if auth.user is not None:  # so this user can keep working offline (a write: on the serial worker)
            store, user = self.store, auth.user
            serial_worker().submit(lambda _progress: remember_user(store, user), owner=self,
                                   failed=lambda exc: self.statusBar().showMessage(french_message(exc), 15000))
        for key, page in self._spaces.items():  # a space built later reads the session then
            if key == "sync":
                page.auth = auth
            elif key != "supervision":
                page.refresh_permissions()
        self.sync_action.setEnabled(True)
        self.logout_action.setEnabled(True)
        self.sync_action.setToolTip("Synchroniser maintenant (F5)")
        self.sync_action.setStatusTip("Envoie vos modifications et reçoit celles du serveur")
        self.auto_sync.start(self.settings.auto_sync_minutes * 60_000)
        if auth.user is not None:  # open on the space of the user's work
            self.go_to(HOME_SPACE.get(auth.user.role, "dossiers"))

    def sync_now(self, full: bool = False) -> None:
        if self.auth is None or (self.sync_task is not None and self.sync_task.isRunning()):
            return
        auth, months = self.auth, self.settings.retention_months

        def work(report_progress) -> SyncReport:
            return self.workspace.sync(auth, retention_months=months, full=full,
                                       on_progress=lambda p: report_progress(p.phase, p.pages, p.records))

        self.sync_task = Task(work, self)
        self.sync_task.progress.connect(self._sync_progress)
        self.sync_task.succeeded.connect(self._sync_done)
        self.sync_task.failed.connect(self._sync_failed)
        self.sync_action.setEnabled(False)
        self.sync_progress.setValue(0)
        self.sync_progress.show()
        self.statusBar().showMessage("Synchronisation en cours…")
        self.sync_task.start()

    def _sync_progress(self, phase: str, pages: int, records: int) -> None:
        self.sync_progress.setRange(0, 0) if records == 0 else self.sync_progress.setRange(0, max(records, 1))
        self.sync_progress.setValue(records)
        self.statusBar().showMessage(f"Synchronisation — {phase} : {fr(records)} enregistrement(s), {pages} page(s)")

    def _sync_done(self, report: SyncReport) -> None:
        self.sync_progress.hide()
        self.sync_action.setEnabled(True)
        self.set_online(True)
        self.refresh_status()
        if "sync" in self._spaces:
            self.sync_page.refresh()
        if report.mismatch:
            self.offer_full_resync(report)
        if report.audit_alert:
            QMessageBox.warning(self, "Journal d'audit du serveur", report.audit_alert)
        self.statusBar().showMessage(
            f"Synchronisation terminée : {fr(report.pulled)} reçu(s), {report.applied} envoyé(s), "
            f"{report.rejected} refusé(s), {report.conflicts} conflit(s)." + "".join(f" {n}" for n in report.notices),
            20_000 if report.notices else 10_000)
        self.sync_finished.emit(True)

    def offer_full_resync(self, report: SyncReport) -> None:
        answer = QMessageBox.question(self, "Copie locale différente", report.warnings[-1] + "\n\nLancer la resynchronisation complète maintenant ?")
        if answer == QMessageBox.StandardButton.Yes:
            self.sync_now(full=True)

    def _sync_failed(self, message: str) -> None:
        self.sync_progress.hide()
        self.sync_action.setEnabled(True)
        self.set_online(False)
        self.refresh_status()
        self.statusBar().showMessage(f"Synchronisation impossible : {message}", 15_000)
        self.sync_finished.emit(False)
