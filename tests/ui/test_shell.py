"""The app shell: French main window, navigation, dialogs, error path."""

from __future__ import annotations

import json
import logging
import sys

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QMessageBox

from aude_desktop import __version__
from aude_desktop.settings import Settings
from aude_desktop.ui.dialogs import AboutDialog, LoginDialog, SettingsDialog
from aude_desktop.ui.main_window import MainWindow
from aude_desktop.ui.navigation import SPACES
from tests.support.jobs import settle


def type_text(qtbot, widget: QLineEdit, text: str) -> None:
    """Types through real key events; qtbot.keyClicks crashes on non-ASCII text such as "É"."""
    widget.setFocus()
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def test_main_window_is_french_and_navigates(qtbot, window):
    assert window.windowTitle() == "AUDE Desktop"
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["Fichier", "Affichage", "Synchronisation", "Aide"]
    assert [window.navigation.item(i).text() for i in range(4)] == [s.title for s in SPACES]
    assert window.connection_label.text() == "Hors ligne"
    assert window.pending_label.text() == "Modifications en attente : 0"
    assert window.last_sync_label.text() == "Dernière synchronisation : jamais"

    rect = window.navigation.visualItemRect(window.navigation.item(1))
    qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_space() == "conventions"
    for index, space in enumerate(SPACES, start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{index}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_space() == space.key
        assert window.navigation.currentRow() == index - 1


def test_sync_action_waits_for_sign_in(window):
    assert window.sync_action.shortcut().toString() == "F5"
    assert not window.sync_action.isEnabled()
    assert window.sync_action.toolTip() == "Connectez-vous pour synchroniser"


def test_demo_profile_is_labelled(qtbot, store, profile):
    w = MainWindow(store, Settings(), profile, demo=True)
    qtbot.addWidget(w)
    assert w.windowTitle() == "AUDE Desktop — profil de démonstration"


def test_settings_refuse_bad_url_in_french_then_save_good_one(qtbot, profile):
    dialog = SettingsDialog(Settings(), profile.settings_path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.server.clear()
    type_text(qtbot, dialog.server, "serveur.exemple.fr")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisible()
    assert "doit commencer par https://" in dialog.error.text()
    assert not profile.settings_path.exists()
    assert dialog.server.text() == "serveur.exemple.fr"  # what was typed is kept

    dialog.server.clear()
    type_text(qtbot, dialog.server, "http://aude.exemple.gouv.fr")  # in clear across the network: refused
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Connexion non chiffrée refusée" in dialog.error.text()
    assert not profile.settings_path.exists()

    dialog.server.clear()
    type_text(qtbot, dialog.server, "https://aude.exemple.gouv.fr")
    type_text(qtbot, dialog.proxy, "http://proxy.préfecture.fr:3128")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = json.loads(profile.settings_path.read_text(encoding="utf-8"))
    assert saved["server_url"] == "https://aude.exemple.gouv.fr"
    assert saved["http_proxy"] == "http://proxy.préfecture.fr:3128"


def test_settings_refuse_a_missing_ca_bundle(qtbot, profile, tmp_path):
    dialog = SettingsDialog(Settings(), profile.settings_path)
    qtbot.addWidget(dialog)
    dialog.ca_bundle.setText(str(tmp_path / "absent.pem"))
    dialog.accept()
    assert "introuvable" in dialog.error.text()


def test_login_dialog_validates_each_field(qtbot):
    dialog = LoginDialog("http://127.0.0.1:8765", "")
    qtbot.addWidget(dialog)
    dialog.accept()
    assert dialog.error.text() == "Saisissez votre identifiant."
    type_text(qtbot, dialog.user, "agent.occ")
    dialog.accept()
    assert dialog.error.text() == "Saisissez votre mot de passe."
    type_text(qtbot, dialog.password, "mot de passe é")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.values() == ("http://127.0.0.1:8765", "agent.occ", "mot de passe é")
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password


def test_about_box_shows_the_version(qtbot):
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert dialog.findChild(QLabel, "versionLabel").text() == f"Version {__version__}"
    assert dialog.windowTitle() == "À propos d’AUDE Desktop"


def test_uncaught_exception_shows_french_dialog_and_logs_without_personal_data(qtbot, profile):
    from aude_desktop.logging_setup import configure_logging
    from aude_desktop.ui.errors import install_excepthook

    log_file = configure_logging(profile.log_dir)
    previous = sys.excepthook
    install_excepthook(profile.log_dir)
    try:
        try:
            raise RuntimeError("échec en traitant elodie.nguyen@example.org, RPPS 10003456789")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        assert boxes, "no error dialog shown"
        box = boxes[-1]
        assert box.windowTitle() == "Erreur inattendue"
        assert "Une erreur inattendue s’est produite" in box.text()
        assert "elodie.nguyen@example.org" not in box.detailedText()
        box.done(0)
    finally:
        sys.excepthook = previous
        for handler in logging.getLogger().handlers:
            handler.flush()
    logged = log_file.read_text(encoding="utf-8")
    assert "RuntimeError" in logged
    assert "elodie.nguyen@example.org" not in logged and "10003456789" not in logged


def test_sign_in_from_the_window_enables_sync_and_syncs(qtbot, window, tmp_path):
    from datetime import date

    from central_api.seed import seed
    from tests.support.live_server import start

    server = start(f"sqlite:///{tmp_path / 'c.db'}")
    window.settings.retention_months = 120  # keep the seed's old closed dossiers: this test counts them all
    try:
        seed(server.engine, dossiers=60, conventions=60, seed_value=9, today=date(2026, 11, 23))
        with qtbot.waitSignal(window.sync_finished, timeout=60_000) as finished:
            window.sign_in(server.url, "agent.occ", "demo-agent-occ")
        assert finished.args == [True]
        assert window.sync_action.isEnabled()
        assert window.connection_label.text() == "En ligne"
        assert window.dossiers.queue.model.total > 0  # the queue shows the synced dossiers
        assert window.conventions.queue.model.total == 0  # an agent's scope has no convention
        overview = window.supervision  # built when first needed (cold start), it computes its figures then
        settle(qtbot)  # the overview's figures are computed off the GUI thread
        region = overview.figures.aude_by_region  # the overview follows the sync
        assert list(region) == ["OCC"] and region["OCC"].total == window.dossiers.queue.model.total
        assert window.settings.last_user == "agent.occ"
        assert window.logout_action.isEnabled()
        with qtbot.waitSignal(window.sign_out().finished, timeout=10_000):
            pass
        assert window.auth is None and not window.sync_action.isEnabled()
        from aude_desktop.auth.secrets import get_secret
        from aude_desktop.auth.session import refresh_entry

        assert get_secret(refresh_entry(server.url, "agent.occ")) is None  # wiped from the keyring
        assert window.dossiers.queue.model.total > 0  # the local data stays for the next sign-in
    finally:
        window.auto_sync.stop()
        server.stop()


def test_failed_sign_in_says_why_in_french(qtbot, window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: shown.append((title, text)))
    task = window.sign_in("http://127.0.0.1:9", "agent.occ", "x")  # nothing listens on port 9
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert task.isFinished() or task.wait(5000)
    assert shown[0][0] == "Connexion impossible"
    assert "Serveur injoignable" in shown[0][1]
    assert not window.sync_action.isEnabled()


def test_sign_in_without_keyring_keeps_nothing_and_says_so(qtbot, window, tmp_path, no_keyring):
    from datetime import date

    from central_api.seed import seed
    from tests.support.live_server import start

    server = start(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        seed(server.engine, dossiers=20, conventions=20, seed_value=9, today=date(2026, 11, 23))
        messages = []
        window.statusBar().messageChanged.connect(messages.append)
        with qtbot.waitSignal(window.sync_finished, timeout=60_000):
            window.sign_in(server.url, "agent.occ", "demo-agent-occ")
        assert any("Aucun trousseau sécurisé" in m for m in messages)
        assert type(window.auth.tokens).__name__ == "MemoryTokens"
    finally:
        window.auto_sync.stop()
        server.stop()
