"""The wall display's board: the ``orBoard`` view and bar delegate, configured for a room.

Subclasses of the desk board's ``BoardView`` and ``BarDelegate`` (same model, grid, hit
test, drag and write path), painting with the wall theme: large type, thick borders, the
status glyph on every bar and the status pattern in a strip below the text (so text never
sits on hatching), no patient line at all. The view keeps the now-line in view: it
scrolls so "now" stays a quarter of the way across. The now-line runs under the bars (it
never covers their text) and is marked in the time header. Rooms beyond one screen are
split evenly over pages (``split_pages``); today's block bands lie faintly under the bars.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QEventPoint,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from surgdesk.domain.enums import Priority, RoomStatus
from surgdesk.services.dto import CaseSummary, RoomView
from surgdesk.ui.board import bands, painting, palette
from surgdesk.ui.board.delegate import BarDelegate, BarShape
from surgdesk.ui.board.items import BAR_Z
from surgdesk.ui.board.view import BAR_PAD, HEADER_HEIGHT, LABEL_WIDTH, BoardMode, BoardView
from surgdesk.ui.wall_theme import (
    CASE_TEXT_PX,
    CASE_TITLE_PX,
    HOUR_PX,
    LEGEND_PX,
    LEGEND_STATUSES,
    ROOM_CODE_PX,
    ROOM_NAME_PX,
    WallTheme,
    wall_font,
)

VISIBLE_HOURS = 8.0  # how much of the day the wall shows at once
NOW_AT = 0.25  # where "now" sits across the board area
INNER_PAD = 4.0
STRIP = 7.0  # the status pattern strip at the bottom of a bar
MAX_ROW_HEIGHT = 150.0
PAGE_SECONDS = 20  # rooms beyond one screen: the page turns this often
# Words that say what every room is: a room's short name is what is left without them.
_GENERIC_WORDS = {"theatre", "theater", "operating", "room", "or", "suite", "no", "nr"}
_TOUCH_EVENTS = (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                 QEvent.Type.TouchCancel)


def split_pages(rooms: int, fit: int) -> list[range]:
    """Rooms (rows) over as few pages as hold them ``fit`` a page, split evenly: page
    sizes differ by one at most, the larger first (12 rooms, 10 fit: 6 + 6, not 10 + 2).
    No rooms is one empty page."""
    if rooms <= 0:
        return [range(0)]
    count = -(-rooms // max(1, fit))
    size, extra = divmod(rooms, count)
    pages, start = [], 0
    for page in range(count):
        end = start + size + (1 if page < extra else 0)
        pages.append(range(start, end))
        start = end
    return pages


def short_room_names(name: str) -> list[str]:
    """What a room label may say beside its code, longest first: the name, what it says
    in brackets ("Theatre 3 (Orthopedics)" -> "Orthopedics"), the name without the words
    every room has ("Emergency theatre 1" -> "Emergency")."""
    out = [name.strip()]
    if (inner := re.search(r"\(([^)]+)\)", name)) is not None:
        out.append(inner.group(1).strip())
    words = [w for w in re.sub(r"\([^)]*\)", " ", name).split()
             if w.lower().strip(".,-") not in _GENERIC_WORDS and not w.strip(".,-#").isdigit()]
    out.append(" ".join(words))
    return [n for i, n in enumerate(out) if n and n not in out[:i]]


def room_name_that_fits(name: str, fits: Callable[[str], bool],
                        elide: Callable[[str], str]) -> str:
    """The longest of ``short_room_names`` that fits whole, else the name elided."""
    return next((n for n in short_room_names(name) if fits(n)), elide(name))


class WallBarDelegate(BarDelegate):
    """Paints a case in wall type: glyph + procedure on line 1, times + surgeon on line 2."""

    def __init__(self, tz: ZoneInfo, theme: WallTheme) -> None:
        super().__init__(tz)
        self.theme = theme
        self.title_font = wall_font(CASE_TITLE_PX, bold=True)
        self.body_font = wall_font(CASE_TEXT_PX)
        self.badge_font = wall_font(CASE_TEXT_PX - 4, bold=True)
        self._title_metrics = QFontMetricsF(self.title_font)
        self._body_metrics = QFontMetricsF(self.body_font)
        self._badge_metrics = QFontMetricsF(self.badge_font)

    @property
    def title_height(self) -> float:
        return self._title_metrics.height()

    @property
    def body_height(self) -> float:
        return self._body_metrics.height()

    def min_row_height(self) -> float:
        """A row whose bars hold both lines of text, the pattern strip and the padding."""
        return (self.title_height + self.body_height + STRIP + 2 * INNER_PAD
                + 2 * BAR_PAD + 2 * self.theme.bar_border_width)

    def paint(self, painter: QPainter, shape: BarShape, case: CaseSummary, *,
              selected: bool = False, lod: float = 1.0) -> None:
        theme = self.theme
        style = theme.style(case.status)
        bar = shape.bar
        if shape.turnover is not None and shape.turnover.width() >= 1:
            painter.fillRect(shape.turnover, QBrush(theme.grid_strong, Qt.BrushStyle.FDiagPattern))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.fillRect(bar, style.fill)
        border = theme.bar_border_width
        if style.pattern is not None and bar.height() > 3 * STRIP:
            strip = QRectF(bar.left(), bar.bottom() - STRIP - border, bar.width(), STRIP)
            painter.fillRect(strip, QBrush(style.border, style.pattern))
        band = 0.0
        urgency = theme.emergency if case.priority is Priority.EMERGENCY else (
            theme.urgent if case.priority is Priority.URGENT else None)
        if urgency is not None and bar.width() >= 12:
            band = 10.0 if case.priority is Priority.EMERGENCY else 7.0
            painter.fillRect(QRectF(bar.left(), bar.top(), band, bar.height()), urgency)
        if selected:
            pen = QPen(palette.SELECTION, border + 2)
        elif case.priority is Priority.EMERGENCY:
            pen = QPen(theme.emergency, border + 1.5)
        else:
            pen = QPen(style.border, border)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = pen.widthF() / 2
        painter.drawRect(bar.adjusted(half, half, -half, -half))
        if shape.clipped_start or shape.clipped_end:
            self._paint_continuations(painter, shape, style.border)
        if bar.width() < 24 or bar.height() < self.title_height:
            return
        area = bar.adjusted(band + border + INNER_PAD, border + INNER_PAD / 2,
                            -border - INNER_PAD, -border - STRIP)
        self._paint_wall_content(painter, area, case)

    def _paint_wall_content(self, painter: QPainter, area: QRectF, case: CaseSummary) -> None:
        theme = self.theme
        style = theme.style(case.status)
        line1 = self.title_height
        glyph = min(line1 - 6, area.height())
        x = area.left()
        palette.draw_status_glyph(painter, case.status,
                                  QRectF(x, area.top() + (line1 - glyph) / 2, glyph, glyph),
                                  style.text)
        x += glyph + 6
        right = area.right()
        if case.conflicts and area.width() > 4 * glyph:
            palette.draw_warning_mark(painter, QRectF(right - glyph, area.top() + 3, glyph,
                                                      glyph))
            right -= glyph + 6
        if case.priority is not Priority.ELECTIVE and area.width() > 220:
            text = "EMERG" if case.priority is Priority.EMERGENCY else "URG"
            width = self._badge_metrics.horizontalAdvance(text) + 14
            badge = QRectF(right - width, area.top() + 2, width, line1 - 4)
            path = QPainterPath()
            path.addRoundedRect(badge.adjusted(1.5, 1.5, -1.5, -1.5), 4, 4)
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.fillPath(path, theme.badge_bg)
            painter.setPen(QPen(theme.emergency if case.priority is Priority.EMERGENCY
                                else theme.urgent, 3))
            painter.drawPath(path)
            painter.restore()
            painter.setFont(self.badge_font)
            painter.setPen(theme.badge_text)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            right -= width + 6
        painter.setPen(style.text)
        if right - x >= 30:
            painter.setFont(self.title_font)
            rect = QRectF(x, area.top(), right - x, line1)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self._elide(self.title(case), rect.width(), title=True))
        if area.height() < line1 + self.body_height - 2:
            return
        painter.setFont(self.body_font)
        rect = QRectF(area.left(), area.top() + line1, area.width(), self.body_height)
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self._elide(self.body_line(case), rect.width(), title=False))

    def body_line(self, case: CaseSummary) -> str:
        """Times and surgeon; never a patient (the wall's actor is masked anyway)."""
        return f"{self.times(case)}  {case.lead_surgeon_name}"


class WallBoardView(BoardView):
    """The board on the wall: big type, themed, rows filling the height, now kept in view."""

    # The wall shows the whole day and scrolls itself to keep "now" in view (a night
    # emergency too), not the desk's day-view hours.
    opens_on_day_hours = False

    def __init__(self, theme: WallTheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orBoard")
        self.theme = theme
        self.wall_delegate = WallBarDelegate(self.tz, theme)
        self.delegate = self.wall_delegate
        self.visible_hours = VISIBLE_HOURS
        self.current_page = 0
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # No scroll bars on a wall: it scrolls itself (now-line) and pages its rooms.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.room_code_font = wall_font(ROOM_CODE_PX, bold=True)
        self.room_name_font = wall_font(ROOM_NAME_PX)
        self.hour_font = wall_font(HOUR_PX, bold=True)
        self._room_name_metrics = QFontMetricsF(self.room_name_font)
        self._hour_metrics = QFontMetricsF(self.hour_font)
        # The now-line: thicker than on the desk, the theme's colour, and under the bars
        # so it never covers their text (it shows between cases and rows, and the time
        # header marks it).
        self._now_line.setPen(QPen(theme.now_line, 4))
        self._now_line.setZValue(BAR_Z - 1)
        self.page_count = 1
        # Touch is handled here, from the QTouchEvents themselves (one finger drags like
        # the mouse, two pinch to zoom); the desk view's pinch gesture would zoom twice.
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.viewport().ungrabGesture(Qt.GestureType.PinchGesture)
        self._finger: int | None = None  # the touch point driving a drag
        self._pinch: float | None = None  # the fingers' last distance while pinching

    # -- sizes ------------------------------------------------------------------------------

    def fit_zoom(self, start: datetime, end: datetime) -> float:
        """The wall shows ``visible_hours`` across (or the whole window if shorter)."""
        minutes = max(60.0, min((end - start).total_seconds() / 60, self.visible_hours * 60))
        width = max(400.0, self.viewport().width() - LABEL_WIDTH - 4)
        return width / minutes

    def _available_height(self) -> float:
        return self.viewport().height() - HEADER_HEIGHT - 2

    def pages(self) -> list[range]:
        """The rooms (rows) of each page: as many as fit at the smallest readable row
        height, split evenly (``split_pages``)."""
        rooms = self._model.rowCount() if self._model is not None else 0
        fit = int(self._available_height() // self.wall_delegate.min_row_height())
        return split_pages(rooms, fit)

    def fit_row_height(self) -> float:
        rooms = self._model.rowCount() if self._model is not None else 0
        available = self._available_height()
        smallest = self.wall_delegate.min_row_height()
        pages = self.pages()
        if len(pages) > 1:
            # Pages of rooms: the largest page's rows stretched to fill the height, so no
            # room is ever cut in half and no room of the next page shows.
            return max(smallest, available / len(pages[0]))
        fill = available / rooms if rooms else MAX_ROW_HEIGHT
        return max(smallest, min(MAX_ROW_HEIGHT, fill))

    def _relayout(self) -> None:
        super()._relayout()
        pages = self.pages()
        if len(pages) > 1:
            # The last page starts at a whole row too: room to scroll it to the top.
            rect = self._scene.sceneRect()
            last = pages[-1].start + len(pages[0])
            rect.setHeight(max(rect.height(), HEADER_HEIGHT + self.rows.top(last) + 2))
            self._scene.setSceneRect(rect)

    def configure(self, *, tz: ZoneInfo, start: datetime, end: datetime, mode: BoardMode,
                  snap_minutes: int, day_start: time, day_end: time,
                  px_per_minute: float | None = None) -> None:
        super().configure(tz=tz, start=start, end=end, mode=mode, snap_minutes=snap_minutes,
                          day_start=day_start, day_end=day_end, px_per_minute=px_per_minute)
        self.rows.row_height = self.fit_row_height()
        self.configure_same()
        self.keep_now_in_view()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        height = self.fit_row_height()
        if height != self.rows.row_height:
            self.rows.row_height = height
            self.configure_same()
        self.keep_now_in_view()
        self.page_rooms(self.clock())  # whole rows at once, not only on the next tick

    def sizeHint(self) -> QSize:
        return QSize(1920, 960)

    def keep_now_in_view(self) -> None:
        """Scroll so the now-line stays a quarter across (left end before the day starts,
        right end after it). Not while a bar is being dragged: never move under a finger."""
        if self.dragged_case() is not None:
            return
        board_width = self.viewport().width() - LABEL_WIDTH
        x = self.grid.x_for(min(max(self.clock(), self.grid.start), self.grid.end))
        # Relative to where it is now: the scroll range's origin is QGraphicsView's business.
        shift = self.mapFromScene(QPointF(x, 0)).x() - (LABEL_WIDTH + NOW_AT * board_width)
        bar = self.horizontalScrollBar()
        bar.setValue(bar.value() + round(shift))

    def page_rooms(self, now: datetime) -> None:
        """More rooms than the wall's height holds: show them a page at a time, turning
        every ``PAGE_SECONDS`` of the clock (whole rows per page)."""
        bar = self.verticalScrollBar()
        if self.dragged_case() is not None:
            return
        # No rooms yet (nothing loaded: the database was away) is one empty page.
        pages = self.pages() if bar.maximum() > bar.minimum() else [range(self.rows.count)]
        page = int(now.timestamp() // PAGE_SECONDS) % len(pages)
        self.current_page, self.page_count = page, len(pages)
        top = self.mapFromScene(QPointF(0, self.rows.top(pages[page].start))).y()
        bar.setValue(bar.value() + top - int(HEADER_HEIGHT))

    def page_text(self) -> str:
        """The page indicator ("1 / 2"); empty when every room is on one page."""
        if self.page_count <= 1:
            return ""
        return f"{self.current_page + 1} / {self.page_count}"

    # -- touch -----------------------------------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() in _TOUCH_EVENTS:
            assert isinstance(event, QTouchEvent)
            self.touch_event(event)
            return True
        return super().viewportEvent(event)

    def touch_event(self, event: QTouchEvent) -> None:
        """One finger presses, drags and lets go exactly as the mouse does (so a drag moves
        a case only while editing is unlocked); two fingers pinch to zoom about their
        centre and cancel a drag a first finger had begun."""
        event.accept()  # a TouchBegin not accepted gets no updates (and Qt makes mouse)
        points = list(event.points())
        if event.type() == QEvent.Type.TouchCancel:
            self._finger = self._pinch = None
            self.cancel_drag()
            return
        live = [p for p in points if p.state() is not QEventPoint.State.Released]
        if len(points) >= 2:
            if self._finger is not None:
                self._finger = None
                self.cancel_drag()
            a, b = points[0].position(), points[1].position()
            distance = QLineF(a, b).length()
            if self._pinch and distance > 0 and len(live) >= 2:
                self.zoom_by(distance / self._pinch, (a.x() + b.x()) / 2)
            self._pinch = distance if len(live) >= 2 else None
            return
        if not points:
            return
        point = points[0]
        if self._pinch is not None or (self._finger is not None and point.id() != self._finger):
            if event.type() == QEvent.Type.TouchEnd:
                self._pinch = None  # the last finger of a pinch lifted: nothing to do
            return
        state = point.state()
        if state is QEventPoint.State.Pressed:
            self._finger = point.id()
            self.mousePressEvent(self._mouse(QEvent.Type.MouseButtonPress, point))
        elif state is QEventPoint.State.Updated and self._finger is not None:
            self.mouseMoveEvent(self._mouse(QEvent.Type.MouseMove, point))
        elif state is QEventPoint.State.Released and self._finger is not None:
            self._finger = None
            self.mouseReleaseEvent(self._mouse(QEvent.Type.MouseButtonRelease, point))

    @staticmethod
    def _mouse(kind: QEvent.Type, point: QEventPoint) -> QMouseEvent:
        """The mouse event the drag code takes, for a finger. Not on the touch device:
        Qt 6 tracks grabs per device and point, and a mouse event claiming the touch
        screen's point re-assigns the point's grab, so the next touch updates went nowhere."""
        held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease \
            else Qt.MouseButton.LeftButton
        return QMouseEvent(kind, point.position(), point.globalPosition(),
                           Qt.MouseButton.LeftButton, held, Qt.KeyboardModifier.NoModifier)

    def now_viewport_x(self) -> float:
        return self.mapFromScene(QPointF(self.grid.x_for(self.clock()), 0)).x()

    # -- painting ---------------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        rect = QRectF(rect)
        theme = self.theme
        painter.fillRect(rect, theme.background)
        for row in range(self.rows.count):
            band = QRectF(0, self.rows.top(row), self.grid.width, self.rows.row_height)
            if not band.intersects(rect):
                continue
            if row % 2:
                painter.fillRect(band, theme.row_alt)
            for shade, kind in self._shading[row] if row < len(self._shading) else ():
                painter.fillRect(shade, theme.outside_hours)
                if kind != "hours":
                    painter.fillRect(shade, QBrush(theme.grid_strong,
                                                   Qt.BrushStyle.BDiagPattern))
        bands.draw_bands(self, painter, rect, faint=True)  # today's blocks, under the bars
        step = 60
        painter.setPen(QPen(theme.grid, 1))
        for tick in painting.ticks_between(self, step, self.grid.start, self.grid.end):
            x = self.grid.x_for(tick)
            painter.drawLine(QPointF(x, 0), QPointF(x, self.rows.height()))
        for row in range(self.rows.count + 1):
            y = self.rows.top(row)
            painter.drawLine(QPointF(0, y), QPointF(self.grid.width, y))

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.save()
        inverse, _ok = self.viewportTransform().inverted()
        painter.setTransform(inverse, True)
        theme = self.theme
        width = self.viewport().width()
        height = self.viewport().height()
        self._paint_wall_rooms(painter, height)
        self._paint_wall_header(painter, width)
        painter.fillRect(QRectF(0, 0, LABEL_WIDTH, HEADER_HEIGHT), theme.header_bg)
        painter.setPen(QPen(theme.grid_strong, 2))
        painter.drawLine(QPointF(0, HEADER_HEIGHT), QPointF(width, HEADER_HEIGHT))
        painter.drawLine(QPointF(LABEL_WIDTH, 0), QPointF(LABEL_WIDTH, height))
        painter.setFont(self.hour_font)
        painter.setPen(theme.header_text)
        painter.drawText(QRectF(12, 0, LABEL_WIDTH - 16, HEADER_HEIGHT),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "Room")
        painter.restore()

    def _paint_wall_header(self, painter: QPainter, width: int) -> None:
        theme = self.theme
        area = QRectF(LABEL_WIDTH, 0, width - LABEL_WIDTH, HEADER_HEIGHT)
        painter.fillRect(area, theme.header_bg)
        painter.setClipRect(area)
        painter.setFont(self.hour_font)
        label_width = self._hour_metrics.horizontalAdvance("00:00") + 16
        step = 60 if 60 * self.grid.px_per_minute >= label_width else 120
        for tick in painting.ticks_between(self, step, self.grid.start, self.grid.end):
            x = self.mapFromScene(QPointF(self.grid.x_for(tick), 0)).x()
            if x < LABEL_WIDTH or x > width:
                continue
            painter.setPen(QPen(theme.grid_strong, 2))
            painter.drawLine(QPointF(x, HEADER_HEIGHT - 10), QPointF(x, HEADER_HEIGHT))
            painter.setPen(theme.header_text)
            local = tick.astimezone(self.tz)
            text = f"{local:%H:%M}" if local.hour or local.minute else f"{local:%a} 00:00"
            painter.drawText(QRectF(x + 5, 0, 200, HEADER_HEIGHT - 4),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        self._paint_now_marker(painter)
        painter.setClipping(False)

    def _paint_now_marker(self, painter: QPainter) -> None:
        """"Now" in the time header: a triangle pointing down onto the now-line (which
        runs under the bars)."""
        now = self.clock()
        if not self.grid.start <= now <= self.grid.end:
            return
        x = self.now_viewport_x()
        half = 11.0
        path = QPainterPath()
        path.moveTo(x - half, HEADER_HEIGHT - 2 * half)
        path.lineTo(x + half, HEADER_HEIGHT - 2 * half)
        path.lineTo(x, HEADER_HEIGHT)
        path.closeSubpath()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillPath(path, self.theme.now_line)
        painter.restore()

    def _paint_wall_rooms(self, painter: QPainter, height: int) -> None:
        theme = self.theme
        painter.fillRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT),
                         theme.header_bg)
        if self._model is None:
            return
        painter.setClipRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT))
        code_height = QFontMetricsF(self.room_code_font).height()
        two_lines = self.rows.row_height >= code_height + self._room_name_metrics.height()
        for row, room in enumerate(self._model.rooms()):
            y = self.mapFromScene(QPointF(0, self.rows.top(row))).y()
            if y > height or y + self.rows.row_height < HEADER_HEIGHT:
                continue
            band = QRectF(0, y, LABEL_WIDTH, self.rows.row_height)
            if room.status is not RoomStatus.ACTIVE:
                painter.fillRect(band, QBrush(theme.grid_strong, Qt.BrushStyle.BDiagPattern))
            code_width = self._paint_room_code(painter, room.code, y, code_height)
            painter.setFont(self.room_name_font)
            painter.setPen(theme.muted_text)
            if two_lines:
                rect = QRectF(12, y + 2 + code_height, LABEL_WIDTH - 16,
                              self._room_name_metrics.height())
            else:  # beside the code, on its line
                left = 12 + code_width + 10
                rect = QRectF(left, y + 2, LABEL_WIDTH - 4 - left, code_height)
            if rect.width() >= 30:
                painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 self.room_label(room, rect.width()))
            painter.setPen(QPen(theme.grid, 1))
            painter.drawLine(QPointF(0, band.bottom()), QPointF(LABEL_WIDTH, band.bottom()))
        painter.setClipping(False)

    def _paint_room_code(self, painter: QPainter, code: str, y: float,
                         code_height: float) -> float:
        """The room's code, whole: a code too long for the column is set smaller, never
        cut. Returns its width."""
        font = self.room_code_font
        room = LABEL_WIDTH - 16
        width = QFontMetricsF(font).horizontalAdvance(code)
        if width > room:
            font = wall_font(max(12, int(ROOM_CODE_PX * room / width)), bold=True)
            width = QFontMetricsF(font).horizontalAdvance(code)
        painter.setPen(self.theme.header_text)
        painter.setFont(font)
        painter.drawText(QRectF(12, y + 2, room, code_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, code)
        return width

    def room_label(self, room: RoomView, width: float) -> str:
        """What the room's label says under (or beside) its code in ``width`` px: its
        state when it is not open, then the longest short name that fits whole, else the
        name elided (the code is never elided)."""
        metrics = self._room_name_metrics
        now = self.clock()
        closed = None if self._model is None else next(
            (c for c in self._model.closures(room.id) if c.starts_at <= now < c.ends_at), None)
        if closed is not None and room.status is RoomStatus.ACTIVE:
            return metrics.elidedText(f"CLOSED · {closed.reason}", Qt.TextElideMode.ElideRight,
                                      int(width))
        if room.status is RoomStatus.ACTIVE:
            return room_name_that_fits(
                room.name, lambda name: metrics.horizontalAdvance(name) <= width,
                lambda name: metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(width)))
        # Not in use: the state first; with no room for a name beside it, the state alone.
        state = room.status.value.upper()
        name = room_name_that_fits(
            room.name, lambda name: metrics.horizontalAdvance(f"{state} · {name}") <= width,
            lambda _name: "")
        return f"{state} · {name}" if name else metrics.elidedText(
            state, Qt.TextElideMode.ElideRight, int(width))

    def viewport_point_for(self, when: datetime, row: int) -> QPoint:
        """Where on the viewport a time in a room row is (tests and touch use it)."""
        return self.mapFromScene(QPointF(self.grid.x_for(when),
                                         self.rows.top(row) + self.rows.row_height / 2))


class WallLegend(QWidget):
    """The status legend: each status's colour, glyph and pattern with its name."""

    def __init__(self, theme: WallTheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallLegend")
        self.theme = theme
        self.font_ = wall_font(LEGEND_PX, bold=True)
        self._metrics = QFontMetricsF(self.font_)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(int(self._metrics.height() + 24))

    def entries(self) -> list[tuple[str, QColor, QColor]]:
        """(label, text colour, background) of every entry, for the contrast test."""
        out = [(self.theme.style(s).label, self.theme.style(s).text, self.theme.style(s).fill)
               for s in LEGEND_STATUSES]
        out.append(("EMERG", self.theme.badge_text, self.theme.badge_bg))
        return out

    def paintEvent(self, event: object) -> None:
        painter = QPainter(self)
        theme = self.theme
        painter.fillRect(self.rect(), theme.header_bg)
        painter.setFont(self.font_)
        h = self.height() - 12.0
        x = 16.0
        for status in LEGEND_STATUSES:
            style = theme.style(status)
            text = style.label
            w = self._metrics.horizontalAdvance(text) + h + 30
            box = QRectF(x, 6, w, h)
            painter.fillRect(box, style.fill)
            if style.pattern is not None:
                painter.fillRect(QRectF(box.left(), box.bottom() - STRIP, box.width(), STRIP),
                                 QBrush(style.border, style.pattern))
            painter.setPen(QPen(style.border, theme.bar_border_width))
            painter.drawRect(box.adjusted(1, 1, -1, -1))
            glyph = h - 16
            palette.draw_status_glyph(painter, status, QRectF(x + 8, 6 + 8, glyph, glyph),
                                      style.text)
            painter.setPen(style.text)
            painter.drawText(box.adjusted(glyph + 16, 0, -8, -3),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            x += w + 14
        # Priority: the bar's coloured band and badge.
        for text, colour in (("EMERG", theme.emergency), ("URG", theme.urgent)):
            w = self._metrics.horizontalAdvance(text) + 24
            box = QRectF(x, 6, w, h)
            painter.fillRect(box, theme.badge_bg)
            painter.setPen(QPen(colour, 3))
            painter.drawRect(box.adjusted(1.5, 1.5, -1.5, -1.5))
            painter.setPen(theme.badge_text)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            x += w + 14
        painter.end()

