"""Inactivity lock: after the configured delay without keyboard or mouse use, the window hides its
content behind a page asking for the password again (personal data on an unattended screen)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
            QEvent.Type.TouchBegin}


PANEL_WIDTH = 560


class InactivityWatch(QObject):
    """Emits `idle` once the application has seen no input for `interval_ms`."""

    idle = Signal()

    def __init__(self, minutes: int, parent=None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        QApplication.instance().installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.set_interval_ms(minutes * 60_000)

    def set_interval_ms(self, ms: int) -> None:
        self.timer.setInterval(ms)
        self.timer.start()

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self.timer.start()

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


class LockPage(QWidget):
    unlock_requested = Signal(str)
    sso_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lockPage")
        self.setAccessibleName("Session verrouillée")
        title = QLabel("<h2>Session verrouillée</h2>")
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("unlockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Mot de passe de déverrouillage")
        self.password.setPlaceholderText("Mot de passe ou phrase de passe")
        self.password.returnPressed.connect(self._submit)
        button = QPushButton("&Déverrouiller")
        button.setObjectName("unlockButton")
        button.setAccessibleName("Déverrouiller")
        button.clicked.connect(self._submit)
        self.sso = QPushButton()
        self.sso.setObjectName("unlockSso")
        self.sso.setAccessibleName("Se reconnecter par le fournisseur d’identité")
        self.sso.clicked.connect(self.sso_requested)
        self.sso.hide()
        self.error = QLabel()
        self.error.setObjectName("unlockError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setAccessibleName("Erreur de déverrouillage")
        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(button)
        box = QVBoxLayout()
        for widget in (title, self.explanation):
            box.addWidget(widget)
        box.addLayout(row)
        box.addWidget(self.sso)
        box.addWidget(self.error)
        panel = QWidget()
        panel.setLayout(box)
        panel.setFixedWidth(PANEL_WIDTH)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def prepare(self, minutes: int, who: str, sso: str | None = None) -> None:
        """`sso`: the provider's name when the session came from single sign-on (no password here)."""
        if sso:
            self.sso.setText(f"Se reconnecter avec {sso}")
            self.sso.setAccessibleName(f"Se reconnecter avec {sso}")
        self.sso.setVisible(bool(sso))
        self.explanation.setText(
            f"AUDE Desktop a été verrouillé après {minutes} minute(s) sans activité, pour protéger les "
            f"données personnelles affichées. {who}Saisissez votre mot de passe (ou la phrase de passe de la "
            "base locale) pour reprendre là où vous en étiez ; rien n'a été perdu.")
        # The page was laid out hidden, before this text: give the wrapped label its full height.
        self.explanation.setMinimumHeight(self.explanation.heightForWidth(PANEL_WIDTH - 20))
        self.error.clear()
        self.password.clear()
        self.password.setFocus()

    def refuse(self, message: str) -> None:
        self.error.setText(message)
        self.password.clear()
        self.password.setFocus()

    def _submit(self) -> None:
        self.unlock_requested.emit(self.password.text())
