"""Renders the shell's windows and dialogs to PNG files, for the docs and for review.

`python -m aude_desktop.ui.gallery DIR` (offscreen, a throw-away passphrase profile).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from aude_desktop.paths import Profile
from aude_desktop.settings import Settings
from aude_desktop.store.database import open_store
from aude_desktop.store.keys import NO_KEYRING_MESSAGE, database_key
from aude_desktop.ui.dialogs import AboutDialog, LoginDialog, PassphraseDialog, SettingsDialog
from aude_desktop.ui.errors import error_box
from aude_desktop.ui.i18n import install_french
from aude_desktop.ui.main_window import MainWindow


def render(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    install_french(app)
    profile = Profile.isolated(tempfile.mkdtemp(prefix="aude-gallery-")).ensure()
    store = open_store(profile, database_key(profile, passphrase="galerie de captures"))
    window = MainWindow(store, Settings(), profile)
    window.resize(1280, 800)
    settings = SettingsDialog(Settings(http_proxy="http://proxy.exemple.gouv.fr:3128"), profile.settings_path)
    settings.server.setText("serveur-sans-schema")
    settings.accept()  # shows the inline French error
    login = LoginDialog("https://aude.exemple.gouv.fr", "agent.occ")
    login.accept()
    shots = {
        "main-window.png": window,
        "settings-dialog.png": settings,
        "login-dialog.png": login,
        "passphrase-dialog.png": PassphraseDialog(NO_KEYRING_MESSAGE, first_run=True),
        "about-dialog.png": AboutDialog(),
        "error-dialog.png": error_box("Traceback (most recent call last):\n  …\nRuntimeError: exemple", profile.log_dir),
    }
    written = []
    for name, widget in shots.items():
        widget.show()
        app.processEvents()
        path = folder / name
        widget.grab().save(str(path))
        written.append(path)
        widget.hide()
    store.close()
    return written


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for path in render(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path)
