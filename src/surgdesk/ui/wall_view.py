"""The wall display's board: the ``orBoard`` view and bar delegate, configured for a room.

Subclasses of the desk board's ``BoardView`` and ``BarDelegate`` (same model, grid, hit
test, drag and write path), painting with the wall theme: large type, thick borders, the
status glyph on every bar and the status pattern in a strip below the text (so text never
sits on hatching), no patient line at all. The view keeps the now-line in view: it
scrolls so "now" stays a quarter of the way across.
"""

from __future__ import annotations

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
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board import painting, palette
from surgdesk.ui.board.delegate import BarDelegate, BarShape
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
_TOUCH_EVENTS = (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                 QEvent.Type.TouchCancel)


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
        # The now-line: thicker than on the desk, the theme's colour.
        self._now_line.setPen(QPen(theme.now_line, 4))
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

    def fit_row_height(self) -> float:
        rooms = self._model.rowCount() if self._model is not None else 0
        available = self.viewport().height() - HEADER_HEIGHT - 2
        smallest = self.wall_delegate.min_row_height()
        fill = available / rooms if rooms else MAX_ROW_HEIGHT
        if fill < smallest:
            # Pages of rooms: as many whole rows as fit, stretched to fill the page, so no
            # room is ever cut in half at the top or bottom of the wall.
            fill = available / max(1, int(available // smallest))
        return max(smallest, min(MAX_ROW_HEIGHT, fill))

    def _relayout(self) -> None:
        super()._relayout()
        per_page = self._rows_per_page()
        if self.rows.count > per_page:
            # The last page starts at a whole row too: room to scroll it to the top.
            pages = -(-self.rows.count // per_page)
            rect = self._scene.sceneRect()
            rect.setHeight(max(rect.height(),
                               HEADER_HEIGHT + self.rows.top(pages * per_page) + 2))
            self._scene.setSceneRect(rect)

    def _rows_per_page(self) -> int:
        return max(1, int((self.viewport().height() - HEADER_HEIGHT) // self.rows.row_height))

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
        per_page = self._rows_per_page()
        # No rooms yet (nothing loaded: the database was away) is one empty page.
        pages = max(1, -(-self.rows.count // per_page)) if bar.maximum() > bar.minimum() \
            else 1
        page = int(now.timestamp() // PAGE_SECONDS) % pages
        self.current_page = page
        top = self.mapFromScene(QPointF(0, self.rows.top(page * per_page))).y()
        bar.setValue(bar.value() + top - int(HEADER_HEIGHT))

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
        painter.setClipping(False)

    def _paint_wall_rooms(self, painter: QPainter, height: int) -> None:
        theme = self.theme
        painter.fillRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT),
                         theme.header_bg)
        if self._model is None:
            return
        painter.setClipRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT))
        code_height = QFontMetricsF(self.room_code_font).height()
        for row, room in enumerate(self._model.rooms()):
            y = self.mapFromScene(QPointF(0, self.rows.top(row))).y()
            if y > height or y + self.rows.row_height < HEADER_HEIGHT:
                continue
            band = QRectF(0, y, LABEL_WIDTH, self.rows.row_height)
            inactive = room.status is not RoomStatus.ACTIVE
            if inactive:
                painter.fillRect(band, QBrush(theme.grid_strong, Qt.BrushStyle.BDiagPattern))
            painter.setPen(theme.header_text)
            painter.setFont(self.room_code_font)
            painter.drawText(QRectF(12, y + 2, LABEL_WIDTH - 16, code_height),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, room.code)
            if self.rows.row_height >= code_height + self._room_name_metrics.height():
                painter.setFont(self.room_name_font)
                painter.setPen(theme.muted_text)
                now = self.clock()
                closed = next((c for c in self._model.closures(room.id)
                               if c.starts_at <= now < c.ends_at), None)
                if inactive:
                    name = f"{room.status.value.upper()} · {room.name}"
                elif closed is not None:
                    name = f"CLOSED · {closed.reason}"
                else:
                    name = room.name
                painter.drawText(
                    QRectF(12, y + 2 + code_height, LABEL_WIDTH - 16,
                           self._room_name_metrics.height()),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    self._room_name_metrics.elidedText(name, Qt.TextElideMode.ElideRight,
                                                       int(LABEL_WIDTH - 18)))
            painter.setPen(QPen(theme.grid, 1))
            painter.drawLine(QPointF(0, band.bottom()), QPointF(LABEL_WIDTH, band.bottom()))
        painter.setClipping(False)

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

