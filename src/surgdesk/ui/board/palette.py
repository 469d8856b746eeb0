"""Colours, patterns and status glyphs of the board.

Status is never shown by colour alone: every status has a glyph (drawn with the painter,
so it needs no icon font) and some a fill pattern. Colours are from the Okabe-Ito
palette, which stays distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen

from surgdesk.domain.enums import CaseStatus, Priority
from surgdesk.resources import load_palette


@dataclass(frozen=True, slots=True)
class StatusStyle:
    label: str
    fill: QColor
    border: QColor
    text: QColor
    pattern: Qt.BrushStyle | None  # drawn over the fill, never the only cue


_PALETTE = load_palette()
_PATTERNS: dict[str | None, Qt.BrushStyle | None] = {
    None: None,
    "bdiag": Qt.BrushStyle.BDiagPattern,
    "dense7": Qt.BrushStyle.Dense7Pattern,
    "diagcross": Qt.BrushStyle.DiagCrossPattern,
}


def _status_styles() -> dict[CaseStatus, StatusStyle]:
    """The board's status styles from resources/theme/palette.json, the one palette file
    (the installer's self-check and the icons use it too)."""
    status = _PALETTE["status"]
    return {
        s: StatusStyle(status[s.value]["label"], QColor(status[s.value]["fill"]),
                       QColor(status[s.value]["border"]), QColor(status[s.value]["text"]),
                       _PATTERNS[status[s.value].get("pattern")])
        for s in CaseStatus
    }


STATUS_STYLES: dict[CaseStatus, StatusStyle] = _status_styles()

EMERGENCY = QColor("#d55e00")  # vermillion: the one loud colour on the board
URGENT = QColor(_PALETTE["marks"]["urgent"]["fill"])  # reddish purple
WARNING_FILL = QColor("#f0e442")
WARNING_EDGE = QColor("#4d4600")
INVALID_GHOST = QColor(213, 94, 0, 110)
VALID_GHOST = QColor(0, 114, 178, 70)
TURNOVER = QColor(120, 120, 120, 60)
OUTSIDE_HOURS = QColor(0, 0, 0, 22)
CLOSED_ROOM = QColor(0, 0, 0, 45)
CLOSURE_HATCH = QColor(90, 90, 90, 120)
NOW_LINE = QColor("#d55e00")
FLASH = QColor(86, 180, 233, 150)  # sky blue: a bar someone else just changed
GRID_LINE = QColor(0, 0, 0, 30)
GRID_LINE_STRONG = QColor(0, 0, 0, 80)
HEADER_BG = QColor("#f4f5f7")
HEADER_TEXT = QColor("#202124")
ROW_ALT = QColor("#fafbfc")
ROW_BG = QColor("#ffffff")
SELECTION = QColor("#000000")
SUMMARY_FILL = QColor(255, 255, 255, 225)  # a room-day summary card, over the bands
SUMMARY_EDGE = QColor("#7a8594")
SUMMARY_SHARE = QColor("#0072b2")  # Okabe-Ito blue: the booked share strip


def style_for(status: CaseStatus) -> StatusStyle:
    return STATUS_STYLES[status]


def priority_colour(priority: Priority) -> QColor | None:
    if priority is Priority.EMERGENCY:
        return EMERGENCY
    if priority is Priority.URGENT:
        return URGENT
    return None


def draw_status_glyph(painter: QPainter, status: CaseStatus, box: QRectF,
                      colour: QColor) -> None:
    """A small shape per status, so status reads without colour (and in greyscale print)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    pen = QPen(colour, max(1.4, box.width() / 7))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    r = box.adjusted(box.width() * 0.12, box.height() * 0.12, -box.width() * 0.12,
                     -box.height() * 0.12)
    c = r.center()
    if status is CaseStatus.REQUESTED:  # hollow diamond: not placed yet
        path = QPainterPath(QPointF(c.x(), r.top()))
        path.lineTo(r.right(), c.y())
        path.lineTo(c.x(), r.bottom())
        path.lineTo(r.left(), c.y())
        path.closeSubpath()
        painter.drawPath(path)
    elif status is CaseStatus.SCHEDULED:  # clock face
        painter.drawEllipse(r)
        painter.drawLine(c, QPointF(c.x(), r.top() + r.height() * 0.22))
        painter.drawLine(c, QPointF(r.right() - r.width() * 0.25, c.y()))
    elif status is CaseStatus.PREOP_READY:  # tick
        path = QPainterPath(QPointF(r.left(), c.y()))
        path.lineTo(r.left() + r.width() * 0.38, r.bottom() - r.height() * 0.1)
        path.lineTo(r.right(), r.top() + r.height() * 0.1)
        painter.drawPath(path)
    elif status is CaseStatus.IN_PROGRESS:  # play triangle, filled
        path = QPainterPath(QPointF(r.left() + r.width() * 0.1, r.top()))
        path.lineTo(r.right(), c.y())
        path.lineTo(r.left() + r.width() * 0.1, r.bottom())
        path.closeSubpath()
        painter.setBrush(colour)
        painter.drawPath(path)
    elif status is CaseStatus.COMPLETED:  # filled square: done, stopped
        painter.setBrush(colour)
        painter.drawRect(r.adjusted(r.width() * 0.1, r.height() * 0.1, -r.width() * 0.1,
                                    -r.height() * 0.1))
    elif status is CaseStatus.POSTPONED:  # pause bars
        w = r.width() * 0.28
        painter.setBrush(colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRect(QRectF(r.left() + r.width() * 0.1, r.top(), w, r.height()))
        painter.drawRect(QRectF(r.right() - r.width() * 0.1 - w, r.top(), w, r.height()))
    else:  # cancelled: a cross
        painter.drawLine(r.topLeft(), r.bottomRight())
        painter.drawLine(r.topRight(), r.bottomLeft())
    painter.restore()


def draw_warning_mark(painter: QPainter, box: QRectF) -> None:
    """A yellow triangle with '!': a soft conflict (double booking, outside hours...)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    path = QPainterPath(QPointF(box.center().x(), box.top()))
    path.lineTo(box.right(), box.bottom())
    path.lineTo(box.left(), box.bottom())
    path.closeSubpath()
    painter.setPen(QPen(WARNING_EDGE, 1.2))
    painter.setBrush(QBrush(WARNING_FILL))
    painter.drawPath(path)
    mark = QPen(WARNING_EDGE, max(1.5, box.width() / 8))
    mark.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(mark)
    x = box.center().x()
    painter.drawLine(QPointF(x, box.top() + box.height() * 0.38),
                     QPointF(x, box.top() + box.height() * 0.66))
    painter.drawPoint(QPointF(x, box.top() + box.height() * 0.83))
    painter.restore()
