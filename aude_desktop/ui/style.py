"""The application's style: the platform's own, plus a focus ring a keyboard user can see on buttons
and drop-down lists (Fusion draws none on them), in the palette's highlight colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle

RING_WIDTH = 2


class FocusRingStyle(QProxyStyle):
    def _ring(self, option, painter) -> None:
        if not option.state & QStyle.StateFlag.State_HasFocus:
            return
        painter.save()
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        pen = QPen(option.palette.highlight().color(), RING_WIDTH)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(option.rect.adjusted(1, 1, -1, -1), 3, 3)
        painter.restore()

    def drawControl(self, element, option, painter, widget=None) -> None:  # noqa: N802
        super().drawControl(element, option, painter, widget)
        if element == QStyle.ControlElement.CE_PushButton:
            self._ring(option, painter)

    def drawComplexControl(self, control, option, painter, widget=None) -> None:  # noqa: N802
        super().drawComplexControl(control, option, painter, widget)
        if control == QStyle.ComplexControl.CC_ComboBox:
            self._ring(option, painter)


def install_style(app: QApplication) -> None:
    if not isinstance(app.style(), FocusRingStyle):
        app.setStyle(FocusRingStyle(app.style().name()))
