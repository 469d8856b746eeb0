"""The grid maps time to x and back; the delegate tells move from stretch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPointF, QRectF

from surgdesk.ui.board.delegate import EDGE_PX, BarDelegate
from surgdesk.ui.board.grid import DragMode, Grid, RowController

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 1, 13, 6, 0, tzinfo=UTC)


def test_time_and_x_round_trip() -> None:
    grid = Grid(BERLIN, START, START + timedelta(hours=12), px_per_minute=2.0)
    when = START + timedelta(hours=3, minutes=25)
    assert grid.x_for(when) == 410.0
    assert grid.time_at(410.0) == when
    assert grid.width == 12 * 60 * 2.0


@pytest.mark.parametrize(("minute", "snapped"), [(2, 0), (3, 5), (7, 5), (8, 10)])
def test_snap_rounds_to_five_minutes(minute: int, snapped: int) -> None:
    grid = Grid(BERLIN, START, START + timedelta(hours=12), snap_minutes=5)
    assert grid.snap(START + timedelta(minutes=minute)) == START + timedelta(minutes=snapped)


def test_snap_follows_the_department_wall_clock() -> None:
    # Kathmandu is UTC+5:45: a 30-minute snap lands on :00 and :30 local time.
    grid = Grid(ZoneInfo("Asia/Kathmandu"), START, START + timedelta(hours=12), snap_minutes=30)
    snapped = grid.snap(START + timedelta(minutes=7))
    assert snapped.astimezone(ZoneInfo("Asia/Kathmandu")).minute in (0, 30)


def test_ticks_are_on_local_hours_across_a_dst_change() -> None:
    day = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)  # clocks jump 02:00 -> 03:00
    grid = Grid(BERLIN, day, day + timedelta(hours=6), px_per_minute=1.0)
    hours = [t.astimezone(BERLIN).hour for t in grid.ticks(60)]
    assert hours[:4] == [0, 1, 3, 4]


def test_rows_map_y_to_rooms() -> None:
    rows = RowController(50)
    rows.count = 3
    assert rows.row_at(10) == 0
    assert rows.row_at(149) == 2
    assert rows.row_at(150) is None
    assert rows.row_at(-1) is None
    assert rows.clamp_row(1000) == 2


def test_hit_test_edges_stretch_and_the_middle_moves() -> None:
    delegate = BarDelegate(BERLIN)
    bar = QRectF(100, 10, 120, 40)
    assert delegate.hit_test(bar, QPointF(160, 30)) is DragMode.MOVE
    assert delegate.hit_test(bar, QPointF(bar.right() - EDGE_PX + 1, 30)) is DragMode.STRETCH_END
    assert delegate.hit_test(bar, QPointF(bar.left() + 2, 30)) is DragMode.STRETCH_START
    assert delegate.hit_test(bar, QPointF(400, 30)) is DragMode.NONE
    # A bar clipped at the window's end (it goes on tomorrow) has no right-edge stretch.
    assert delegate.hit_test(bar, QPointF(bar.right() - 1, 30),
                             clipped_end=True) is DragMode.MOVE
    # Narrow bars only move.
    assert delegate.hit_test(QRectF(0, 0, 10, 40), QPointF(9, 20)) is DragMode.MOVE
