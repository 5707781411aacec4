"""The app follows the font size the user chose in the system (no fixed sizes in the interface)."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel

from aude_desktop.settings import Settings


def test_a_larger_system_font_makes_the_whole_interface_larger(qtbot, store, profile):
    from aude_desktop.ui.main_window import MainWindow

    app = QApplication.instance()
    before = app.font()
    large = QFont(before)
    large.setPointSizeF(20)
    app.setFont(large)
    try:
        window = MainWindow(store, Settings(), profile)
        qtbot.addWidget(window)
        window.show()
        assert window.navigation.font().pointSizeF() >= 20 * 1.15 - 0.01
        labels = [w for w in window.findChildren(QLabel) if w.isVisible() and w.text()]
        assert labels and min(w.font().pointSizeF() for w in labels) >= 20
        assert window.dossiers.queue.table.font().pointSizeF() >= 20
    finally:
        app.setFont(before)
