"""Room-day summaries in the week view (issue 13 item 2): where bars are too narrow to
read, each room-day shows its cases, booked share of the room's hours, first start and a
warning mark; zooming in brings the bars back. Judged from the view's layout decision and
the cards it lays out, on hand-made data (times in UTC, rooms open 07:00-19:00 Mon-Fri)."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from surgdesk.ui.board import summaries
from surgdesk.ui.board.model import BoardModel
from surgdesk.ui.board.view import BoardMode, BoardView

from .dto_factories import DAY, case, room, snapshot

TUESDAY = DAY.date()
MONDAY = DAY - timedelta(days=1)
UTC_ZONE = ZoneInfo("UTC")


def _cases() -> list:  # type: ignore[type-arg]
    return [
        case(1, room_id=1, start_h=8, hours=1.5),  # Tue 08:00-09:30
        case(2, room_id=1, start_h=10, hours=2, conflicts=("surgeon_double_booked",)),
        case(3, room_id=1, start_h=24 + 13, hours=1),  # Wed 13:00-14:00
        case(4, room_id=2, start_h=6, hours=2),  # Tue 06:00-08:00: one hour in hours
    ]


@pytest.fixture
def week(qtbot: QtBot) -> tuple[BoardView, BoardModel]:
    view = BoardView()
    qtbot.addWidget(view)
    view.resize(1400, 500)
    view.show()
    qtbot.waitExposed(view)
    model = BoardModel(view)
    view.setModel(model)
    week_snapshot = snapshot(_cases(), rooms=[room(1), room(2)]).model_copy(
        update={"window_start": MONDAY, "window_end": MONDAY + timedelta(days=7)})
    model.load(week_snapshot)
    view.configure(tz=UTC_ZONE, start=MONDAY, end=MONDAY + timedelta(days=7),
                   mode=BoardMode.WEEK, snap_minutes=5, day_start=time(7), day_end=time(19))
    return view, model


def _cards(view: BoardView) -> dict[tuple[int, date], summaries.RoomDaySummary]:
    return {(s.room_id, s.day): s for row in view.summary_cards() for _rect, s in row}


def test_the_fitted_week_paints_summaries_not_bars(week: tuple[BoardView, BoardModel]) -> None:
    view, model = week
    assert view.showing_summaries()
    for item in (view.item_for(c.case_number) for c in model.cases()):
        assert item is not None
        assert not item.isVisible()
    cards = _cards(view)
    assert set(cards) == {(1, TUESDAY), (1, TUESDAY + timedelta(days=1)), (2, TUESDAY)}
    tuesday = cards[(1, TUESDAY)]
    assert (tuesday.cases, tuesday.booked_minutes, tuesday.open_minutes) == (2, 210, 720)
    assert tuesday.warning
    assert summaries.summary_lines(tuesday, UTC_ZONE) == ("2 cases · 29 % booked", "first 08:00")
    early = cards[(2, TUESDAY)]
    assert (early.cases, early.booked_minutes, early.warning) == (1, 60, False)
    assert summaries.summary_lines(early, UTC_ZONE) == ("1 case · 8 % booked", "first 06:00")
    wednesday = cards[(1, TUESDAY + timedelta(days=1))]
    assert (wednesday.cases, wednesday.booked_minutes, wednesday.warning) == (1, 60, False)


def test_each_card_covers_its_room_and_day(week: tuple[BoardView, BoardModel]) -> None:
    view, _model = week
    for row, cards in enumerate(view.summary_cards()):
        for rect, summary in cards:
            assert view.rows.row_at(rect.center().y()) == row
            midday = view.grid.time_at(rect.center().x())
            assert midday.date() == summary.day


def test_zooming_in_brings_the_bars_back(week: tuple[BoardView, BoardModel]) -> None:
    view, model = week
    typical = summaries.typical_minutes(model.cases())
    while view.showing_summaries():
        view.zoom_by(1.25)
    assert view.grid.px_per_minute * typical >= summaries.READABLE_BAR_PX
    assert view.grid.px_per_minute * typical / 1.25 < summaries.READABLE_BAR_PX  # not later
    assert view.summary_cards() == []
    for c in model.cases():
        item = view.item_for(c.case_number)
        assert item is not None
        assert item.isVisible()
    view.zoom_by(1 / 1.25)
    assert view.showing_summaries()  # and out again


def test_a_case_added_is_counted(qtbot: QtBot, week: tuple[BoardView, BoardModel]) -> None:
    view, model = week
    model.upsert_case(case(5, room_id=1, start_h=15, hours=1))  # Tue 15:00-16:00
    qtbot.waitUntil(lambda: _cards(view)[(1, TUESDAY)].cases == 3)
    assert _cards(view)[(1, TUESDAY)].booked_minutes == 270


def test_a_day_the_room_is_closed_says_so() -> None:
    saturday = TUESDAY + timedelta(days=4)
    weekend = case(6, room_id=1, start_h=4 * 24 + 9, hours=1)
    result = summaries.summarise([room(1)], [weekend], UTC_ZONE)
    summary = result[(1, saturday)]
    assert summary.open_minutes == 0
    assert summary.booked_share is None
    assert summaries.summary_lines(summary, UTC_ZONE)[0] == "1 case · room closed"


def test_the_day_view_shows_bars(qtbot: QtBot) -> None:
    view = BoardView()
    qtbot.addWidget(view)
    view.resize(1400, 500)
    view.show()
    qtbot.waitExposed(view)
    model = BoardModel(view)
    view.setModel(model)
    model.load(snapshot(_cases(), rooms=[room(1), room(2)]))
    view.configure(tz=UTC_ZONE, start=DAY, end=DAY + timedelta(days=1), mode=BoardMode.DAY,
                   snap_minutes=5, day_start=time(7), day_end=time(19))
    QApplication.processEvents()
    assert not view.showing_summaries()
    assert view.summary_cards() == []
