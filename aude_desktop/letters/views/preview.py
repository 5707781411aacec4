"""A letter inside the app: every page, then save as or print (Qt's French dialogs)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


class LetterPreview(QDialog):
    def __init__(self, pdf: bytes, reference: str, note: str = "", parent=None):
        super().__init__(parent)
        self.pdf, self.reference = pdf, reference
        self.setWindowTitle(f"Courrier {reference}")
        self.setAccessibleName(f"Aperçu du courrier {reference}")
        self.resize(760, 900)
        self.buffer = QBuffer(self)
        self.buffer.setData(QByteArray(pdf))
        self.buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self.buffer)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Pages du courrier")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        save = QPushButton("&Enregistrer sous…")
        save.setAccessibleName("Enregistrer le courrier sous")
        save.clicked.connect(self.save_as)
        print_button = QPushButton("&Imprimer…")
        print_button.setAccessibleName("Imprimer le courrier")
        print_button.clicked.connect(self.print_letter)
        close = QPushButton("&Fermer")
        close.setAccessibleName("Fermer l’aperçu")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        for button in (save, print_button, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def pages(self) -> int:
        return self.document.pageCount()

    def save_as(self, path: str | None = None) -> str | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Enregistrer le courrier", f"{self.reference}.pdf", "PDF (*.pdf)")
        if path:
            with open(path, "wb") as handle:
                handle.write(self.pdf)  # the registered bytes, never a re-rendering
        return path or None

    def print_letter(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QDialog.DialogCode.Accepted:
            return
        painter = QPainter(printer)
        try:
            for page in range(self.document.pageCount()):
                if page:
                    printer.newPage()
                area = printer.pageLayout().paintRectPixels(printer.resolution())
                image = self.document.render(page, area.size())
                painter.drawImage(QRect(0, 0, area.width(), area.height()), image)
        finally:
            painter.end()
