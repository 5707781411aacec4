"""« Découper un PDF… »: one scanned PDF holding several pièces, split onto the checklist. The pages are
shown as thumbnails so the agent sees which page is which; each pièce takes its pages as « 1-2, 4 ».
A refusal (pages outside the document, a page given twice…) is shown in the dialog, which stays open
with everything typed; nothing is written until the whole split is accepted (dossiers/scan_split.py),
and the split itself (reading, cutting and keeping the PDF) runs on the serial worker."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from aude_desktop.casework.views.dialogs import dialog_buttons, form_row
from aude_desktop.dossiers import scan_split
from aude_desktop.ui.worker_dialog import WorkerDialog

THUMBNAIL = QSize(120, 170)


class SplitScanDialog(WorkerDialog):
    def __init__(self, store, actor, dossier_id: str, checklist, path: Path, page_count: int, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.dossier_id, self.path = store, actor, dossier_id, Path(path)
        self.parts: list[scan_split.Part] = []
        self.setWindowTitle("Découper un PDF sur plusieurs pièces")
        self.setAccessibleName("Découper un PDF sur plusieurs pièces")
        intro = QLabel()
        intro.setTextFormat(Qt.TextFormat.PlainText)  # the file name is the user's, never markup
        intro.setWordWrap(True)
        intro.setText(f"« {self.path.name} » : {page_count} page(s). Indiquez pour chaque pièce ses pages, par exemple "
                      "« 1-2 » ou « 3, 5 ». Une page va à une seule pièce ; les pages indiquées nulle part ne sont pas "
                      "conservées (feuille de séparation, courrier d’accompagnement).")
        self.pages = self._thumbnails(page_count)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for line in checklist:
            edit = QLineEdit()
            edit.setPlaceholderText("pages")
            edit.setMaximumWidth(160)
            caption = f"{line.code} — {line.label}" + (" (déjà reçue : sera remplacée)" if line.sha256 else "")
            self.fields[line.code] = form_row(form, caption, edit, f"Pages de la pièce {line.code}")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.pages)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(dialog_buttons(self, "&Découper et joindre"))
        self.resize(780, 360 + 34 * len(checklist))

    def assignments(self) -> dict[str, str]:
        return {code: edit.text() for code, edit in self.fields.items()}

    def prepare(self):
        """The split (all or nothing) for the worker; a refusal keeps the dialog open with what was typed."""
        store, actor, dossier_id, path, assignments = self.store, self.actor, self.dossier_id, self.path, self.assignments()
        return lambda: scan_split.split_onto_pieces(store, actor, dossier_id, path, assignments)

    def applied(self, parts) -> None:
        self.parts = parts

    def _thumbnails(self, page_count: int) -> QListWidget:
        """The pages, small, numbered: rendered by Qt's PDF module (nothing leaves the laptop)."""
        from PySide6.QtPdf import QPdfDocument

        strip = QListWidget()
        strip.setAccessibleName("Pages du document")
        strip.setViewMode(QListView.ViewMode.IconMode)
        strip.setFlow(QListView.Flow.LeftToRight)
        strip.setWrapping(False)
        strip.setIconSize(THUMBNAIL)
        strip.setFixedHeight(THUMBNAIL.height() + 40)
        strip.setMovement(QListView.Movement.Static)
        document = QPdfDocument(strip)
        loaded = document.load(str(self.path)) == QPdfDocument.Error.None_
        for page in range(page_count):
            item = QListWidgetItem(f"Page {page + 1}")
            if loaded:
                size = document.pagePointSize(page)
                scale = min(THUMBNAIL.width() / max(size.width(), 1), THUMBNAIL.height() / max(size.height(), 1))
                image = document.render(page, QSize(round(size.width() * scale), round(size.height() * scale)))
                if not image.isNull():
                    item.setIcon(QIcon(_framed(image)))
            strip.addItem(item)
        document.close()
        return strip


def _framed(image: QImage) -> QPixmap:
    """A white page on a white list needs its edge drawn to be seen as a page."""
    pixmap = QPixmap.fromImage(image)
    painter = QPainter(pixmap)
    painter.setPen(QColor("#8a8a8a"))
    painter.drawRect(0, 0, pixmap.width() - 1, pixmap.height() - 1)
    painter.end()
    return pixmap
