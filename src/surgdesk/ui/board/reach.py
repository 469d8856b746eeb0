"""What the board view shows: the span scrolling can reach, the department's day-view hours
within it, scrolling a rectangle clear of the fixed overlays, and where the week's room-day
summary cards go. Functions of the view (like ``painting`` and ``interaction``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF

from surgdesk.ui.board import summaries
from surgdesk.ui.board.layout import BAR_PAD, HEADER_HEIGHT, LABEL_WIDTH, BoardMode

if TYPE_CHECKING:
    from surgdesk.ui.board.model import BoardModel
    from surgdesk.ui.board.view import BoardView


def reach_for(view: BoardView, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """What scrolling can reach: the window asked for, widened to the loaded one (in
    the day view the whole department day, its night included)."""
    model = view.model()
    if view.mode is not BoardMode.DAY or not view.opens_on_day_hours or model is None:
        return start, end
    loaded_start, loaded_end = model.window_start, model.window_end
    if loaded_start is None or loaded_end is None or loaded_start >= end \
            or loaded_end <= start:
        return start, end  # not the window asked for (a test's hand-made board)
    return min(start, loaded_start), max(end, loaded_end)


def day_hours_span(view: BoardView) -> tuple[datetime, datetime] | None:
    """The department's day-view hours on the day shown, within reach (None: not the
    desk's day view, or the hours are the whole reach anyway)."""
    if view.mode is not BoardMode.DAY or not view.opens_on_day_hours:
        return None
    reach_start, reach_end = view._reach
    # The day shown is the one the reach's middle falls on (a night case the day
    # before may widen the reach's start, never its middle past midnight).
    middle = reach_start + (reach_end - reach_start) / 2
    day = middle.astimezone(view.tz).date()
    start = datetime.combine(day, view.day_start, tzinfo=view.tz).astimezone(UTC)
    end_day = day if view.day_end > view.day_start else day + timedelta(days=1)
    end = datetime.combine(end_day, view.day_end, tzinfo=view.tz).astimezone(UTC)
    start, end = max(start, reach_start), min(end, reach_end)
    if end <= start or (start, end) == (reach_start, reach_end):
        return None
    return start, end


def reveal(view: BoardView, scene_rect: QRectF, margin: int = 24) -> None:
    """Scroll so ``scene_rect`` shows clear of the fixed room column and time header
    (QGraphicsView.ensureVisible knows nothing of those overlays); its start first
    when it is wider than the view."""
    shown = view.mapFromScene(scene_rect).boundingRect()
    width, height = view.viewport().width(), view.viewport().height()
    hbar, vbar = view.horizontalScrollBar(), view.verticalScrollBar()
    if shown.left() < LABEL_WIDTH + margin or shown.right() > width - margin:
        if shown.width() > width - LABEL_WIDTH - 2 * margin or \
                shown.left() < LABEL_WIDTH + margin:
            hbar.setValue(hbar.value() + shown.left() - int(LABEL_WIDTH) - margin)
        else:
            hbar.setValue(hbar.value() + shown.right() - width + margin)
    if shown.top() < HEADER_HEIGHT + 4:
        vbar.setValue(vbar.value() + shown.top() - int(HEADER_HEIGHT) - 4)
    elif shown.bottom() > height - 4:
        vbar.setValue(vbar.value() + shown.bottom() - height + 4)


def summary_cards(view: BoardView, model: BoardModel,
                  figures: Mapping[tuple[int, date], summaries.RoomDaySummary]
                  ) -> list[list[tuple[QRectF, summaries.RoomDaySummary]]]:
    """Per row, each room-day's card rectangle (scene coordinates) and its figures."""
    rows: list[list[tuple[QRectF, summaries.RoomDaySummary]]] = [
        [] for _ in range(view.rows.count)]
    for (room_id, day), summary in sorted(figures.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        row = summary.lane_row if summary.lane_row is not None else model.room_row(room_id)
        if row is None or row >= view.rows.count:
            continue
        x0 = max(0.0, view.grid.x_for(datetime.combine(day, time(0), tzinfo=view.tz)))
        x1 = min(view.grid.width, view.grid.x_for(
            datetime.combine(day + timedelta(days=1), time(0), tzinfo=view.tz)))
        if x1 - x0 >= 8:
            rows[row].append((QRectF(x0 + 2, view.rows.top(row) + BAR_PAD,
                                     x1 - x0 - 4, view.rows.span(row) - 2 * BAR_PAD),
                              summary))
    return rows
