"""The board legend (Help > Board legend): every status as the board paints it — fill,
pattern, border and the status glyph the text names — and the marks a bar can carry.

The swatches are painted with the board's own palette functions, so the legend cannot
drift from the bars (issue 13 item 7: the old legend's swatches were bare colour cells
while its text named glyphs).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import CaseStatus
from surgdesk.ui.board import palette

SWATCH = QSize(56, 24)

# What each status's glyph is, in words (the swatch beside it shows it).
GLYPH_WORDS: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "hollow diamond, dashed outline: waiting",
    CaseStatus.SCHEDULED: "clock: placed on the board",
    CaseStatus.PREOP_READY: "tick: pre-op checklist complete",
    CaseStatus.IN_PROGRESS: "play triangle, striped: under way",
    CaseStatus.COMPLETED: "filled square: done",
    CaseStatus.POSTPONED: "pause bars: postponed",
    CaseStatus.CANCELLED: "cross: cancelled",
}


def status_swatch(status: CaseStatus, size: QSize = SWATCH, ratio: float = 1.0) -> QPixmap:
    """A small bar in the status's fill, pattern and border, with its glyph."""
    style = palette.style_for(status)
    pixmap, painter, box = _canvas(size, ratio)
    painter.fillRect(box, style.fill)
    if style.pattern is not None:
        hatch = QColor(style.border)
        hatch.setAlpha(90)
        painter.fillRect(box, QBrush(hatch, style.pattern))
    pen = QPen(style.border, 1.3)
    if status is CaseStatus.REQUESTED:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
    glyph = box.height() - 8
    palette.draw_status_glyph(painter, status, QRectF(5, 4, glyph, glyph),
                              style.border.darker(130))
    painter.end()
    return pixmap


def mark_swatch(kind: str, size: QSize = SWATCH, ratio: float = 1.0) -> QPixmap:
    """A swatch for a mark: 'emergency', 'urgent', 'warning', 'turnover', 'continues'."""
    pixmap, painter, box = _canvas(size, ratio)
    style = palette.style_for(CaseStatus.SCHEDULED)
    if kind in ("emergency", "urgent"):
        colour = palette.EMERGENCY if kind == "emergency" else palette.URGENT
        painter.fillRect(box, style.fill)
        painter.fillRect(QRectF(0, 0, 5, box.height()), colour)
        painter.setPen(QPen(colour if kind == "emergency" else style.border,
                            2.5 if kind == "emergency" else 1.3))
        painter.drawRect(box.adjusted(1, 1, -1, -1))
    elif kind == "warning":
        painter.fillRect(box, style.fill)
        painter.setPen(QPen(style.border, 1.3))
        painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
        side = box.height() - 8
        palette.draw_warning_mark(painter, QRectF(box.right() - side - 5, 4, side, side))
    elif kind in ("equipment", "equipment_missing"):
        painter.fillRect(box, style.fill)
        painter.setPen(QPen(style.border, 1.3))
        painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
        marks = (("R", True), ("C", True)) if kind == "equipment" else (("C", False),)
        _draw_equipment_marks(painter, marks, box.right() - 5, box.center().y())
    elif kind == "turnover":
        strip = QRectF(0, box.height() * 0.2, box.width(), box.height() * 0.6)
        painter.fillRect(strip, palette.TURNOVER)
        painter.fillRect(strip, QBrush(palette.TURNOVER.darker(160), Qt.BrushStyle.FDiagPattern))
    else:  # continues: chevrons at both ends
        painter.fillRect(box, style.fill)
        painter.setPen(QPen(style.border, 2))
        mid, size_ = box.center().y(), 5.0
        painter.drawPolyline([QPointF(8 + size_, mid - size_), QPointF(8, mid),
                              QPointF(8 + size_, mid + size_)])
        right = box.right() - 8
        painter.drawPolyline([QPointF(right - size_, mid - size_), QPointF(right, mid),
                              QPointF(right - size_, mid + size_)])
    painter.end()
    return pixmap


def _draw_equipment_marks(painter: QPainter, marks: tuple[tuple[str, bool], ...],
                          right: float, middle: float) -> None:
    """The bar's equipment marks, drawn as the delegate draws them."""
    from surgdesk.ui.board.delegate import BarDelegate

    delegate = BarDelegate(ZoneInfo("UTC"))
    line = QRectF(0, middle - 8, right, 16)
    delegate.paint_equipment(painter, marks, right, line)


def _canvas(size: QSize, ratio: float) -> tuple[QPixmap, QPainter, QRectF]:
    pixmap = QPixmap(int(size.width() * ratio), int(size.height() * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    return pixmap, painter, QRectF(0, 0, size.width(), size.height())


MARKS: tuple[tuple[str, str], ...] = (
    ("emergency", "Emergency: vermillion band, thick border, EMERG badge"),
    ("urgent", "Urgent: reddish-purple band, URG badge"),
    ("warning", "Soft conflict (double booking, outside hours…): hover"),
    ("equipment", "Equipment the case holds: R robot, C C-arm, M microscope, L laser,\n"
                  "the kind's first letter otherwise (hover names the units)"),
    ("equipment_missing", "A unit the case needs is not allocated (red mark; the\n"
                          "equipment lanes' \"Not allocated\" row)"),
    ("turnover", "The room's turnover after a case (a unit's turnaround in equipment\n"
                 "lanes)"),
    ("continues", "Continues the day before or after; a tab alone at the\n"
                  "view's edge: a case outside the shown hours"),
)


class BoardLegend(QDialog):
    """The legend dialog. Object name ``boardLegend``; each swatch a QLabel named
    ``legendSwatch_<status or mark>``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boardLegend")
        self.setWindowTitle("Board legend")
        ratio = self.devicePixelRatioF()
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        row = 0
        for status in CaseStatus:
            self._row(grid, row, f"legendSwatch_{status.value}",
                      status_swatch(status, ratio=ratio),
                      f"<b>{palette.style_for(status).label}</b> — {GLYPH_WORDS[status]}")
            row += 1
        for kind, words in MARKS:
            self._row(grid, row, f"legendSwatch_{kind}", mark_swatch(kind, ratio=ratio), words)
            row += 1
        footer = QLabel("Week view, zoomed out: each room and day shows its number of cases, "
                        "the share of the room's hours they book, the first start, and the "
                        "warning mark if any case has a soft conflict. Zoom in for the bars. "
                        "View > Lanes groups the rows by surgeon, anesthetist or equipment "
                        "unit: there a bar's title starts with its room, cases overlapping "
                        "in a row (a double booking) stack one above the other, and a drag "
                        "changes the time only.")
        footer.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        footer.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(footer)
        layout.addWidget(buttons)

    @staticmethod
    def _row(grid: QGridLayout, row: int, name: str, pixmap: QPixmap, text: str) -> None:
        swatch = QLabel()
        swatch.setObjectName(name)
        swatch.setPixmap(pixmap)
        words = QLabel(text)
        grid.addWidget(swatch, row, 0)
        grid.addWidget(words, row, 1)
