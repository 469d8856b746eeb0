"""The wall's pages, room labels, now-line and block bands (issue 13 item 4, issue 14
item 4): rooms split evenly over pages with a "1 / 2" indicator; a room's code whole and
the longest short name that fits; the now-line under the bars; today's blocks faint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from surgdesk.services.context import FakeClock
from surgdesk.services.dto import OccurrenceView
from surgdesk.ui.board import bands
from surgdesk.ui.board.items import BAR_Z, CaseBarItem, NowLineItem
from surgdesk.ui.board.view import HEADER_HEIGHT
from surgdesk.ui.wall import WallWindow
from surgdesk.ui.wall_view import (
    PAGE_SECONDS,
    room_name_that_fits,
    short_room_names,
    split_pages,
)
from tests.services.factories import add_room

from .wall_helpers import MORNING, fill_wall_demo, open_wall

# ---- the split, pure -------------------------------------------------------------------


def test_twelve_rooms_where_ten_fit_are_six_and_six() -> None:
    assert [len(p) for p in split_pages(12, 10)] == [6, 6]
    assert [len(p) for p in split_pages(13, 10)] == [7, 6]
    assert [len(p) for p in split_pages(21, 10)] == [7, 7, 7]
    assert split_pages(3, 10) == [range(3)]
    assert split_pages(0, 10) == [range(0)]


@settings(max_examples=120)
@given(rooms=st.integers(1, 400), fit=st.integers(1, 60))
def test_pages_cover_every_room_once_evenly_in_as_few_pages_as_fit(rooms: int,
                                                                   fit: int) -> None:
    pages = split_pages(rooms, fit)
    assert [r for page in pages for r in page] == list(range(rooms))
    assert len(pages) == -(-rooms // fit)  # no more pages than needed
    sizes = [len(p) for p in pages]
    assert max(sizes) <= fit
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)


# ---- room names, pure -----------------------------------------------------------------


def test_a_room_s_short_names_longest_first() -> None:
    assert short_room_names("Theatre 3 (Orthopedics)") == [
        "Theatre 3 (Orthopedics)", "Orthopedics"]
    assert short_room_names("Emergency theatre 1") == ["Emergency theatre 1", "Emergency"]
    assert short_room_names("Hybrid OR") == ["Hybrid OR", "Hybrid"]


def test_the_longest_name_that_fits_whole_else_the_name_elided() -> None:
    def fits(width: int):  # type: ignore[no-untyped-def]
        return lambda text: len(text) <= width

    def elide(text: str) -> str:
        return text[:5] + "…"

    assert room_name_that_fits("Theatre 3 (Orthopedics)", fits(30), elide) \
        == "Theatre 3 (Orthopedics)"
    assert room_name_that_fits("Theatre 3 (Orthopedics)", fits(12), elide) == "Orthopedics"
    assert room_name_that_fits("Theatre 3 (Orthopedics)", fits(4), elide) == "Theat…"


# ---- on the wall --------------------------------------------------------------------------


@pytest.fixture
def twelve_room_wall(qtbot: QtBot, sqlite_url: str) -> WallWindow:
    fill_wall_demo(sqlite_url)  # three rooms with cases
    from surgdesk.repository.database import Database, make_nullpool_engine

    db = Database(make_nullpool_engine(sqlite_url))
    try:
        for n in range(9):
            add_room(db, f"OR-X{n}", name=f"Theatre {n + 4} (Orthopedics)")
    finally:
        db.dispose()
    return open_wall(qtbot, sqlite_url, FakeClock(MORNING))


def whole_rows_on_screen(window: WallWindow) -> set[int]:
    view = window.board
    height = view.viewport().height()
    shown = set()
    for row in range(view.rows.count):
        top = view.mapFromScene(0, view.rows.top(row)).y()
        bottom = top + view.rows.row_height
        if top < height - 3 and bottom > HEADER_HEIGHT + 3:
            assert top >= HEADER_HEIGHT - 3, f"row {row} cut at the top"
            assert bottom <= height + 3, f"row {row} cut at the bottom"
            shown.add(row)
    return shown


def test_twelve_rooms_page_six_and_six_with_an_indicator(twelve_room_wall: WallWindow) -> None:
    window = twelve_room_wall
    view = window.board
    clock = window.clock
    assert isinstance(clock, FakeClock)
    fit = int((view.viewport().height() - HEADER_HEIGHT - 2)
              // view.wall_delegate.min_row_height())
    assert 6 <= fit < 12, "the wall's height should hold between 6 and 11 rooms"
    assert [len(p) for p in view.pages()] == [6, 6]
    # Step to the first page's turn (the page follows the clock).
    while int(clock.now().timestamp() // PAGE_SECONDS) % 2:
        clock.advance(timedelta(seconds=PAGE_SECONDS))
    window.tick()
    assert whole_rows_on_screen(window) == set(range(6))
    assert window.page_label.isVisible()
    assert window.page_label.text().endswith("1 / 2")
    clock.advance(timedelta(seconds=PAGE_SECONDS))
    window.tick()
    assert whole_rows_on_screen(window) == set(range(6, 12))
    assert window.page_label.text().endswith("2 / 2")
    window.close()


def test_one_page_shows_no_indicator(qtbot: QtBot, sqlite_url: str) -> None:
    fill_wall_demo(sqlite_url)
    window = open_wall(qtbot, sqlite_url, FakeClock(MORNING))
    assert len(window.board.pages()) == 1
    assert not window.page_label.isVisible()
    window.close()


def test_room_labels_fit_the_column_without_cutting_the_name(
        twelve_room_wall: WallWindow) -> None:
    view = twelve_room_wall.board
    model = view.model()
    assert model is not None
    width = 192.0  # the label column less its margins
    for room in model.rooms():
        label = view.room_label(room, width)
        assert view._room_name_metrics.horizontalAdvance(label) <= width
        assert not label.endswith("…"), label  # a short name fits: nothing cut
    twelve_room_wall.close()


def test_the_now_line_runs_under_the_bars(twelve_room_wall: WallWindow) -> None:
    items = twelve_room_wall.board.scene().items()
    line = next(i for i in items if isinstance(i, NowLineItem))
    bars = [i for i in items if isinstance(i, CaseBarItem)]
    assert bars
    assert all(line.zValue() < bar.zValue() for bar in bars)
    assert line.zValue() < BAR_Z
    twelve_room_wall.close()


def _background_at(window: WallWindow, rect: QRectF) -> QColor:
    image = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.translate(-rect.left(), -rect.top())
    window.board.drawBackground(painter, rect)
    painter.end()
    return image.pixelColor(image.width() // 2, image.height() // 2)


def test_today_s_blocks_lie_faintly_under_the_bars(qtbot: QtBot, sqlite_url: str) -> None:
    fill_wall_demo(sqlite_url)
    window = open_wall(qtbot, sqlite_url, FakeClock(MORNING))
    view = window.board
    model = view.model()
    assert model is not None
    room = model.rooms()[0]
    start = MORNING.replace(hour=6)  # 07:00-15:00 in Berlin
    occurrence = OccurrenceView(
        block_id=1, room_id=room.id, room_code=room.code, day=start.date(), start=start,
        end=start + timedelta(hours=8), owner_label="Orthopedics", colour_key="orthopedics",
        surgeon_user_id=None, service="orthopedics", released=False, released_by_rule=False,
        release_reason=None, released_by_name=None, released_days_ahead=None,
        used_minutes=0, block_minutes=480, utilization=0.0)
    row = model.room_row(room.id)
    assert row is not None
    x = view.grid.x_for(start + timedelta(hours=1))
    spot = QRectF(x, view.rows.top(row) + 4, 20, 20)
    before = _background_at(window, spot)
    bands.block_bands(model).load((occurrence,))
    after = _background_at(window, spot)
    assert after != before  # the band is painted
    # ... faintly: the row's colour shows through (well under the desk's tint).
    assert max(abs(after.red() - before.red()), abs(after.green() - before.green()),
               abs(after.blue() - before.blue())) <= 40
    window.close()



def test_the_wall_keeps_its_own_window_not_the_desk_s_day_hours(
        qtbot: QtBot, sqlite_url: str) -> None:
    fill_wall_demo(sqlite_url)
    window = open_wall(qtbot, sqlite_url, FakeClock(MORNING))
    view = window.board
    assert not view.showing_day_hours()  # the desk's fitted day-view hours are not used
    shown = window.controller.window
    assert shown is not None
    assert (view.grid.start, view.grid.end) == (shown.visible_start, shown.visible_end)
    window.close()
