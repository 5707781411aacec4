"""What every dialog of the app shares: the inline error label, a labelled form row, French OK /
Annuler buttons, and a dialog that checks before closing and keeps what was typed."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("errorLabel")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.setAccessibleName("Message d’erreur")
    label.hide()
    return label


def form_row(form: QFormLayout, label: str, widget: QWidget, accessible: str) -> QWidget:
    widget.setAccessibleName(accessible)
    caption = QLabel(label)
    caption.setBuddy(widget)
    form.addRow(caption, widget)
    return widget


def dialog_buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class ValidatingDialog(QDialog):
    """Shows the French message of a failed check inline and stays open; nothing typed is lost."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.error = error_label()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def check(self) -> str | None:
        return None

    def accept(self) -> None:
        problem = self.check()
        if problem:
            self.show_error(problem)
            return
        super().accept()
