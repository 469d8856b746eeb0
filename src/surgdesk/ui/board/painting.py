"""The board's painting: the background (rows, hours outside a room's open spans,
closures, grid lines) in scene coordinates, and the fixed header and room column painted
over it in viewport coordinates. Functions of the view (``BoardView`` keeps the state)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen

from surgdesk.domain.enums import RoomStatus
from surgdesk.domain.room_hours import open_spans
from surgdesk.services.dto import RoomView
from surgdesk.ui.board import bands, palette, summaries
from surgdesk.ui.board.grid import Grid
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.layout import HEADER_HEIGHT, LABEL_WIDTH, BoardMode

if TYPE_CHECKING:
    from surgdesk.ui.board.view import BoardView

Shading = list[list[tuple[QRectF, str]]]


def compute_shading(view: BoardView) -> Shading:
    """Per row: a room's stretches outside its hours, its closures, a closed room; a
    unit's closures and its maintenance (equipment lanes); nothing for people."""
    shading: Shading = []
    model = view._model
    if model is None:
        return shading
    first_day = view.grid.start.astimezone(view.tz).date() - timedelta(days=1)
    last_day = view.grid.end.astimezone(view.tz).date() + timedelta(days=1)
    for row, lane in enumerate(model.lanes()):
        top = view.rows.top(row)
        height = view.rows.span(row)
        rects: list[tuple[QRectF, str]] = []
        room, unit = lane.room, lane.unit
        spans: list[tuple[datetime, datetime, str]] = []
        if room is not None:
            if room.status is not RoomStatus.ACTIVE:
                rects.append((QRectF(0, top, view.grid.width, height), "closed"))
            else:
                rects += _outside_hours(view, room, first_day, last_day, top, height)
            spans = [(c.starts_at, c.ends_at, c.reason) for c in model.closures(room.id)]
        elif unit is not None:
            if lane.inactive:
                rects.append((QRectF(0, top, view.grid.width, height), "closed"))
            spans = [(c.starts_at, c.ends_at, c.reason) for c in model.unit_closures(unit.id)]
        for starts_at, ends_at, reason in spans:
            x0 = max(0.0, view.grid.x_for(starts_at))
            x1 = min(view.grid.width, view.grid.x_for(ends_at))
            if x1 > x0:
                rects.append((QRectF(x0, top, x1 - x0, height), "closure:" + reason))
        shading.append(rects)
    return shading


def _outside_hours(view: BoardView, room: RoomView, first: date, last: date, top: float,
                   height: float) -> list[tuple[QRectF, str]]:
    """The stretches of the row outside the room's open spans — the spans the services'
    "outside hours" rule reads too (a round-the-clock room, a clock change)."""
    spans = open_spans(room.opens_at, room.closes_at, room.weekdays, first, last, view.tz)
    rects: list[tuple[QRectF, str]] = []
    cursor = 0.0
    width = view.grid.width
    for start, end in spans:
        x0, x1 = view.grid.x_for(start), view.grid.x_for(end)
        if x0 > cursor:
            rects.append((QRectF(cursor, top, min(x0, width) - cursor, height), "hours"))
        cursor = max(cursor, x1)
        if cursor >= width:
            break
    if cursor < width:
        rects.append((QRectF(cursor, top, width - cursor, height), "hours"))
    return [(r, k) for r, k in rects if r.width() > 0]


def draw_background(view: BoardView, painter: QPainter, rect: QRectF | QRect) -> None:
    rect = QRectF(rect)
    painter.fillRect(rect, palette.ROW_BG)
    if view.rows.count == 0:
        return
    first = view.rows.clamp_row(rect.top())
    last = view.rows.clamp_row(rect.bottom())
    grid_rect = QRectF(0, 0, view.grid.width, view.rows.height())
    for row in range(first, last + 1):
        band = QRectF(0, view.rows.top(row), view.grid.width, view.rows.span(row))
        if row % 2:
            painter.fillRect(band.intersected(rect), palette.ROW_ALT)
        for shade, kind in view._shading[row] if row < len(view._shading) else ():
            if not shade.intersects(rect):
                continue
            if kind == "hours":
                painter.fillRect(shade, palette.OUTSIDE_HOURS)
            elif kind == "closed":
                painter.fillRect(shade, palette.CLOSED_ROOM)
                painter.fillRect(shade, QBrush(palette.CLOSURE_HATCH,
                                               Qt.BrushStyle.BDiagPattern))
            else:
                painter.fillRect(shade, palette.CLOSED_ROOM)
                painter.fillRect(shade, QBrush(palette.CLOSURE_HATCH,
                                               Qt.BrushStyle.DiagCrossPattern))
                painter.setPen(QColor("#333333"))
                painter.setFont(view._header_font)
                text = "Closed: " + kind.removeprefix("closure:")
                painter.drawText(shade.adjusted(6, 0, -4, 0),
                                 Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                                 view._header_metrics.elidedText(
                                     text, Qt.TextElideMode.ElideRight,
                                     int(shade.width() - 10)))
    bands.draw_bands(view, painter, rect)  # block bands: under the cases, over the rows
    # Vertical lines on the header's ticks; midnight lines darker.
    step = view.grid.tick_minutes()
    visible = grid_rect.intersected(rect)
    if visible.isEmpty():
        return
    thin = QPen(palette.GRID_LINE, 1)
    strong = QPen(palette.GRID_LINE_STRONG, 1.5)
    t0 = view.grid.time_at(visible.left() - 1)
    t1 = view.grid.time_at(visible.right() + 1)
    for tick in ticks_between(view, step, t0, t1):
        x = view.grid.x_for(tick)
        local = tick.astimezone(view.tz)
        painter.setPen(strong if local.hour == 0 and local.minute == 0 else thin)
        painter.drawLine(QPointF(x, visible.top()), QPointF(x, visible.bottom()))
    painter.setPen(QPen(palette.GRID_LINE, 1))
    for row in range(first, last + 2):
        y = view.rows.top(row)
        painter.drawLine(QPointF(visible.left(), y), QPointF(visible.right(), y))
    if view.showing_summaries():
        _draw_summaries(view, painter, visible, first, last)


def _draw_summaries(view: BoardView, painter: QPainter, visible: QRectF, first: int,
                    last: int) -> None:
    """The room-day summaries in place of bars too narrow to read (laid out per zoom)."""
    cards = view.summary_cards()
    for row in range(first, min(last, len(cards) - 1) + 1):
        for card, summary in cards[row]:
            if card.intersects(visible):
                _draw_summary(view, painter, card, summary)


def _draw_summary(view: BoardView, painter: QPainter, card: QRectF,
                  summary: summaries.RoomDaySummary) -> None:
    painter.setPen(QPen(palette.SUMMARY_EDGE, 1))
    painter.setBrush(palette.SUMMARY_FILL)
    painter.drawRect(card.adjusted(0.5, 0.5, -0.5, -0.5))
    share = summary.booked_share
    if share is not None:  # the booked share at a glance: a strip along the card's foot
        painter.fillRect(QRectF(card.left() + 1, card.bottom() - 4,
                                (card.width() - 2) * min(1.0, share), 3), palette.SUMMARY_SHARE)
    inner = card.adjusted(6, 2, -6, -5)
    first_line, second_line = summaries.summary_lines(summary, view.tz)
    right = inner.right()
    if summary.warning and inner.width() > 40:
        mark = min(14.0, inner.height() / 2 - 1)
        palette.draw_warning_mark(painter, QRectF(right - mark, inner.bottom() - mark - 1,
                                                  mark, mark))
        right -= mark + 4
    painter.setPen(palette.HEADER_TEXT)
    painter.setFont(view._summary_font)
    top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() / 2)
    painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     view._summary_metrics.elidedText(first_line, Qt.TextElideMode.ElideRight,
                                                      int(top.width())))
    painter.setFont(view._header_font)
    bottom = QRectF(inner.left(), top.bottom(), right - inner.left(), inner.height() / 2)
    painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     view._header_metrics.elidedText(second_line, Qt.TextElideMode.ElideRight,
                                                     int(bottom.width())))


def ticks_between(view: BoardView, step: int, t0: datetime, t1: datetime) -> list[datetime]:
    sub = Grid(view.tz, max(t0, view.grid.start), min(t1, view.grid.end),
               px_per_minute=view.grid.px_per_minute)
    if sub.end <= sub.start:
        return []
    return sub.ticks(step)


def draw_foreground(view: BoardView, painter: QPainter, rect: QRectF | QRect) -> None:
    painter.save()
    # Paint in viewport coordinates on top of whatever base transform the device has
    # (a PDF writer's scale, a render() offset), not by resetting it.
    inverse, _ok = view.viewportTransform().inverted()
    painter.setTransform(inverse, True)
    width = view.viewport().width()
    height = view.viewport().height()
    _paint_room_column(view, painter, height)
    _paint_header(view, painter, width)
    painter.fillRect(QRectF(0, 0, LABEL_WIDTH, HEADER_HEIGHT), palette.HEADER_BG)
    painter.setPen(QPen(palette.GRID_LINE_STRONG, 1))
    painter.drawLine(QPointF(0, HEADER_HEIGHT), QPointF(width, HEADER_HEIGHT))
    painter.drawLine(QPointF(LABEL_WIDTH, 0), QPointF(LABEL_WIDTH, height))
    painter.setFont(view._day_font)
    painter.setPen(palette.HEADER_TEXT)
    title = "Day" if view.mode is BoardMode.DAY else "Week"
    lanes = view._model.lane_mode if view._model is not None else LaneMode.ROOMS
    if lanes is not LaneMode.ROOMS:
        title += f" · {lanes.title.lower()}"
    painter.drawText(QRectF(10, 4, LABEL_WIDTH - 16, 20),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    painter.setFont(view._room_small)
    painter.drawText(QRectF(10, 26, LABEL_WIDTH - 16, 20),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"{view.tz.key} · snap {view.grid.snap_minutes} min")
    painter.restore()


def _scene_to_view_x(view: BoardView, x: float) -> float:
    return view.mapFromScene(QPointF(x, 0)).x()


def _paint_header(view: BoardView, painter: QPainter, width: int) -> None:
    painter.fillRect(QRectF(LABEL_WIDTH, 0, width - LABEL_WIDTH, HEADER_HEIGHT),
                     palette.HEADER_BG)
    painter.setClipRect(QRectF(LABEL_WIDTH, 0, width - LABEL_WIDTH, HEADER_HEIGHT))
    left_scene = view.mapToScene(QPoint(int(LABEL_WIDTH), 0)).x()
    right_scene = view.mapToScene(QPoint(width, 0)).x()
    t0 = view.grid.time_at(max(0.0, left_scene) - 1)
    t1 = view.grid.time_at(min(view.grid.width, right_scene) + 1)
    # Row 1: the days.
    painter.setFont(view._day_font)
    day = t0.astimezone(view.tz).date()
    while True:
        start = max(datetime.combine(day, time(0), tzinfo=view.tz), view.grid.start)
        end = min(datetime.combine(day + timedelta(days=1), time(0), tzinfo=view.tz),
                  view.grid.end)
        if start >= view.grid.end or start > t1:
            break
        if end > start:
            x0 = max(LABEL_WIDTH, _scene_to_view_x(view, view.grid.x_for(start)))
            x1 = _scene_to_view_x(view, view.grid.x_for(end))
            painter.setPen(palette.HEADER_TEXT)
            label = f"{day:%a %d %b %Y}" if x1 - x0 > 140 else f"{day:%a %d}"
            painter.drawText(QRectF(x0 + 8, 2, max(0.0, x1 - x0 - 10), 22),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            painter.setPen(QPen(palette.GRID_LINE_STRONG, 1.5))
            painter.drawLine(QPointF(x1, 0), QPointF(x1, HEADER_HEIGHT))
        day += timedelta(days=1)
    # Row 2: the hours.
    painter.setFont(view._header_font)
    step = view.grid.tick_minutes()
    for tick in ticks_between(view, step, t0, t1):
        x = _scene_to_view_x(view, view.grid.x_for(tick))
        local = tick.astimezone(view.tz)
        painter.setPen(QPen(palette.GRID_LINE_STRONG, 1))
        painter.drawLine(QPointF(x, HEADER_HEIGHT - 8), QPointF(x, HEADER_HEIGHT))
        painter.setPen(palette.HEADER_TEXT)
        painter.drawText(QRectF(x + 3, 26, 60, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         f"{local:%H:%M}")
    painter.setClipping(False)


def _paint_room_column(view: BoardView, painter: QPainter, height: int) -> None:
    painter.fillRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT),
                     palette.HEADER_BG)
    if view._model is None:
        return
    painter.setClipRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT))
    top_scene = view.mapToScene(QPoint(0, int(HEADER_HEIGHT))).y()
    bottom_scene = view.mapToScene(QPoint(0, height)).y()
    first = view.rows.clamp_row(top_scene)
    last = view.rows.clamp_row(bottom_scene)
    for row in range(first, last + 1):
        room = view._model.room_at(row)
        if room is None:
            _paint_lane_label(view, painter, row)
            continue
        y = view.mapFromScene(QPointF(0, view.rows.top(row))).y()
        band = QRectF(0, y, LABEL_WIDTH, view.rows.span(row))
        inactive = room.status is not RoomStatus.ACTIVE
        if inactive:
            painter.fillRect(band, QColor("#dcdcdc"))
            painter.fillRect(band, QBrush(palette.CLOSURE_HATCH, Qt.BrushStyle.BDiagPattern))
        painter.setPen(QColor("#8a8a8a") if inactive else palette.HEADER_TEXT)
        painter.setFont(view._room_font)
        painter.drawText(QRectF(10, y + 3, LABEL_WIDTH - 16, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, room.code)
        painter.setFont(view._room_small)
        detail = room.name
        tags = ", ".join(room.specialty_tags) or "any specialty"
        second = f"{room.status.value.upper()} · {tags}" if inactive else tags
        lines = [detail, second] if view.rows.row_height >= 56 else [f"{detail} · {second}"]
        for i, text in enumerate(lines):
            painter.drawText(QRectF(10, y + 22 + i * 15, LABEL_WIDTH - 16, 15),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             view._room_metrics.elidedText(
                                 text, Qt.TextElideMode.ElideRight, int(LABEL_WIDTH - 18)))
        painter.setPen(QPen(palette.GRID_LINE, 1))
        painter.drawLine(QPointF(0, band.bottom()), QPointF(LABEL_WIDTH, band.bottom()))
    painter.setClipping(False)


def _paint_lane_label(view: BoardView, painter: QPainter, row: int) -> None:
    """A surgeon's, an anesthetist's or a unit's row: its name, and below it what the
    lane holds (rooms used, a unit's rooms or its maintenance)."""
    assert view._model is not None
    lane = view._model.lane_at(row)
    if lane is None:
        return
    y = view.mapFromScene(QPointF(0, view.rows.top(row))).y()
    band = QRectF(0, y, LABEL_WIDTH, view.rows.span(row))
    if lane.inactive:
        painter.fillRect(band, QColor("#dcdcdc"))
        painter.fillRect(band, QBrush(palette.CLOSURE_HATCH, Qt.BrushStyle.BDiagPattern))
    painter.setPen(QColor("#8a8a8a") if lane.inactive else palette.HEADER_TEXT)
    painter.setFont(view._room_font)
    label, sublabel = lane.label, lane.sublabel
    width = int(LABEL_WIDTH - 18)
    if lane.unit is not None and view._room_label_metrics.horizontalAdvance(label) > width:
        # "Neuro microscope 1 · Microscope" does not fit: the kind leads the second line.
        label, sublabel = lane.unit.name, f"{lane.unit.kind} · {sublabel}"
    painter.drawText(QRectF(10, y + 3, LABEL_WIDTH - 16, 20),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     view._room_label_metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                                         width))
    if sublabel and view.rows.row_height >= 36:
        painter.setFont(view._room_small)
        painter.drawText(QRectF(10, y + 22, LABEL_WIDTH - 16, 15),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         view._room_metrics.elidedText(sublabel, Qt.TextElideMode.ElideRight,
                                                       width))
    painter.setPen(QPen(palette.GRID_LINE, 1))
    painter.drawLine(QPointF(0, band.bottom()), QPointF(LABEL_WIDTH, band.bottom()))
