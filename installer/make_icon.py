"""Draws the application icon (resources/icons/aude-desktop.png and .ico) — run once, files committed."""

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addRoundedRect(QRectF(size * 0.04, size * 0.04, size * 0.92, size * 0.92), size * 0.18, size * 0.18)
    p.fillPath(path, QColor("#000091"))  # the State's blue
    p.fillRect(QRectF(size * 0.04, size * 0.72, size * 0.92, size * 0.06), QColor("#e1000f"))
    font = QFont("DejaVu Sans", int(size * 0.42))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(QRectF(0, size * 0.02, size, size * 0.72), Qt.AlignmentFlag.AlignCenter, "A")
    p.end()
    return image


if __name__ == "__main__":
    app = QGuiApplication([])
    ICONS.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(ICONS / "aude-desktop.png"))
    draw(256).save(str(ICONS / "aude-desktop.ico"))
    print("icons written to", ICONS)
