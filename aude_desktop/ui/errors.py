"""Uncaught exceptions: logged (scrubbed) and shown in a French dialog, never a silent crash."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from aude_desktop.logging_setup import scrub

log = logging.getLogger("aude_desktop.crash")

ERROR_TITLE = "Erreur inattendue"
ERROR_TEXT = (
    "Une erreur inattendue s’est produite. Votre travail enregistré n’est pas perdu.\n\n"
    "Si le problème se répète, transmettez le journal à votre support informatique."
)


def error_box(details: str, log_dir: Path, parent=None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(ERROR_TITLE)
    box.setText(ERROR_TEXT)
    box.setInformativeText(f"Journal : {log_dir}")
    box.setDetailedText(scrub(details))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAccessibleName("Erreur inattendue")
    return box


def install_excepthook(log_dir: Path) -> None:
    shown: list[QMessageBox] = []

    def hook(kind, value, tb):
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("exception non interceptée\n%s", details)
        if QApplication.instance() is None:
            sys.__excepthook__(kind, value, tb)
            return
        box = error_box(details, log_dir, QApplication.activeWindow())
        shown.append(box)  # keep a reference while it is open
        box.finished.connect(lambda _r: shown.remove(box))
        box.open()

    sys.excepthook = hook
