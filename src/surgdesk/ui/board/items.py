"""Graphics items of the board: case bars, the drag ghost and the now-line.

A bar item holds its case and its shape in item coordinates and paints through the
delegate. While a bar is dragged only this item moves; the model is written on release and
the item is then re-read from the model (so a refused drop snaps back by itself).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QStyleOptionGraphicsItem, QWidget

from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board import palette
from surgdesk.ui.board.delegate import BarDelegate, BarShape
from surgdesk.ui.fonts import ui_font_family

BAR_Z = 10.0
DRAGGED_Z = 60.0
NOW_Z = 40.0
GHOST_Z = 80.0


class CaseBarItem(QGraphicsItem):
    def __init__(self, delegate: BarDelegate, case: CaseSummary, *, cached: bool = True) -> None:
        super().__init__()
        self.delegate = delegate
        self.case = case
        self.lane: str | None = None  # the key of the lane (row) the bar is in
        self.selected = False
        # 0..1: a highlight over the bar after someone else changed the case (it fades).
        self.flash_level = 0.0
        self.local_shape = BarShape(QRectF(0, 0, 1, 1), None)
        self._bounds = QRectF(0, 0, 1, 1)
        self.setZValue(BAR_Z)
        self.setAcceptHoverEvents(False)
        # Each bar is painted once into a pixmap and blitted afterwards: scrolling, a
        # full repaint and dragging (which only moves the item) then cost a copy, not a
        # re-layout of its text. update() and a new shape refresh the pixmap.
        # Printing and PDF export turn it off: there the bars stay vectors and text.
        if cached:
            self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def case_number(self) -> str:
        return self.case.case_number

    def set_case(self, case: CaseSummary) -> None:
        # The tooltip is built when asked for (BoardView.viewportEvent), not per item.
        self.case = case
        self.update()

    def set_flash(self, level: float) -> None:
        if level != self.flash_level:
            self.flash_level = level
            self.update()

    def set_scene_shape(self, shape: BarShape) -> None:
        """Place the item so its bar covers ``shape.bar`` (scene coordinates)."""
        origin = shape.bar.topLeft()
        bar = shape.bar.translated(-origin)
        turnover = shape.turnover.translated(-origin) if shape.turnover is not None else None
        self.prepareGeometryChange()
        self.local_shape = BarShape(bar, turnover, shape.clipped_start, shape.clipped_end,
                                    shape.edge)
        bounds = bar if turnover is None else bar.united(turnover)
        self._bounds = bounds.adjusted(-2, -2, 2, 2)
        self.setPos(origin)

    def set_local_bar(self, bar: QRectF) -> None:
        """Stretch while dragging: the bar's own rectangle changes, nothing else."""
        self.prepareGeometryChange()
        self.local_shape = BarShape(bar, None, self.local_shape.clipped_start,
                                    self.local_shape.clipped_end)
        self._bounds = bar.adjusted(-2, -2, 2, 2)

    def scene_bar(self) -> QRectF:
        return self.local_shape.bar.translated(self.pos())

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        self.delegate.paint(painter, self.local_shape, self.case, selected=self.selected, lod=lod)
        if self.flash_level > 0:
            colour = QColor(palette.FLASH)
            colour.setAlphaF(colour.alphaF() * self.flash_level)
            painter.setPen(QPen(colour.darker(130), 3))
            painter.setBrush(colour)
            painter.drawRect(self.local_shape.bar.adjusted(1, 1, -1, -1))


class GhostItem(QGraphicsItem):
    """Where a dragged case would land: blue when the drop is possible, red when not."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self.valid = True
        self.label = ""
        self.setZValue(GHOST_Z)
        self.setVisible(False)
        self._font = QFont(ui_font_family())
        self._font.setPixelSize(12)
        self._font.setBold(True)

    def show_at(self, rect: QRectF, *, valid: bool, label: str) -> None:
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QRectF(rect)
        if valid != self.valid or label != self.label:
            self.prepareGeometryChange()
            self.valid, self.label = valid, label
            self.update()
        self.setVisible(True)

    def _label_width(self) -> float:
        return QFontMetricsF(self._font).horizontalAdvance("✗ " + self.label) + 10

    def boundingRect(self) -> QRectF:
        # Room for the label above the ghost.
        spill = max(0.0, self._label_width() - self._rect.width()) + 2
        return self._rect.adjusted(-spill, -20, spill, 2)

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        colour = palette.VALID_GHOST if self.valid else palette.INVALID_GHOST
        painter.fillRect(self._rect, colour)
        edge = QColor(colour)
        edge.setAlpha(255)
        pen = QPen(edge, 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(self._rect.adjusted(1, 1, -1, -1))
        if not self.valid:
            painter.fillRect(self._rect, QBrush(edge, Qt.BrushStyle.DiagCrossPattern))
        if self.label:
            painter.setFont(self._font)
            width = self._label_width()
            left = self._rect.left()
            scene = self.scene()
            if scene is not None and left + width > scene.sceneRect().right():
                left = self._rect.right() - width  # keep the label on the board
            text_rect = QRectF(left, self._rect.top() - 19, width, 17)
            painter.fillRect(text_rect, QColor(255, 255, 255, 235))
            painter.setPen(edge.darker(140))
            painter.drawText(text_rect.adjusted(3, 0, 0, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             ("✗ " if not self.valid else "") + self.label)


class NowLineItem(QGraphicsLineItem):
    def __init__(self) -> None:
        super().__init__()
        pen = QPen(palette.NOW_LINE, 2)
        self.setPen(pen)
        self.setZValue(NOW_Z)

    def place(self, x: float | None, height: float) -> None:
        if x is None:
            self.setVisible(False)
            return
        self.setLine(x, 0, x, height)
        self.setVisible(True)


def item_at(items: list[Any], point: QPointF) -> CaseBarItem | None:
    """The top-most bar whose scheduled interval (not its turnover) holds ``point``."""
    for item in items:
        if isinstance(item, CaseBarItem) and item.scene_bar().contains(point):
            return item
    return None
