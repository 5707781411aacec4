"""After the configured delay without input the window hides everything behind a password page;
activity postpones it; a wrong password keeps it locked; the right one restores the view as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

SECRET = "mot de passe de l'agent"


def test_idle_window_locks_and_only_the_password_unlocks(qtbot, window, tmp_path):
    window.unlock_secrets.remember(SECRET)
    window.go_to("conventions")
    dialog = QDialog(window)  # an open dialog would show personal data too
    dialog.setWindowTitle("Décision")
    dialog.show()
    window.inactivity.set_interval_ms(150)
    qtbot.waitUntil(window.is_locked, timeout=3000)
    assert not window.content.isVisible() and window.lock_page.isVisible() and not dialog.isVisible()
    assert not window.sync_action.isEnabled() and window.quit_action.isEnabled()
    assert "verrouillé après" in window.lock_page.explanation.text()
    window.grab().save(str(tmp_path / "lock.png"))

    password = window.lock_page.password
    qtbot.keyClicks(password, "pas le bon")
    qtbot.keyClick(password, Qt.Key.Key_Return)
    assert window.is_locked() and "incorrect" in window.lock_page.findChild(QLabel, "unlockError").text()
    assert password.text() == ""

    qtbot.keyClicks(password, SECRET)
    qtbot.keyClick(password, Qt.Key.Key_Return)
    assert not window.is_locked() and window.content.isVisible() and dialog.isVisible()
    assert window.current_space() == "conventions"  # back where the agent was


def test_activity_postpones_the_lock(qtbot, window):
    window.unlock_secrets.remember(SECRET)
    for key in ("conventions", "supervision", "sync"):  # built when first shown: not while timing the typing
        window.space(key)
    window.inactivity.set_interval_ms(400)
    for _ in range(8):  # 8 × 100 ms of typing: twice the delay, never idle for 400 ms
        qtbot.keyClick(window.navigation, Qt.Key.Key_Down)
        qtbot.wait(100)
        assert not window.is_locked()
    qtbot.waitUntil(window.is_locked, timeout=3000)


def test_without_a_known_secret_nothing_unlocks(qtbot, window):
    window.lock()
    assert window.unlock("") is False and window.unlock("n'importe quoi") is False and window.is_locked()
