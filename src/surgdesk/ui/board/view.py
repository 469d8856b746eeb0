"""The ``orBoard`` view: a QGraphicsView over the board model, with the item-view API.

Rooms are rows, time runs left to right. The time header and the room column are painted
over the scene in viewport coordinates (``drawForeground``), so they stay put while the
board scrolls; the scene therefore starts at negative x/y, under them.

The scene is built once per load (``modelReset``) and then kept in step with the model's
row and data signals, one item at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QCursor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGestureEvent,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QPinchGesture,
    QToolTip,
    QWidget,
)

from surgdesk.domain.enums import RoomStatus
from surgdesk.services.dto import CaseSummary, RoomView
from surgdesk.ui.board import palette
from surgdesk.ui.board.delegate import BarDelegate, BarShape, shape_between
from surgdesk.ui.board.grid import DragMode, Drop, DropWriter, Grid, RowController
from surgdesk.ui.board.items import BAR_Z, DRAGGED_Z, CaseBarItem, GhostItem, NowLineItem, item_at
from surgdesk.ui.board.model import (
    BoardModel,
    case_number_from_mime,
    case_version_from_mime,
    drop_problem,
)
from surgdesk.ui.fonts import ui_font_family

Index = QModelIndex | QPersistentModelIndex

LABEL_WIDTH = 210.0
HEADER_HEIGHT = 50.0
BAR_PAD = 4.0
DAY_ROW_HEIGHT = 62.0
FLASH_MS = 1500
FLASH_FRAME_MS = 33  # ~30 frames a second for the fade; plenty for a highlight
WEEK_ROW_HEIGHT = 46.0
SAVING_OPACITY = 0.6  # a bar whose write has not answered yet
LOADING_BG = QColor("#0072b2")  # the "Loading…" tag (Okabe-Ito blue)


class BoardMode(Enum):
    DAY = "day"
    WEEK = "week"


@dataclass
class _Drag:
    item: CaseBarItem
    mode: DragMode
    press_scene: QPointF
    origin_pos: QPointF
    origin_bar: QRectF
    start: datetime
    end: datetime
    room_id: int
    started: bool = False
    drop: Drop | None = None
    over_queue: bool = False


class BoardView(QGraphicsView):
    """The OR board. Object name ``orBoard``."""

    case_activated = Signal(str)  # Enter or double-click: open the case
    status_message = Signal(str)  # refusals and hints for the status bar
    context_menu_requested = Signal(str, QPoint)  # case number, global position
    selected_case_changed = Signal(str)  # "" when nothing is selected

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orBoard")
        # Keep our own reference: QGraphicsView does not own its scene.
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        # Every paint sets the pen, brush and font it uses, so the view need not save and
        # restore the painter around each item; the background depends only on scene
        # coordinates, so it is cached and scrolled with the scene.
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        self.mode = BoardMode.DAY
        self.tz = ZoneInfo("UTC")
        now = datetime.now(UTC)
        self.grid = Grid(self.tz, now, now + timedelta(hours=12))
        self.rows = RowController(DAY_ROW_HEIGHT)
        self.delegate = BarDelegate(self.tz)
        self.editable = False
        self.auto_fit = True
        self._hold_layout = False
        self.cache_bars = True  # pixmap cache per bar on screen; off for vector export
        self.day_start = time(7)
        self.day_end = time(19)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        # Seconds, for the flash fade only (tests swap in a fake one).
        self.flash_clock: Callable[[], float] = monotonic
        self.queue_target: QWidget | None = None
        self.queue_lookup: Callable[[str], CaseSummary | None] = lambda _n: None
        self.writer: DropWriter | None = None

        self._model: BoardModel | None = None
        self._items: dict[str, CaseBarItem] = {}
        self._shading: list[list[tuple[QRectF, str]]] = []
        self._selected: str | None = None
        self._drag: _Drag | None = None
        # Case number -> when its flash began (``flash_clock``). One timer fades them all:
        # a QVariantAnimation per flash kept its Python-side connections after it ran
        # (PySide6 6.11, ~150 bytes a flash), and the wall flashes for weeks.
        self._flashes: dict[str, float] = {}
        self._flash_timer = QTimer(self)
        self._flash_timer.setObjectName("boardFlashTimer")
        self._flash_timer.setInterval(FLASH_FRAME_MS)
        self._flash_timer.timeout.connect(self._fade_flashes)
        self._external_case: CaseSummary | None = None
        # Bars whose write went out and has not answered: they stay where they were put,
        # marked as saving, until the model (moved) or ``sync_item`` (snapped back) says.
        self._saving: set[str] = set()
        self.loading = False  # a load is under way: "Loading…" shows
        self._loading_label = QLabel("Loading…", self.viewport())
        self._loading_label.setObjectName("boardLoading")
        self._loading_label.setStyleSheet(
            f"background: {LOADING_BG.name()}; color: white; padding: 2px 6px;")
        self._loading_label.hide()
        self._ghost = GhostItem()
        self._scene.addItem(self._ghost)
        self._now_line = NowLineItem()
        self._scene.addItem(self._now_line)

        self._header_font = QFont(ui_font_family())
        self._header_font.setPixelSize(12)
        self._header_metrics = QFontMetricsF(self._header_font)
        self._day_font = QFont(ui_font_family())
        self._day_font.setPixelSize(13)
        self._day_font.setBold(True)
        self._room_font = QFont(ui_font_family())
        self._room_font.setPixelSize(14)
        self._room_font.setBold(True)
        self._room_small = QFont(ui_font_family())
        self._room_small.setPixelSize(11)
        self._room_metrics = QFontMetricsF(self._room_small)

    # -- the item-view API --------------------------------------------------------------

    def model(self) -> BoardModel | None:
        return self._model

    def setModel(self, model: BoardModel) -> None:
        if self._model is not None:
            for signal, slot in self._connections():
                signal.disconnect(slot)
        self._model = model
        for signal, slot in self._connections():
            signal.connect(slot)
        self._rebuild()

    def _connections(self) -> list[tuple[Any, Any]]:
        assert self._model is not None
        return [
            (self._model.modelReset, self._rebuild),
            (self._model.rowsInserted, self._on_rows_inserted),
            (self._model.rowsAboutToBeRemoved, self._on_rows_removed),
            (self._model.dataChanged, self._on_data_changed),
        ]

    def visualRect(self, index: Index) -> QRect:
        """A case's scheduled interval (no turnover, no padding) in viewport coordinates."""
        if self._model is None or not index.isValid():
            return QRect()
        case = self._model.case_at(index)
        if case is not None:
            item = self._items.get(case.case_number)
            if item is None:
                return QRect()
            return self.mapFromScene(item.scene_bar()).boundingRect()
        row = index.row()
        if index.parent().isValid() or not 0 <= row < self.rows.count:
            return QRect()
        rect = QRectF(0, self.rows.top(row), self.grid.width, self.rows.row_height)
        return self.mapFromScene(rect).boundingRect()

    def indexAt(self, point: QPoint) -> QModelIndex:
        if self._model is None:
            return QModelIndex()
        scene_point = self.mapToScene(point)
        item = item_at(self._scene.items(scene_point), scene_point)
        if item is not None:
            return self._model.case_index(item.case_number)
        row = self.rows.row_at(scene_point.y())
        if row is None or scene_point.x() < -LABEL_WIDTH:
            return QModelIndex()
        return self._model.index(row, 0)

    def item_for(self, case_number: str) -> CaseBarItem | None:
        return self._items.get(case_number)

    def graphics_scene(self) -> QGraphicsScene:
        return self._scene

    # -- configuration ------------------------------------------------------------------

    def configure(self, *, tz: ZoneInfo, start: datetime, end: datetime, mode: BoardMode,
                  snap_minutes: int, day_start: time, day_end: time,
                  px_per_minute: float | None = None) -> None:
        """Set the visible window. Positions are recomputed; items are kept."""
        self.tz = tz
        self.mode = mode
        self.day_start, self.day_end = day_start, day_end
        self.delegate.tz = tz
        self.auto_fit = px_per_minute is None
        if px_per_minute is None:
            px_per_minute = self.fit_zoom(start, end)
        self.grid = Grid(tz, start, end, px_per_minute=px_per_minute, snap_minutes=snap_minutes)
        self.grid.writer = self.writer
        self.rows.row_height = DAY_ROW_HEIGHT if mode is BoardMode.DAY else WEEK_ROW_HEIGHT
        self._hold_layout = False
        self._relayout()

    def configure_same(self) -> None:
        """Lay out again on the current window (after a load that did not happen)."""
        self._hold_layout = False
        self._relayout()

    def fit_zoom(self, start: datetime, end: datetime) -> float:
        minutes = max(60.0, (end - start).total_seconds() / 60)
        width = max(400.0, self.viewport().width() - LABEL_WIDTH - 4)
        return width / minutes

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.auto_fit:
            # Until the user zooms, the window's time range fills the width.
            self.grid.set_zoom(self.fit_zoom(self.grid.start, self.grid.end))
            self._relayout()

    def set_zoom(self, px_per_minute: float, anchor_viewport_x: float | None = None) -> None:
        self.auto_fit = False
        if anchor_viewport_x is None:
            anchor_viewport_x = self.viewport().width() / 2
        anchor_scene_x = self.mapToScene(QPoint(int(anchor_viewport_x), 0)).x()
        anchor_time = self.grid.time_at(anchor_scene_x)
        self.grid.set_zoom(px_per_minute)
        self._relayout()
        new_x = self.grid.x_for(anchor_time)
        bar = self.horizontalScrollBar()
        bar.setValue(int(new_x + LABEL_WIDTH - anchor_viewport_x))

    def zoom_by(self, factor: float, anchor_viewport_x: float | None = None) -> None:
        self.set_zoom(self.grid.px_per_minute * factor, anchor_viewport_x)

    def set_writer(self, writer: DropWriter | None) -> None:
        self.writer = writer
        self.grid.writer = writer

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        if not editable:
            self._cancel_drag()

    # -- building and keeping the scene in step ----------------------------------------

    def _rebuild(self) -> None:
        """The one full build, on load. Everything after is incremental."""
        self._cancel_drag()
        for number in list(self._flashes):
            self._stop_flash(number)
        for item in self._items.values():
            self._scene.removeItem(item)
        self._items.clear()
        if self._model is None:
            return
        self.rows.count = self._model.rowCount()
        for case in self._model.cases():
            self._add_item(case, place=False)
        if self._selected is not None and self._selected not in self._items:
            self._select(None)
        if not self._hold_layout:
            self._relayout()

    def begin_load(self) -> None:
        """A load followed by ``configure``: lay the new items out once, there, not twice."""
        self._hold_layout = True

    def _add_item(self, case: CaseSummary, *, place: bool = True) -> None:
        item = CaseBarItem(self.delegate, case, cached=self.cache_bars)
        item.set_case(case)
        item.selected = case.case_number == self._selected
        self._items[case.case_number] = item
        self._scene.addItem(item)
        if place:
            self._place(item)

    def _room_code(self, room_id: int | None) -> str | None:
        if self._model is None or room_id is None:
            return None
        row = self._model.room_row(room_id)
        room = self._model.room_at(row) if row is not None else None
        return room.code if room else None

    def _relayout(self) -> None:
        self.rows.count = self._model.rowCount() if self._model is not None else 0
        width = self.grid.width
        height = self.rows.height()
        self._scene.setSceneRect(QRectF(-LABEL_WIDTH, -HEADER_HEIGHT,
                                        LABEL_WIDTH + width + 2, HEADER_HEIGHT + height + 2))
        for item in self._items.values():
            self._place(item)
        self._compute_shading()
        self.resetCachedContent()  # the cached background holds the old shading and lines
        self.update_now_line()
        self.viewport().update()

    def shape_for(self, case: CaseSummary, room_id: int | None = None,
                  start: datetime | None = None, end: datetime | None = None) -> BarShape | None:
        if self._model is None:
            return None
        room_id = room_id if room_id is not None else case.room_id
        start = start or case.scheduled_start
        end = end or case.scheduled_end
        row = self._model.room_row(room_id) if room_id is not None else None
        if row is None or start is None or end is None:
            return None
        room = self._model.room_at(row)
        turnover = (room.turnover_minutes if room else 0) * self.grid.px_per_minute
        return shape_between(self.grid.x_for(start), self.grid.x_for(end), turnover,
                             self.rows.top(row) + BAR_PAD, self.rows.row_height - 2 * BAR_PAD,
                             clip_left=0.0, clip_right=self.grid.width)

    def _place(self, item: CaseBarItem) -> None:
        shape = self.shape_for(item.case)
        if shape is None:
            item.setVisible(False)
            return
        item.setVisible(True)
        item.set_scene_shape(shape)

    def _case_numbers(self, parent: QModelIndex, first: int, last: int) -> list[str]:
        assert self._model is not None
        numbers = []
        for row in range(first, last + 1):
            case = self._model.case_at(self._model.index(row, 0, parent))
            if case is not None:
                numbers.append(case.case_number)
        return numbers

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid() or self._model is None:
            return
        for number in self._case_numbers(parent, first, last):
            case = self._model.case(number)
            if case is not None:
                self._add_item(case)

    def _on_rows_removed(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            return
        for number in self._case_numbers(parent, first, last):
            self._stop_flash(number)
            item = self._items.pop(number, None)
            if item is not None:
                if self._drag is not None and self._drag.item is item:
                    self._drag = None
                    self._ghost.setVisible(False)
                self._scene.removeItem(item)

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex,
                         roles: Any = ()) -> None:
        if self._model is None or not top_left.parent().isValid():
            return
        for number in self._case_numbers(top_left.parent(), top_left.row(), bottom_right.row()):
            self.sync_item(number)

    def sync_item(self, case_number: str) -> None:
        """Re-read one bar from the model (after a write, or to snap a refused drop back)."""
        self._saving.discard(case_number)
        item = self._items.get(case_number)
        case = self._model.case(case_number) if self._model is not None else None
        if item is None or case is None:
            return
        item.set_case(case)
        item.setZValue(BAR_Z)
        item.setOpacity(1.0)
        self._place(item)

    def is_saving(self, case_number: str) -> bool:
        """The bar's write went out and has not answered yet."""
        return case_number in self._saving

    def _mark_saving(self, case_number: str, drop: Drop | None) -> None:
        """KDGantt style: the bar stays at its drop place (``drop``; None: where the model
        has it), faded, until the write answers (``sync_item``)."""
        item = self._items.get(case_number)
        if item is None:
            return
        self._saving.add(case_number)
        shape = self.shape_for(item.case, drop.room_id, drop.start, drop.end) \
            if drop is not None else self.shape_for(item.case)
        if shape is not None:
            item.setVisible(True)
            item.set_scene_shape(shape)
        item.setZValue(BAR_Z)
        item.setOpacity(SAVING_OPACITY)

    def set_loading(self, loading: bool) -> None:
        """A load is under way ("Loading…" over the header's corner; the board keeps what
        it showed, and scrolling still works) or landed. A small label, not a veil over
        the board: a full repaint would cost the frame the load is meant to spare."""
        if loading == self.loading:
            return
        self.loading = loading
        label = self._loading_label
        if loading:
            label.adjustSize()
            label.move(int(LABEL_WIDTH) - label.width() - 6, 4)
            label.raise_()
        label.setVisible(loading)

    # -- live changes from other PCs ----------------------------------------------------------

    def flash(self, case_number: str) -> None:
        """Highlight a bar briefly (someone else changed it); it fades over ``FLASH_MS``.
        Flashing a bar that is still flashing starts its fade again."""
        item = self._items.get(case_number)
        if item is None:
            return
        self._flashes[case_number] = self.flash_clock()
        item.set_flash(1.0)
        if not self._flash_timer.isActive():
            self._flash_timer.start()

    def is_flashing(self, case_number: str) -> bool:
        return case_number in self._flashes

    def _fade_flashes(self) -> None:
        """The flash timer's frame: each level falls as ``1 - p²`` (p = elapsed / FLASH_MS,
        an ease-in quad), and a flash ends once p reaches 1."""
        now = self.flash_clock()
        for number, began in list(self._flashes.items()):
            progress = (now - began) * 1000.0 / FLASH_MS
            item = self._items.get(number)
            if item is None or progress >= 1.0:
                self._stop_flash(number)
            else:
                item.set_flash(1.0 - max(progress, 0.0) ** 2)

    def _stop_flash(self, case_number: str) -> None:
        if self._flashes.pop(case_number, None) is None:
            return
        if not self._flashes:
            self._flash_timer.stop()
        item = self._items.get(case_number)
        if item is not None:
            item.set_flash(0.0)

    def dragged_case(self) -> str | None:
        """The case whose bar is being dragged or stretched right now, if any."""
        drag = self._drag
        return drag.item.case_number if drag is not None else None

    def cancel_drag(self) -> None:
        """Drop the drag in progress without writing; the bar goes back to the model's
        place (the mouse release that follows then does nothing)."""
        self._cancel_drag()
        self.viewport().unsetCursor()

    # -- background: rows, hours, closures, grid lines ------------------------------------

    def _compute_shading(self) -> None:
        """Per room: the rectangles outside its hours, its closures, a closed room."""
        self._shading = []
        if self._model is None:
            return
        first_day = self.grid.start.astimezone(self.tz).date() - timedelta(days=1)
        last_day = self.grid.end.astimezone(self.tz).date() + timedelta(days=1)
        for row, room in enumerate(self._model.rooms()):
            top = self.rows.top(row)
            height = self.rows.row_height
            rects: list[tuple[QRectF, str]] = []
            if room.status is not RoomStatus.ACTIVE:
                rects.append((QRectF(0, top, self.grid.width, height), "closed"))
            else:
                rects += self._outside_hours(room, first_day, last_day, top, height)
            for closure in self._model.closures(room.id):
                x0 = max(0.0, self.grid.x_for(closure.starts_at))
                x1 = min(self.grid.width, self.grid.x_for(closure.ends_at))
                if x1 > x0:
                    rects.append((QRectF(x0, top, x1 - x0, height), "closure:" + closure.reason))
            self._shading.append(rects)

    def _outside_hours(self, room: RoomView, first: date, last: date, top: float,
                       height: float) -> list[tuple[QRectF, str]]:
        open_spans: list[tuple[float, float]] = []
        day = first
        while day <= last:
            if day.weekday() in room.weekdays:  # 0 = Monday, as the rooms service stores
                opens = datetime.combine(day, room.opens_at, tzinfo=self.tz)
                closes = datetime.combine(day, room.closes_at, tzinfo=self.tz)
                if closes <= opens:
                    closes += timedelta(days=1)
                open_spans.append((self.grid.x_for(opens), self.grid.x_for(closes)))
            day += timedelta(days=1)
        rects: list[tuple[QRectF, str]] = []
        cursor = 0.0
        for x0, x1 in sorted(open_spans):
            if x0 > cursor:
                rects.append((QRectF(cursor, top, min(x0, self.grid.width) - cursor, height),
                              "hours"))
            cursor = max(cursor, x1)
            if cursor >= self.grid.width:
                break
        if cursor < self.grid.width:
            rects.append((QRectF(cursor, top, self.grid.width - cursor, height), "hours"))
        return [(r, k) for r, k in rects if r.width() > 0]

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        rect = QRectF(rect)
        painter.fillRect(rect, palette.ROW_BG)
        if self.rows.count == 0:
            return
        first = self.rows.clamp_row(rect.top())
        last = self.rows.clamp_row(rect.bottom())
        grid_rect = QRectF(0, 0, self.grid.width, self.rows.height())
        for row in range(first, last + 1):
            band = QRectF(0, self.rows.top(row), self.grid.width, self.rows.row_height)
            if row % 2:
                painter.fillRect(band.intersected(rect), palette.ROW_ALT)
            for shade, kind in self._shading[row] if row < len(self._shading) else ():
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
                    painter.setFont(self._header_font)
                    text = "Closed: " + kind.removeprefix("closure:")
                    painter.drawText(shade.adjusted(6, 0, -4, 0),
                                     Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                                     self._header_metrics.elidedText(
                                         text, Qt.TextElideMode.ElideRight,
                                         int(shade.width() - 10)))
        # Vertical lines on the header's ticks; midnight lines darker.
        step = self.grid.tick_minutes()
        visible = grid_rect.intersected(rect)
        if visible.isEmpty():
            return
        thin = QPen(palette.GRID_LINE, 1)
        strong = QPen(palette.GRID_LINE_STRONG, 1.5)
        t0 = self.grid.time_at(visible.left() - 1)
        t1 = self.grid.time_at(visible.right() + 1)
        for tick in self._ticks_between(step, t0, t1):
            x = self.grid.x_for(tick)
            local = tick.astimezone(self.tz)
            painter.setPen(strong if local.hour == 0 and local.minute == 0 else thin)
            painter.drawLine(QPointF(x, visible.top()), QPointF(x, visible.bottom()))
        painter.setPen(QPen(palette.GRID_LINE, 1))
        for row in range(first, last + 2):
            y = self.rows.top(row)
            painter.drawLine(QPointF(visible.left(), y), QPointF(visible.right(), y))

    def _ticks_between(self, step: int, t0: datetime, t1: datetime) -> list[datetime]:
        sub = Grid(self.tz, max(t0, self.grid.start), min(t1, self.grid.end),
                   px_per_minute=self.grid.px_per_minute)
        if sub.end <= sub.start:
            return []
        return sub.ticks(step)

    # -- foreground: the fixed header and room column ------------------------------------

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.save()
        # Paint in viewport coordinates on top of whatever base transform the device has
        # (a PDF writer's scale, a render() offset), not by resetting it.
        inverse, _ok = self.viewportTransform().inverted()
        painter.setTransform(inverse, True)
        width = self.viewport().width()
        height = self.viewport().height()
        self._paint_room_column(painter, height)
        self._paint_header(painter, width)
        painter.fillRect(QRectF(0, 0, LABEL_WIDTH, HEADER_HEIGHT), palette.HEADER_BG)
        painter.setPen(QPen(palette.GRID_LINE_STRONG, 1))
        painter.drawLine(QPointF(0, HEADER_HEIGHT), QPointF(width, HEADER_HEIGHT))
        painter.drawLine(QPointF(LABEL_WIDTH, 0), QPointF(LABEL_WIDTH, height))
        painter.setFont(self._day_font)
        painter.setPen(palette.HEADER_TEXT)
        title = "Day" if self.mode is BoardMode.DAY else "Week"
        painter.drawText(QRectF(10, 4, LABEL_WIDTH - 16, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(self._room_small)
        painter.drawText(QRectF(10, 26, LABEL_WIDTH - 16, 20),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         f"{self.tz.key} · snap {self.grid.snap_minutes} min")
        painter.restore()

    def _scene_to_view_x(self, x: float) -> float:
        return self.mapFromScene(QPointF(x, 0)).x()

    def _paint_header(self, painter: QPainter, width: int) -> None:
        painter.fillRect(QRectF(LABEL_WIDTH, 0, width - LABEL_WIDTH, HEADER_HEIGHT),
                         palette.HEADER_BG)
        painter.setClipRect(QRectF(LABEL_WIDTH, 0, width - LABEL_WIDTH, HEADER_HEIGHT))
        left_scene = self.mapToScene(QPoint(int(LABEL_WIDTH), 0)).x()
        right_scene = self.mapToScene(QPoint(width, 0)).x()
        t0 = self.grid.time_at(max(0.0, left_scene) - 1)
        t1 = self.grid.time_at(min(self.grid.width, right_scene) + 1)
        # Row 1: the days.
        painter.setFont(self._day_font)
        day = t0.astimezone(self.tz).date()
        while True:
            start = max(datetime.combine(day, time(0), tzinfo=self.tz), self.grid.start)
            end = min(datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz),
                      self.grid.end)
            if start >= self.grid.end or start > t1:
                break
            if end > start:
                x0 = max(LABEL_WIDTH, self._scene_to_view_x(self.grid.x_for(start)))
                x1 = self._scene_to_view_x(self.grid.x_for(end))
                painter.setPen(palette.HEADER_TEXT)
                label = f"{day:%a %d %b %Y}" if x1 - x0 > 140 else f"{day:%a %d}"
                painter.drawText(QRectF(x0 + 8, 2, max(0.0, x1 - x0 - 10), 22),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
                painter.setPen(QPen(palette.GRID_LINE_STRONG, 1.5))
                painter.drawLine(QPointF(x1, 0), QPointF(x1, HEADER_HEIGHT))
            day += timedelta(days=1)
        # Row 2: the hours.
        painter.setFont(self._header_font)
        step = self.grid.tick_minutes()
        for tick in self._ticks_between(step, t0, t1):
            x = self._scene_to_view_x(self.grid.x_for(tick))
            local = tick.astimezone(self.tz)
            painter.setPen(QPen(palette.GRID_LINE_STRONG, 1))
            painter.drawLine(QPointF(x, HEADER_HEIGHT - 8), QPointF(x, HEADER_HEIGHT))
            painter.setPen(palette.HEADER_TEXT)
            painter.drawText(QRectF(x + 3, 26, 60, 20),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             f"{local:%H:%M}")
        painter.setClipping(False)

    def _paint_room_column(self, painter: QPainter, height: int) -> None:
        painter.fillRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT),
                         palette.HEADER_BG)
        if self._model is None:
            return
        painter.setClipRect(QRectF(0, HEADER_HEIGHT, LABEL_WIDTH, height - HEADER_HEIGHT))
        top_scene = self.mapToScene(QPoint(0, int(HEADER_HEIGHT))).y()
        bottom_scene = self.mapToScene(QPoint(0, height)).y()
        first = self.rows.clamp_row(top_scene)
        last = self.rows.clamp_row(bottom_scene)
        for row in range(first, last + 1):
            room = self._model.room_at(row)
            if room is None:
                continue
            y = self.mapFromScene(QPointF(0, self.rows.top(row))).y()
            band = QRectF(0, y, LABEL_WIDTH, self.rows.row_height)
            inactive = room.status is not RoomStatus.ACTIVE
            if inactive:
                painter.fillRect(band, QColor("#dcdcdc"))
                painter.fillRect(band, QBrush(palette.CLOSURE_HATCH, Qt.BrushStyle.BDiagPattern))
            painter.setPen(QColor("#8a8a8a") if inactive else palette.HEADER_TEXT)
            painter.setFont(self._room_font)
            painter.drawText(QRectF(10, y + 3, LABEL_WIDTH - 16, 20),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, room.code)
            painter.setFont(self._room_small)
            detail = room.name
            tags = ", ".join(room.specialty_tags) or "any specialty"
            second = f"{room.status.value.upper()} · {tags}" if inactive else tags
            lines = [detail, second] if self.rows.row_height >= 56 else [f"{detail} · {second}"]
            for i, text in enumerate(lines):
                painter.drawText(QRectF(10, y + 22 + i * 15, LABEL_WIDTH - 16, 15),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 self._room_metrics.elidedText(
                                     text, Qt.TextElideMode.ElideRight, int(LABEL_WIDTH - 18)))
            painter.setPen(QPen(palette.GRID_LINE, 1))
            painter.drawLine(QPointF(0, band.bottom()), QPointF(LABEL_WIDTH, band.bottom()))
        painter.setClipping(False)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        # The header and room column are fixed overlays: a scroll must repaint them whole
        # rather than let QGraphicsView scroll their pixels along with the scene.
        self.viewport().update()

    # -- the now-line ---------------------------------------------------------------------

    def update_now_line(self) -> None:
        now = self.clock()
        if self.grid.start <= now <= self.grid.end:
            self._now_line.place(self.grid.x_for(now), self.rows.height())
        else:
            self._now_line.place(None, 0)

    # -- selection and keyboard ------------------------------------------------------------

    def selected_case(self) -> str | None:
        return self._selected

    def select_case(self, case_number: str | None) -> None:
        self._select(case_number)

    def _select(self, case_number: str | None) -> None:
        if case_number == self._selected:
            return
        old = self._items.get(self._selected or "")
        if old is not None:
            old.selected = False
            old.update()
        self._selected = case_number
        new = self._items.get(case_number or "")
        if new is not None:
            new.selected = True
            new.update()
        self.selected_case_changed.emit(case_number or "")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        number = self._selected
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and number:
            self.case_activated.emit(number)
            return
        if key == Qt.Key.Key_Escape and self._drag is not None:
            self._cancel_drag()
            return
        arrows = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
        if key in arrows and number and self._model is not None:
            case = self._model.case(number)
            if case is not None:
                if not self.editable:
                    self.status_message.emit("Your role may not move cases")
                    return
                self._nudge(case, Qt.Key(key))
                return
        super().keyPressEvent(event)

    def _nudge(self, case: CaseSummary, key: Qt.Key) -> None:
        assert self._model is not None
        assert case.room_id is not None
        assert case.scheduled_start is not None
        assert case.scheduled_end is not None
        start, end, room_id = case.scheduled_start, case.scheduled_end, case.room_id
        step = self.grid.snap_step()
        if key == Qt.Key.Key_Left:
            start, end = start - step, end - step
        elif key == Qt.Key.Key_Right:
            start, end = start + step, end + step
        else:
            row = self._model.room_row(room_id)
            assert row is not None
            row += -1 if key == Qt.Key.Key_Up else 1
            room = self._model.room_at(row)
            if room is None:
                return
            room_id = room.id
        drop = Drop(case.case_number, room_id, start, end)
        if self.grid.write_drop(drop):
            self._mark_saving(case.case_number, drop)
        else:
            self.sync_item(case.case_number)
        self._ensure_selected_visible()

    def _ensure_selected_visible(self) -> None:
        item = self._items.get(self._selected or "")
        if item is not None:
            self.ensureVisible(item.scene_bar(), 40, 40)

    # -- mouse: select, drag, stretch ------------------------------------------------------

    def _bar_at(self, viewport_pos: QPointF) -> tuple[CaseBarItem | None, QPointF]:
        scene_pos = self.mapToScene(viewport_pos.toPoint())
        if viewport_pos.x() < LABEL_WIDTH or viewport_pos.y() < HEADER_HEIGHT:
            return None, scene_pos  # under the fixed header or room column
        return item_at(self._scene.items(scene_pos), scene_pos), scene_pos

    def mousePressEvent(self, event: QMouseEvent) -> None:
        item, scene_pos = self._bar_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._select(item.case_number if item else None)
            if item is not None:
                if self.editable:
                    mode = self.delegate.hit_test(
                        item.local_shape.bar, item.mapFromScene(scene_pos),
                        clipped_start=item.local_shape.clipped_start,
                        clipped_end=item.local_shape.clipped_end)
                    case = item.case
                    if mode is not DragMode.NONE and case.room_id is not None \
                            and case.scheduled_start and case.scheduled_end:
                        self._drag = _Drag(item, mode, scene_pos, item.pos(),
                                           item.local_shape.bar, case.scheduled_start,
                                           case.scheduled_end, case.room_id)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None:
            self._update_cursor(event.position())
            super().mouseMoveEvent(event)
            return
        scene_pos = self.mapToScene(event.position().toPoint())
        delta = scene_pos - drag.press_scene
        if not drag.started:
            if delta.manhattanLength() < QApplication.startDragDistance():
                return
            drag.started = True
            drag.item.setZValue(DRAGGED_Z)
            drag.item.setOpacity(0.55)  # the ghost, not the bar, shows where it will land
        self._drag_to(drag, scene_pos, delta, event.globalPosition().toPoint())
        event.accept()

    def _drag_to(self, drag: _Drag, scene_pos: QPointF, delta: QPointF, global_pos: QPoint) -> None:
        assert self._model is not None
        item = drag.item
        drag.over_queue = self._over_queue(global_pos)
        if drag.mode is DragMode.MOVE:
            # Only the item follows the mouse; the ghost shows the snapped drop place.
            item.setPos(drag.origin_pos + delta)
            duration = drag.end - drag.start
            start = self.grid.snap(drag.start + self.grid.duration_for(delta.x()))
            end = start + duration
            row = self.rows.clamp_row(scene_pos.y())
            room = self._model.room_at(row)
            room_id = room.id if room else drag.room_id
        else:
            bar = QRectF(drag.origin_bar)
            room_id = drag.room_id
            start, end = drag.start, drag.end
            if drag.mode is DragMode.STRETCH_END:
                end = self.grid.snap(drag.end + self.grid.duration_for(delta.x()))
                end = max(end, start + self.grid.snap_step())
                bar.setRight(max(bar.left() + 4, bar.right() + delta.x()))
            else:
                start = self.grid.snap(drag.start + self.grid.duration_for(delta.x()))
                start = min(start, end - self.grid.snap_step())
                bar.setLeft(min(bar.right() - 4, bar.left() + delta.x()))
            item.set_local_bar(bar)
        if drag.over_queue:
            drag.drop = None
            self._ghost.setVisible(False)
            self.status_message.emit(f"Release to send {item.case_number} back to the queue")
            return
        drag.drop = Drop(item.case_number, room_id, start, end)
        self._show_ghost(drag.drop, item.case.id)

    def _show_ghost(self, drop: Drop, case_id: int | None) -> None:
        assert self._model is not None
        problem = drop_problem(self._model, case_id, drop.room_id, drop.start, drop.end)
        shape = self.shape_for_drop(drop)
        if shape is None:
            self._ghost.setVisible(False)
            return
        start = drop.start.astimezone(self.tz)
        end = drop.end.astimezone(self.tz)
        room = self._room_code(drop.room_id) or ""
        label = problem or f"{room} {start:%H:%M}–{end:%H:%M}"
        self._ghost.show_at(shape.bar, valid=problem is None, label=label)

    def shape_for_drop(self, drop: Drop) -> BarShape | None:
        assert self._model is not None
        row = self._model.room_row(drop.room_id)
        if row is None:
            return None
        return shape_between(self.grid.x_for(drop.start), self.grid.x_for(drop.end), 0,
                             self.rows.top(row) + BAR_PAD, self.rows.row_height - 2 * BAR_PAD,
                             clip_left=0.0, clip_right=self.grid.width)

    def ghost(self) -> GhostItem:
        return self._ghost

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._drag = None
        self._ghost.setVisible(False)
        number = drag.item.case_number
        handed = False
        if drag.started:
            if drag.over_queue:
                handed = self.grid.write_unschedule(number)
                drag.drop = None
            elif drag.drop is not None and (drag.drop.start, drag.drop.end, drag.drop.room_id) \
                    != (drag.start, drag.end, drag.room_id):
                handed = self.grid.write_drop(drag.drop)
        if handed:
            # Saving: the bar waits at its drop place; the answer re-reads it from the
            # model (moved on success, back where it was if refused).
            self._mark_saving(number, drag.drop)
        else:
            self.sync_item(number)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        item, _ = self._bar_at(event.position())
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self._select(item.case_number)
            self.case_activated.emit(item.case_number)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        item, _ = self._bar_at(QPointF(event.pos()))
        if item is None:
            super().contextMenuEvent(event)
            return
        self._select(item.case_number)
        self.context_menu_requested.emit(item.case_number, event.globalPos())
        event.accept()

    def _update_cursor(self, viewport_pos: QPointF) -> None:
        item, scene_pos = self._bar_at(viewport_pos)
        shape = Qt.CursorShape.ArrowCursor
        if item is not None and self.editable:
            mode = self.delegate.hit_test(item.local_shape.bar, item.mapFromScene(scene_pos),
                                          clipped_start=item.local_shape.clipped_start,
                                          clipped_end=item.local_shape.clipped_end)
            shape = {DragMode.MOVE: Qt.CursorShape.OpenHandCursor,
                     DragMode.STRETCH_END: Qt.CursorShape.SizeHorCursor,
                     DragMode.STRETCH_START: Qt.CursorShape.SizeHorCursor}.get(
                         mode, Qt.CursorShape.ArrowCursor)
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(QCursor(shape))

    def _over_queue(self, global_pos: QPoint) -> bool:
        target = self.queue_target
        if target is None or not target.isVisible():
            return False
        local = target.mapFromGlobal(global_pos)
        return target.rect().contains(local)

    def _cancel_drag(self) -> None:
        drag = self._drag
        self._drag = None
        self._ghost.setVisible(False)
        if drag is not None:
            self.sync_item(drag.item.case_number)

    # -- drops from the queue ---------------------------------------------------------------

    def _external_drop(self, event: QDropEvent | QDragMoveEvent) -> Drop | None:
        number = case_number_from_mime(event.mimeData())
        case = self.queue_lookup(number) if number else None
        if case is None or self._model is None:
            return None
        pos = event.position()
        if pos.x() < LABEL_WIDTH or pos.y() < HEADER_HEIGHT:
            return None
        scene_pos = self.mapToScene(pos.toPoint())
        row = self.rows.row_at(scene_pos.y())
        room = self._model.room_at(row) if row is not None else None
        if room is None:
            return None
        start = self.grid.snap(self.grid.time_at(scene_pos.x()))
        end = start + timedelta(minutes=case.estimated_duration_min)
        self._external_case = case
        return Drop(case.case_number, room.id, start, end)

    def _changed_while_dragged(self, mime: QMimeData) -> str | None:
        """Why a queue card dropped here is not scheduled because its case changed (on
        another PC) after the drag began — the queue now holds another version, or no
        longer holds it — or None. The drop is refused rather than written with data the
        user did not see (the live feed updates the queue during the drag)."""
        number = case_number_from_mime(mime)
        if number is None:
            return None
        case = self.queue_lookup(number)
        if case is None:
            where = "is on the board now" if self._model is not None \
                and self._model.case(number) is not None else "is no longer in the queue"
            return f"{number} was changed on another PC ({where}) — not scheduled"
        dragged = case_version_from_mime(mime)
        if dragged is not None and dragged != case.version:
            return (f"{number} was changed on another PC while you dragged it — not "
                    "scheduled; the queue shows it as it is now")
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.editable and case_number_from_mime(event.mimeData()):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            return
        event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        drop = self._external_drop(event) if self.editable else None
        if drop is None:
            self._ghost.setVisible(False)
            event.ignore()
            return
        self._show_ghost(drop, self._external_case.id if self._external_case else None)
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._ghost.setVisible(False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self._ghost.setVisible(False)
        changed = self._changed_while_dragged(event.mimeData()) if self.editable else None
        if changed is not None:
            self.status_message.emit(changed)
            event.ignore()
            return
        drop = self._external_drop(event) if self.editable else None
        if drop is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        if self.grid.write_drop(drop):
            self._select(drop.case_number)

    # -- zoom: Ctrl+wheel and pinch ---------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(1.15 ** steps, event.position().x())
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            help_event = event
            assert isinstance(help_event, QHelpEvent)
            item, _ = self._bar_at(QPointF(help_event.pos()))
            if item is None:
                QToolTip.hideText()
                event.ignore()
                return True
            QToolTip.showText(help_event.globalPos(),
                              self.delegate.tooltip(item.case, self._room_code(item.case.room_id)),
                              self.viewport())
            return True
        if event.type() == QEvent.Type.NativeGesture:
            native = event
            assert isinstance(native, QNativeGestureEvent)
            if native.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
                self.zoom_by(1.0 + native.value(), native.position().x())
                return True
        if event.type() == QEvent.Type.Gesture:
            gesture_event = event
            assert isinstance(gesture_event, QGestureEvent)
            pinch = gesture_event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                factor = pinch.scaleFactor()
                if factor > 0:
                    centre = self.viewport().mapFromGlobal(pinch.centerPoint().toPoint())
                    self.zoom_by(factor, centre.x())
                gesture_event.accept()
                return True
        return super().viewportEvent(event)
