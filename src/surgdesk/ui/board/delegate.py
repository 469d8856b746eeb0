"""The bar delegate: paints a case and says what a mouse position over it means.

The view, the drag ghost and the offscreen export all paint through ``BarDelegate.paint``,
so a printed board looks exactly like the screen. The hit test is KDGantt's: a 5 px zone at
either end of the bar stretches that end; anywhere else moves the whole bar.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from surgdesk.domain.conflicts import EQUIPMENT_MISSING
from surgdesk.domain.enums import Priority
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board import palette
from surgdesk.ui.board.grid import DragMode
from surgdesk.ui.board.lanes import equipment_marks
from surgdesk.ui.board.model import laterality_suffix, patient_label
from surgdesk.ui.board.textlayout import (
    BODY_LINE_H,
    EQUIP_W,
    GLYPH_W,
    MARK_GAP,
    TITLE_LINE_H,
    BarContent,
    BarText,
    BarTextLayouts,
    Font,
    Metrics,
    TextLine,
)
from surgdesk.ui.fonts import ui_font_family

EDGE_PX = 5.0  # the stretch zone at each end of a bar
MIN_STRETCH_BAR = 3 * EDGE_PX  # narrower bars only move (a stretch zone would eat them)
EDGE_MARK_W = 18.0  # the marker of a case outside the shown hours

CONFLICT_TEXT = {
    "outside_hours": "outside the room's hours",
    "specialty": "specialty not among the room's tags",
    "surgeon_double_booked": "lead surgeon booked in another room at the same time",
    "anesthetist_double_booked": "anesthetist booked in another room at the same time",
    "team_double_booked": "a team member is booked in another room at the same time",
    "patient_double_booked": "the same patient has an overlapping case",
    EQUIPMENT_MISSING: "a unit the case needs is not allocated",
}
EQUIPMENT_MISSING_FILL = QColor("#d55e00")  # vermillion, as emergencies: act on it
EQUIPMENT_MARK_FILL = QColor(255, 255, 255, 230)
EQUIPMENT_MARK_TEXT = QColor("#1a1a1a")


class BarShape(NamedTuple):
    """Where a case sits, in the painter's coordinates (a tuple: made per bar per layout)."""

    bar: QRectF  # the scheduled interval (what ``visualRect`` reports)
    turnover: QRectF | None  # the room's turnover after the case
    clipped_start: bool = False  # the case began before the visible window (e.g. yesterday)
    clipped_end: bool = False  # ...or goes on after it
    # Wholly outside the shown hours: an edge marker (-1 at the left edge, 1 at the right).
    edge: int = 0


# Elided texts kept per delegate. A week of 12 rooms is about 1,500 (title and body lines
# at one zoom); every day brings new cases and times, so the cache is bounded by count,
# not by day: at ~350 bytes an entry it is ~1.4 MB at most (the old cap of 50,000 let a
# wall running for weeks creep up by ~17 MB before it was cleared).
ELIDE_CACHE_SIZE = 4096


class BarDelegate:
    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.title_font = QFont(ui_font_family())
        self.title_font.setPixelSize(13)
        self.title_font.setBold(True)
        self.body_font = QFont(ui_font_family())
        self.body_font.setPixelSize(12)
        self.badge_font = QFont(ui_font_family())
        self.badge_font.setPixelSize(10)
        self.badge_font.setBold(True)
        self._title_metrics = QFontMetricsF(self.title_font)
        self._body_metrics = QFontMetricsF(self.body_font)
        self._badge_metrics = QFontMetricsF(self.badge_font)
        self._elided: dict[tuple[str, int, bool], str] = {}
        # Lanes other than rooms: the room code leads the bar's title (the row no longer
        # says which room the case is in).
        self.room_first = False
        self.mark_font = QFont(ui_font_family())
        self.mark_font.setPixelSize(10)
        self.mark_font.setBold(True)
        self.layouts = BarTextLayouts(Metrics(self._title_metrics, self._body_metrics,
                                              self._badge_metrics))

    # -- hit testing ------------------------------------------------------------------

    def hit_test(self, bar: QRectF, pos: QPointF, *, clipped_start: bool = False,
                 clipped_end: bool = False) -> DragMode:
        """Move or stretch, for a position in the same coordinates as ``bar``."""
        if not bar.adjusted(-1, 0, 1, 0).contains(pos):
            return DragMode.NONE
        if bar.width() >= MIN_STRETCH_BAR:
            if not clipped_end and pos.x() >= bar.right() - EDGE_PX:
                return DragMode.STRETCH_END
            if not clipped_start and pos.x() <= bar.left() + EDGE_PX:
                return DragMode.STRETCH_START
        return DragMode.MOVE

    # -- text ---------------------------------------------------------------------------

    def times(self, case: CaseSummary) -> str:
        if case.scheduled_start is None or case.scheduled_end is None:
            return "unscheduled"
        start = case.scheduled_start.astimezone(self.tz)
        end = case.scheduled_end.astimezone(self.tz)
        day_mark = "" if start.date() == end.date() else f" (+{(end.date() - start.date()).days}d)"
        return f"{start:%H:%M}–{end:%H:%M}{day_mark}"

    def title(self, case: CaseSummary) -> str:
        return f"{case.procedure_name}{laterality_suffix(case)}"

    def tooltip(self, case: CaseSummary, room_code: str | None = None) -> str:
        style = palette.style_for(case.status)
        lines = [
            f"<b>{html.escape(self.title(case))}</b> — {html.escape(case.case_number)}",
            f"{style.label} · {case.priority.value}"
            + (" — <b>EMERGENCY</b>" if case.priority is Priority.EMERGENCY else ""),
            f"{html.escape(room_code or case.room_code or '')} {self.times(case)} "
            f"({case.estimated_duration_min} min estimated)",
            f"Surgeon: {html.escape(case.lead_surgeon_name)}",
            f"Anesthetist: {html.escape(case.anesthetist_name or '—')}",
            f"Patient: {html.escape(patient_label(case))}",
            f"Checklist: {case.checklist_done}/{case.checklist_total} required items done",
        ]
        if case.equipment:
            units = ", ".join(f"{e.kind}: {e.unit}" if e.unit else f"{e.kind}: NOT ALLOCATED"
                              for e in case.equipment)
            lines.append(f"Equipment: {html.escape(units)}")
        lines += [f"⚠ {html.escape(CONFLICT_TEXT.get(code, code))}" for code in case.conflicts]
        return "<br>".join(lines)

    def _elide(self, text: str, width: float, *, title: bool) -> str:
        key = (text, int(width), title)
        cached = self._elided.get(key)
        if cached is None:
            metrics = self._title_metrics if title else self._body_metrics
            cached = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width))
            if len(self._elided) >= ELIDE_CACHE_SIZE:
                # Oldest first out (dicts keep insertion order): the texts on screen now
                # were added last.
                del self._elided[next(iter(self._elided))]
            self._elided[key] = cached
        return cached

    # -- painting -----------------------------------------------------------------------

    def paint(self, painter: QPainter, shape: BarShape, case: CaseSummary, *,
              selected: bool = False, lod: float = 1.0) -> None:
        style = palette.style_for(case.status)
        bar = shape.bar
        if shape.edge:
            self._paint_edge_marker(painter, shape, case, style)
            return
        if shape.turnover is not None and shape.turnover.width() >= 1:
            painter.fillRect(shape.turnover, palette.TURNOVER)
            painter.fillRect(shape.turnover, QBrush(palette.TURNOVER.darker(160),
                                                    Qt.BrushStyle.FDiagPattern))
        wide = bar.width() * lod
        painter.setPen(Qt.PenStyle.NoPen)
        painter.fillRect(bar, style.fill)
        if style.pattern is not None:
            hatch = QColor(style.border)
            hatch.setAlpha(90)
            painter.fillRect(bar, QBrush(hatch, style.pattern))
        urgency = palette.priority_colour(case.priority)
        band = _band(case, wide)
        if urgency is not None and band:
            painter.fillRect(QRectF(bar.left(), bar.top(), min(band, bar.width()),
                                    bar.height()), urgency)
        # The outline: dashed for a case still requested, thick vermillion for emergencies.
        if selected:
            pen = QPen(palette.SELECTION, 3)
        elif case.priority is Priority.EMERGENCY:
            pen = QPen(palette.EMERGENCY, 2.5)
        else:
            pen = QPen(style.border, 1.3)
        if case.status.value == "requested":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bar.adjusted(0.5, 0.5, -0.5, -0.5))
        if shape.clipped_start or shape.clipped_end:
            self._paint_continuations(painter, shape, style.border)
        if wide < 10 or bar.height() < 12:
            return
        self._paint_content(painter, self.text_area(case, bar), case, style, wide)

    def _paint_continuations(self, painter: QPainter, shape: BarShape, colour: QColor) -> None:
        """Chevrons at a clipped end: the case continues on the previous or next day."""
        bar = shape.bar
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(colour, 2))
        mid = bar.center().y()
        size = min(6.0, bar.height() / 4)
        if shape.clipped_start:
            x = bar.left() + 3
            painter.drawPolyline([QPointF(x + size, mid - size), QPointF(x, mid),
                                  QPointF(x + size, mid + size)])
        if shape.clipped_end:
            x = bar.right() - 3
            painter.drawPolyline([QPointF(x - size, mid - size), QPointF(x, mid),
                                  QPointF(x - size, mid + size)])
        painter.restore()

    def content(self, case: CaseSummary) -> BarContent:
        """The case's texts and marks as the text layout reads them."""
        badge = {Priority.EMERGENCY: "EMERG", Priority.URGENT: "URG"}.get(case.priority, "")
        # The missing unit has its own red mark: the warning is for the other conflicts.
        warning = any(code != EQUIPMENT_MISSING for code in case.conflicts) or (
            bool(case.conflicts) and not case.equipment)
        return BarContent(self.title(case), case.lead_surgeon_name, self.times(case),
                          patient_label(case), f"☑ {case.checklist_done}/{case.checklist_total}",
                          badge, warning, equipment_marks(case),
                          (case.room_code or "") if self.room_first else "")

    def text_area(self, case: CaseSummary, bar: QRectF) -> QRectF:
        """Where a bar's text goes: inside its border, right of the priority band."""
        return bar.adjusted(_band(case, bar.width()) + 3, 2, -3, -2)

    def bar_text(self, case: CaseSummary, shape: BarShape) -> BarText:
        """How the bar lays out its text at its current size (cached per content and size)."""
        if shape.edge:
            return BarText((), "")
        area = self.text_area(case, shape.bar)
        return self.layouts.get(self.content(case), area.width(), area.height())

    def _paint_content(self, painter: QPainter, area: QRectF, case: CaseSummary,
                       style: palette.StatusStyle, wide: float) -> None:
        text = self.layouts.get(self.content(case), area.width(), area.height())
        y = area.top()
        for i, line in enumerate(text.lines):
            height = TITLE_LINE_H if i == 0 else BODY_LINE_H
            self._paint_line(painter, QRectF(area.left(), y, area.width(), height), line,
                             case, style)
            y += height

    def _paint_line(self, painter: QPainter, rect: QRectF, line: TextLine, case: CaseSummary,
                    style: palette.StatusStyle) -> None:
        x, right = rect.left(), rect.right()
        glyph = min(GLYPH_W, rect.height() - 2)
        mark_top = rect.top() + (rect.height() - glyph) / 2
        if line.glyph:
            palette.draw_status_glyph(painter, case.status, QRectF(x, mark_top, glyph, glyph),
                                      style.border.darker(130))
            x += GLYPH_W + MARK_GAP
        if line.room:
            painter.setPen(style.text)
            painter.setFont(self.title_font)
            painter.drawText(QRectF(x, rect.top(), max(0.0, right - x), rect.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             line.room)
            x += self._title_metrics.horizontalAdvance(line.room) + MARK_GAP + 2
        if line.warning:
            palette.draw_warning_mark(painter, QRectF(right - glyph, mark_top, glyph, glyph))
            right -= GLYPH_W + MARK_GAP - 1
        if line.equipment:
            right -= self.paint_equipment(painter, line.equipment, right, rect)
        if line.badge:
            right -= self._paint_badge(painter, line.badge, case, right, rect.top() + 1)
        painter.setPen(style.text)
        font = self.title_font if line.font is Font.TITLE else self.body_font
        painter.setFont(font)
        if line.right_text:
            painter.drawText(QRectF(x, rect.top(), right - x, rect.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             line.right_text)
            right -= self._body_metrics.horizontalAdvance(line.right_text) + 8
        if line.text:
            painter.drawText(QRectF(x, rect.top(), max(0.0, right - x), rect.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             line.text)

    def paint_equipment(self, painter: QPainter, marks: tuple[tuple[str, bool], ...],
                         right: float, rect: QRectF) -> float:
        """The equipment marks ending at ``right``: a letter per unit (white box; red
        when the unit is not allocated); returns the width they took."""
        height = min(EQUIP_W + 1, rect.height() - 2)
        top = rect.top() + (rect.height() - height) / 2
        painter.setFont(self.mark_font)
        x = right - len(marks) * (EQUIP_W + 1)
        for glyph, allocated in marks:
            box = QRectF(x, top, EQUIP_W, height)
            painter.fillRect(box, EQUIPMENT_MARK_FILL if allocated else EQUIPMENT_MISSING_FILL)
            painter.setPen(QPen(EQUIPMENT_MARK_TEXT if allocated else EQUIPMENT_MISSING_FILL
                                .darker(150), 1))
            painter.drawRect(box.adjusted(0.5, 0.5, -0.5, -0.5))
            painter.setPen(EQUIPMENT_MARK_TEXT if allocated else QColor("white"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, glyph)
            x += EQUIP_W + 1
        return len(marks) * (EQUIP_W + 1) + MARK_GAP - 1

    def _paint_badge(self, painter: QPainter, text: str, case: CaseSummary, right: float,
                     top: float) -> float:
        """The EMERG / URG badge ending at ``right``; returns the width it took."""
        width = self._badge_metrics.horizontalAdvance(text) + 8
        badge = QRectF(right - width, top, width, 14)
        path = QPainterPath()
        path.addRoundedRect(badge, 3, 3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillPath(path, palette.priority_colour(case.priority) or palette.EMERGENCY)
        painter.restore()
        painter.setFont(self.badge_font)
        painter.setPen(palette.HEADER_BG)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        return width + MARK_GAP

    def _paint_edge_marker(self, painter: QPainter, shape: BarShape, case: CaseSummary,
                           style: palette.StatusStyle) -> None:
        """A case outside the shown hours: a tab at the view's edge in its row, pointing
        the way to it, with its start time (the tooltip says the rest)."""
        bar = shape.bar
        painter.fillRect(bar, style.fill)
        painter.setPen(QPen(palette.EMERGENCY if case.priority is Priority.EMERGENCY
                            else style.border, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bar.adjusted(0.5, 0.5, -0.5, -0.5))
        size = min(5.0, bar.width() / 3)
        mid = bar.top() + 9
        x = bar.left() + 4 if shape.edge < 0 else bar.right() - 4
        step = size if shape.edge < 0 else -size
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(style.border.darker(130), 2))
        painter.drawPolyline([QPointF(x + step, mid - size), QPointF(x, mid),
                              QPointF(x + step, mid + size)])
        painter.restore()
        if case.scheduled_start is not None:
            painter.setFont(self.badge_font)
            painter.setPen(style.text)
            start = case.scheduled_start.astimezone(self.tz)
            painter.drawText(bar.adjusted(1, 16, -1, 0),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                             f"{start:%H}\n{start:%M}")


def _band(case: CaseSummary, width: float) -> float:
    """The priority band's width at the bar's left (none for elective cases)."""
    if case.priority is Priority.ELECTIVE or width < 6:
        return 0.0
    return 5.0 if case.priority is Priority.EMERGENCY else 4.0


def shape_between(x0: float, x1: float, turnover_px: float, top: float, height: float, *,
                  clip_left: float | None = None, clip_right: float | None = None) -> BarShape:
    """A bar from x0 to x1 (scene x), clipped to the visible window when given; a bar
    wholly outside it is an edge marker at that edge."""
    # A marker is clipped at both ends: it moves the case, it never stretches it.
    if clip_left is not None and x1 <= clip_left:
        return BarShape(QRectF(clip_left, top, EDGE_MARK_W, height), None, True, True, edge=-1)
    if clip_right is not None and x0 >= clip_right:
        return BarShape(QRectF(clip_right - EDGE_MARK_W, top, EDGE_MARK_W, height), None,
                        True, True, edge=1)
    clipped_start = clip_left is not None and x0 < clip_left
    clipped_end = clip_right is not None and x1 > clip_right
    left = clip_left if clipped_start and clip_left is not None else x0
    right = clip_right if clipped_end and clip_right is not None else x1
    bar = QRectF(left, top, max(1.0, right - left), height)
    turnover = None
    if turnover_px > 0 and not clipped_end:
        end = x1 + turnover_px
        if clip_right is not None:
            end = min(end, clip_right)
        if end > x1:
            turnover = QRectF(x1, top + height * 0.2, end - x1, height * 0.6)
    return BarShape(bar, turnover, clipped_start, clipped_end)


def duration_text(start: datetime, end: datetime) -> str:
    minutes = int((end - start).total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}"
