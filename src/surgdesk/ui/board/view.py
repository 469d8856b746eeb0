"""The ``orBoard`` view: a QGraphicsView over the board model, with the item-view API.

Rooms are rows, time runs left to right. The time header and the room column are painted
over the scene in viewport coordinates (``drawForeground``), so they stay put while the
board scrolls; the scene therefore starts at negative x/y, under them.

The scene is built once per load (``modelReset``) and then kept in step with the model's
row and data signals, one item at a time.

This module keeps the view's state and its scene; ``painting`` draws the background and
the fixed header and room column, ``interaction`` handles the mouse, keys, drops and
zoom, ``layout`` holds the sizes, the modes and a drag's state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QEvent,
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
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QWidget,
)

from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board import bars, interaction, painting, reach, summaries
from surgdesk.ui.board.delegate import BarDelegate, BarShape
from surgdesk.ui.board.flashes import FLASH_MS as FLASH_MS
from surgdesk.ui.board.flashes import Flashes
from surgdesk.ui.board.grid import Drop, DropWriter, Grid, RowController
from surgdesk.ui.board.items import CaseBarItem, GhostItem, NowLineItem, item_at
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.layout import BAR_PAD as BAR_PAD
from surgdesk.ui.board.layout import DAY_ROW_HEIGHT, WEEK_ROW_HEIGHT, DragState
from surgdesk.ui.board.layout import HEADER_HEIGHT as HEADER_HEIGHT
from surgdesk.ui.board.layout import LABEL_WIDTH as LABEL_WIDTH
from surgdesk.ui.board.layout import BoardMode as BoardMode
from surgdesk.ui.board.model import BoardModel
from surgdesk.ui.fonts import ui_pixel_font

Index = QModelIndex | QPersistentModelIndex

LOADING_BG = QColor("#0072b2")  # the "Loading…" tag (Okabe-Ito blue)


class BoardView(QGraphicsView):
    """The OR board. Object name ``orBoard``."""

    # The day view opens on the department's day-view hours. A view that keeps its own
    # window (the wall, around now) or a script that wants the whole loaded day sets it
    # False (on the class or the instance); the next configure shows the whole window.
    opens_on_day_hours = True

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
        self._reach = (self.grid.start, self.grid.end)  # what scrolling can reach
        self._home = False  # showing the day-view hours only (see ``configure``)
        self._configured = False
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        # Seconds, for the flash fade only (tests swap in a fake one).
        self.flash_clock: Callable[[], float] = monotonic
        self.queue_target: QWidget | None = None
        self.queue_lookup: Callable[[str], CaseSummary | None] = lambda _n: None
        # Whether the actor may move this case now (drag, resize, nudge, drop from the
        # queue): the services decided it (``CaseSummary.rights``); the wall asks them
        # for the scheduler who unlocked it. Editable is the window's switch on top.
        self.may_move: Callable[[CaseSummary], bool] = lambda case: case.rights.move
        self.writer: DropWriter | None = None

        self._model: BoardModel | None = None
        self._items: dict[str, CaseBarItem] = {}  # a case's own bar (its first lane)
        self._echoes: dict[str, dict[str, CaseBarItem]] = {}  # its bars in other lanes
        self._shading: list[list[tuple[QRectF, str]]] = []
        self._selected: str | None = None
        self._drag: DragState | None = None
        self._flashes = Flashes(self)
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

        self._header_font = ui_pixel_font(12)
        self._header_metrics = QFontMetricsF(self._header_font)
        self._day_font = ui_pixel_font(13, bold=True)
        self._room_font = ui_pixel_font(14, bold=True)
        self._room_label_metrics = QFontMetricsF(self._room_font)
        self._room_small = ui_pixel_font(11)
        self._room_metrics = QFontMetricsF(self._room_small)
        self._summary_font = ui_pixel_font(12, bold=True)
        self._summary_metrics = QFontMetricsF(self._summary_font)
        # Room-day summaries (``summaries``): the figures once per load or change, the
        # cards once per layout; shown while a typical bar is too narrow to read.
        self._typical_minutes = summaries.TYPICAL_MINUTES_DEFAULT
        self._summary_data: dict[tuple[int, date], summaries.RoomDaySummary] | None = None
        self._summary_cards: list[list[tuple[QRectF, summaries.RoomDaySummary]]] = []
        self._summaries_on = False
        self._summary_refresh_due = False

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
            (self._model.tracks_changed, self._relayout),  # rows' heights changed
        ]

    def visualRect(self, index: Index) -> QRect:
        """A case's scheduled interval (no turnover, no padding) in viewport coordinates."""
        if self._model is None or not index.isValid():
            return QRect()
        case = self._model.case_at(index)
        if case is not None:
            item = bars.item_in(self, case.case_number, self._model.lane_key_of(index))
            if item is None:
                return QRect()
            return self.mapFromScene(item.scene_bar()).boundingRect()
        row = index.row()
        if index.parent().isValid() or not 0 <= row < self.rows.count:
            return QRect()
        rect = QRectF(0, self.rows.top(row), self.grid.width, self.rows.span(row))
        return self.mapFromScene(rect).boundingRect()

    def indexAt(self, point: QPoint) -> QModelIndex:
        if self._model is None:
            return QModelIndex()
        scene_point = self.mapToScene(point)
        item = item_at(self._scene.items(scene_point), scene_point)
        if item is not None:
            return self._model.case_index(item.case_number, item.lane)
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
        """Set the visible window. Positions are recomputed; items are kept.

        The desk's day view with no zoom given opens on the department's day-view hours
        (``day_start`` to ``day_end``), fitted to the width; the rest of the loaded day
        stays within reach: zooming, or scrolling sideways, widens the view to it. A
        refresh of a view the user has not zoomed stays fitted (on the day hours)."""
        # A refresh (the zoom handed back) of a view the user never zoomed stays fitted.
        kept_fit = self._configured and self.auto_fit and self.mode is mode
        self._configured = True
        self.tz = tz
        self.mode = mode
        self.day_start, self.day_end = day_start, day_end
        self.delegate.tz = tz
        self._reach = self._reach_for(start, end)
        self.auto_fit = px_per_minute is None or kept_fit
        home = self.day_hours_span() if self.auto_fit else None
        self._home = home is not None
        shown_start, shown_end = home if home is not None else self._reach
        if self.auto_fit:
            px_per_minute = self.fit_zoom(shown_start, shown_end)
        assert px_per_minute is not None
        self.grid = Grid(tz, shown_start, shown_end, px_per_minute=px_per_minute,
                         snap_minutes=snap_minutes)
        self.grid.writer = self.writer
        self.rows.row_height = DAY_ROW_HEIGHT if mode is BoardMode.DAY else WEEK_ROW_HEIGHT
        self._hold_layout = False
        self._relayout()

    def _reach_for(self, start: datetime, end: datetime) -> tuple[datetime, datetime]:
        return reach.reach_for(self, start, end)

    def day_hours_span(self) -> tuple[datetime, datetime] | None:
        """The department's day-view hours on the day shown, within reach (None: not the
        desk's day view, or the hours are the whole reach anyway)."""
        return reach.day_hours_span(self)

    def showing_day_hours(self) -> bool:
        """The day view shows the department's day-view hours only (its opening state)."""
        return self._home

    def show_day_hours(self) -> None:
        """Back to the day-view hours, fitted to the width (the day view's opening state)."""
        if self.mode is not BoardMode.DAY:
            return
        self.configure(tz=self.tz, start=self._reach[0], end=self._reach[1], mode=self.mode,
                       snap_minutes=self.grid.snap_minutes, day_start=self.day_start,
                       day_end=self.day_end)
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().minimum())

    def _widen(self) -> None:
        """From the day-view hours to the whole reach, at the same zoom."""
        if not self._home:
            return
        self._home = False
        start, end = self._reach
        self.grid = Grid(self.tz, start, end, px_per_minute=self.grid.px_per_minute,
                         snap_minutes=self.grid.snap_minutes)
        self.grid.writer = self.writer

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
        self._widen()  # zooming reaches the night
        self.grid.set_zoom(px_per_minute)
        self._relayout()
        self._put_time_at(anchor_time, anchor_viewport_x)

    def _put_time_at(self, when: datetime, viewport_x: float) -> None:
        """Scroll so that ``when`` shows at ``viewport_x``."""
        bar = self.horizontalScrollBar()
        shift = self.mapFromScene(QPointF(self.grid.x_for(when), 0)).x() - viewport_x
        bar.setValue(bar.value() + round(shift))

    def zoom_by(self, factor: float, anchor_viewport_x: float | None = None) -> None:
        self.set_zoom(self.grid.px_per_minute * factor, anchor_viewport_x)

    def scroll_to_case(self, case_number: str) -> bool:
        """Show the case's bar (widening from the day-view hours when it lies outside
        them) and select it; False when it is not on the board."""
        item = self._items.get(case_number)
        if item is None:
            return False
        case = item.case
        if self._home and case.scheduled_start is not None and case.scheduled_end is not None \
                and (case.scheduled_end <= self.grid.start
                     or case.scheduled_start >= self.grid.end):
            self._widen_in_place()
        self._select(case_number)
        self.reveal(item.scene_bar())
        return True

    def reveal(self, scene_rect: QRectF, margin: int = 24) -> None:
        """Scroll so ``scene_rect`` shows clear of the fixed room column and time header."""
        reach.reveal(self, scene_rect, margin)

    def _widen_in_place(self) -> None:
        """Widen to the whole reach keeping what is on screen where it is."""
        if not self._home:
            return
        left = self.grid.time_at(self.mapToScene(QPoint(int(LABEL_WIDTH), 0)).x())
        self.auto_fit = False
        self._widen()
        self._relayout()
        self._put_time_at(left, LABEL_WIDTH)

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
        self._flashes.stop_all()
        if self._model is not None:
            self.delegate.room_first = self._model.lane_mode is not LaneMode.ROOMS
        bars.rebuild(self)
        if self._model is None:
            return
        self.rows.count = self._model.rowCount()
        self._typical_minutes = summaries.typical_minutes(self._model.cases())
        self._summary_data = None
        if self._selected is not None and self._selected not in self._items:
            self._select(None)
        if not self._hold_layout:
            self._relayout()

    def begin_load(self) -> None:
        """A load followed by ``configure``: lay the new items out once, there, not twice."""
        self._hold_layout = True

    def _room_code(self, room_id: int | None) -> str | None:
        room = self._model.room(room_id) if self._model is not None else None
        return room.code if room else None

    def _relayout(self) -> None:
        self.rows.count = self._model.rowCount() if self._model is not None else 0
        self.rows.set_tracks(self._model.track_counts() if self._model is not None else [])
        width = self.grid.width
        height = self.rows.height()
        vbar = self.verticalScrollBar()
        at_top = vbar.value() <= vbar.minimum()
        self._scene.setSceneRect(QRectF(-LABEL_WIDTH, -HEADER_HEIGHT,
                                        LABEL_WIDTH + width + 2, HEADER_HEIGHT + height + 2))
        if at_top:  # rows grown past the height (more lanes, stacked ones): still the top
            vbar.setValue(vbar.minimum())
        # The week's summaries; a day view keeps its bars (wrapped text reads down to
        # ~40 px, and a day's card per room would hide the order of its cases).
        self._summaries_on = self.mode is BoardMode.WEEK and not summaries.bars_readable(
            self.grid.px_per_minute, self._typical_minutes)
        bars.place_all(self)
        self._shading = painting.compute_shading(self)
        self._lay_out_summaries()
        self.resetCachedContent()  # the cached background holds the old shading and lines
        self.update_now_line()
        self.viewport().update()

    # -- room-day summaries ---------------------------------------------------------------

    def showing_summaries(self) -> bool:
        """Bars are too narrow to read at this zoom: each room-day shows its summary."""
        return self._summaries_on

    def summary_cards(self) -> list[list[tuple[QRectF, summaries.RoomDaySummary]]]:
        """Per row, the summaries painted and where (scene coordinates); empty lists
        while the bars are shown."""
        return self._summary_cards

    def _lay_out_summaries(self) -> None:
        self._summary_cards = []
        if not self._summaries_on or self._model is None:
            return
        if self._summary_data is None:
            model = self._model
            self._summary_data = summaries.summarise(model.rooms(), model.cases(), self.tz) \
                if model.lane_mode is LaneMode.ROOMS else summaries.summarise_lanes(
                    [model.cases_in_lane(row) for row in range(model.rowCount())], self.tz)
        self._summary_cards = reach.summary_cards(self, self._model, self._summary_data)

    def _cases_changed(self) -> None:
        """A case came, went or changed: the figures are stale. When shown they are redone
        once the event loop turns (a removal is announced before the case is gone, and a
        burst of changes from the feed costs one recount)."""
        self._summary_data = None
        if self._summaries_on and not self._summary_refresh_due:
            self._summary_refresh_due = True
            QTimer.singleShot(0, self._refresh_summaries)

    def _refresh_summaries(self) -> None:
        self._summary_refresh_due = False
        if self._summaries_on:
            self._lay_out_summaries()
            self.resetCachedContent()
            self.viewport().update()

    def shape_for(self, case: CaseSummary, room_id: int | None = None,
                  start: datetime | None = None, end: datetime | None = None,
                  lane: str | None = None) -> BarShape | None:
        return bars.shape_for(self, case, room_id, start, end, lane)

    def _place(self, item: CaseBarItem) -> None:
        bars.place_item(self, item)

    def _on_rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        bars.rows_inserted(self, parent, first, last)

    def _on_rows_removed(self, parent: QModelIndex, first: int, last: int) -> None:
        bars.rows_removed(self, parent, first, last)

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex,
                         roles: Any = ()) -> None:
        if self._model is None or not top_left.parent().isValid():
            return
        for number in bars.case_numbers(self, top_left.parent(), top_left.row(),
                                        bottom_right.row()):
            self.sync_item(number)
        self._cases_changed()

    def sync_item(self, case_number: str) -> None:
        """Re-read a case's bars from the model (after a write, or to snap a refused drop
        back)."""
        bars.sync_item(self, case_number)

    def is_saving(self, case_number: str) -> bool:
        """The bar's write went out and has not answered yet."""
        return case_number in self._saving

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
        """Highlight a bar briefly (someone else changed it); it fades over ``FLASH_MS``."""
        self._flashes.start(case_number)

    def is_flashing(self, case_number: str) -> bool:
        return case_number in self._flashes

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

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painting.draw_background(self, painter, rect)

    # -- foreground: the fixed header and room column ------------------------------------

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painting.draw_foreground(self, painter, rect)

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
        for old in bars.items_of(self, self._selected or ""):
            old.selected = False
            old.update()
        self._selected = case_number
        for new in bars.items_of(self, case_number or ""):
            new.selected = True
            new.update()
        self.selected_case_changed.emit(case_number or "")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        interaction.key_press(self, event)

    # -- mouse: select, drag, stretch ------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        interaction.mouse_press(self, event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        interaction.mouse_move(self, event)

    def shape_for_drop(self, drop: Drop, lane: str | None = None) -> BarShape | None:
        return bars.shape_for_drop(self, drop, lane)

    def ghost(self) -> GhostItem:
        return self._ghost

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        interaction.mouse_release(self, event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        interaction.mouse_double_click(self, event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        interaction.context_menu(self, event)

    def _cancel_drag(self) -> None:
        drag = self._drag
        self._drag = None
        self._ghost.setVisible(False)
        if drag is not None:
            self.sync_item(drag.item.case_number)

    # -- drops from the queue ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        interaction.drag_enter(self, event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        interaction.drag_move(self, event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        interaction.drag_leave(self, event)

    def dropEvent(self, event: QDropEvent) -> None:
        interaction.drop(self, event)


    # -- zoom: Ctrl+wheel and pinch ---------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        sideways = event.angleDelta().x() != 0 or bool(
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if self._home and sideways and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._widen_in_place()  # scrolling sideways reaches the night
        interaction.wheel(self, event)

    def viewportEvent(self, event: QEvent) -> bool:
        return interaction.viewport_event(self, event)

