"""The day view opens on the department's day-view hours (issue 13 item 1): fitted to the
width, the night still within reach by zooming or scrolling sideways, a case outside the
shown hours an edge marker at the view's edge in its row."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from surgdesk.app import create_main_window
from surgdesk.services.context import FakeClock
from surgdesk.ui.board.layout import LABEL_WIDTH
from surgdesk.ui.board.model import BoardModel
from surgdesk.ui.board.view import BoardMode, BoardView
from surgdesk.ui.main_window import MainWindow

from .conftest import BOARD_DAY, DEMO_PASSWORD, NOW
from .dto_factories import DAY, case, snapshot
from .helpers import settle

NIGHT = "2026-000002"  # 02:00-03:00
DAYTIME = "2026-000001"  # 08:00-09:30
EVENING = "2026-000003"  # 20:00-21:00


@pytest.fixture
def view(qtbot: QtBot) -> BoardView:
    board = BoardView()
    qtbot.addWidget(board)
    board.resize(1200, 400)
    board.show()
    qtbot.waitExposed(board)
    model = BoardModel(board)
    board.setModel(model)
    model.load(snapshot([case(1, start_h=8), case(2, start_h=2, hours=1),
                         case(3, start_h=20, hours=1)]))
    board.configure(tz=ZoneInfo("UTC"), start=DAY, end=DAY + timedelta(days=1),
                    mode=BoardMode.DAY, snap_minutes=5, day_start=time(7), day_end=time(19))
    return board


def _time_at_viewport(board: BoardView, x: float) -> datetime:
    return board.grid.time_at(board.mapToScene(QPoint(int(x), 0)).x())


def test_the_day_view_opens_on_the_day_hours_fitted(view: BoardView) -> None:
    assert view.showing_day_hours()
    assert (view.grid.start, view.grid.end) == (DAY + timedelta(hours=7),
                                                DAY + timedelta(hours=19))
    bar = view.horizontalScrollBar()
    assert bar.maximum() <= bar.minimum()  # the hours fill the width: nothing to scroll
    assert abs((_time_at_viewport(view, LABEL_WIDTH) - view.grid.start).total_seconds()) < 120


def test_a_case_outside_the_hours_is_an_edge_marker_in_its_row(view: BoardView) -> None:
    night, evening, daytime = (view.item_for(n) for n in (NIGHT, EVENING, DAYTIME))
    assert night is not None
    assert evening is not None
    assert daytime is not None
    assert night.isVisible()
    assert evening.isVisible()
    assert night.local_shape.edge == -1
    assert night.scene_bar().left() == 0
    assert evening.local_shape.edge == 1
    assert evening.scene_bar().right() == pytest.approx(view.grid.width)
    assert view.rows.row_at(night.scene_bar().center().y()) == 0  # its room's row
    assert daytime.local_shape.edge == 0
    assert view.delegate.bar_text(night.case, night.local_shape).procedure_shown == ""


def test_zooming_out_reaches_the_night(view: BoardView) -> None:
    anchor = view.viewport().width() / 2
    before = _time_at_viewport(view, anchor)
    view.zoom_by(0.8, anchor)
    assert not view.showing_day_hours()
    assert (view.grid.start, view.grid.end) == (DAY, DAY + timedelta(days=1))
    assert abs((_time_at_viewport(view, anchor) - before).total_seconds()) < 120
    night = view.item_for(NIGHT)
    assert night is not None
    assert night.local_shape.edge == 0
    assert night.scene_bar().left() == pytest.approx(view.grid.x_for(DAY + timedelta(hours=2)))


def test_scrolling_sideways_reaches_the_night_at_the_same_zoom(qtbot: QtBot,
                                                                view: BoardView) -> None:
    zoom = view.grid.px_per_minute
    left = _time_at_viewport(view, LABEL_WIDTH)
    event = QWheelEvent(QPointF(600, 100), QPointF(view.mapToGlobal(QPoint(600, 100))),
                        QPoint(0, 0), QPoint(120, 0), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert not view.showing_day_hours()
    assert view.grid.px_per_minute == zoom
    assert view.grid.start == DAY
    assert _time_at_viewport(view, LABEL_WIDTH) < left  # scrolled towards the night
    view.show_day_hours()
    assert view.showing_day_hours()


def test_scroll_to_a_night_case_widens_and_selects_it(view: BoardView) -> None:
    assert view.scroll_to_case(NIGHT)
    assert view.selected_case() == NIGHT
    item = view.item_for(NIGHT)
    assert item is not None
    assert item.local_shape.edge == 0
    shown = view.mapFromScene(item.scene_bar()).boundingRect()
    assert view.viewport().rect().contains(shown.center())
    assert shown.left() >= LABEL_WIDTH
    assert not view.scroll_to_case("no-such-case")


@pytest.fixture
def demo_window(qtbot: QtBot, demo_url: str) -> Iterator[MainWindow]:
    """The main window as a person opens it (not open_window's whole-day board)."""
    window = create_main_window(demo_url, username="scheduler1", password=DEMO_PASSWORD,
                                day=BOARD_DAY, clock=FakeClock(NOW))
    qtbot.addWidget(window)
    window.resize(1700, 900)
    window.show()
    qtbot.waitExposed(window)
    settle(window)
    yield window
    window.close()


def test_the_main_window_opens_the_demo_day_on_its_day_hours(demo_window: MainWindow) -> None:
    board_window = demo_window
    board = board_window.board
    tz = board.tz
    assert board.showing_day_hours()
    assert board.grid.start == datetime.combine(BOARD_DAY, board.day_start, tzinfo=tz)
    assert board.grid.end == datetime.combine(BOARD_DAY, board.day_end, tzinfo=tz)
    model = board.model()
    assert model is not None
    outside = [c for c in model.cases() if c.scheduled_end is not None
               and c.scheduled_end.astimezone(UTC) <= board.grid.start]
    assert outside  # the demo day has a night case
    for c in outside:
        item = board.item_for(c.case_number)
        assert item is not None
        assert item.local_shape.edge == -1
    board_window.refresh()  # a refresh keeps the day hours
    settle(board_window)
    assert board.showing_day_hours()
