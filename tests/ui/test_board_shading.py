"""The board shades a room outside its open hours exactly where the services' "outside
hours" rule puts them: both read ``domain.room_hours.open_spans`` (issue 12 item 6)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from surgdesk.domain.room_hours import open_spans, outside_hours
from surgdesk.ui.board import painting
from surgdesk.ui.board.model import BoardModel
from surgdesk.ui.board.view import BoardMode, BoardView

from .dto_factories import room, snapshot

BERLIN = ZoneInfo("Europe/Berlin")
SPRING_FORWARD = datetime(2026, 3, 29, tzinfo=BERLIN)  # 02:00 -> 03:00 that night


def _board(qtbot: QtBot, opens_at: time, closes_at: time, day: datetime) -> BoardView:
    model = BoardModel()
    theatre = room(1).model_copy(update={"opens_at": opens_at, "closes_at": closes_at,
                                         "weekdays": (0, 1, 2, 3, 4, 5, 6)})
    model.load(snapshot([], rooms=[theatre]))
    view = BoardView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.configure(tz=BERLIN, start=day.astimezone(UTC),
                   end=(day + timedelta(days=1)).astimezone(UTC), mode=BoardMode.DAY,
                   snap_minutes=5, day_start=time(7), day_end=time(19), px_per_minute=1.0)
    return view


def _rounded(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(round(a, 3), round(b, 3)) for a, b in spans]


def _shaded(view: BoardView) -> list[tuple[float, float]]:
    return [(r.left(), r.right()) for r, kind in painting.compute_shading(view)[0]
            if kind == "hours"]


@pytest.mark.parametrize(("opens_at", "closes_at"), [(time(2, 30), time(18)),
                                                     (time(7), time(2, 30)),
                                                     (time(0), time(0))])
def test_shading_follows_the_rooms_open_spans_across_a_clock_change(
        qtbot: QtBot, opens_at: time, closes_at: time) -> None:
    view = _board(qtbot, opens_at, closes_at, SPRING_FORWARD)
    day = SPRING_FORWARD.date()
    spans = open_spans(opens_at, closes_at, range(7), day - timedelta(days=1),
                       day + timedelta(days=1), BERLIN)
    grid = view.grid
    expected: list[tuple[float, float]] = []
    cursor = 0.0
    for start, end in spans:
        x0 = min(grid.width, max(0.0, grid.x_for(start)))
        x1 = min(grid.width, grid.x_for(end))
        if x0 > cursor:
            expected.append((cursor, x0))
        cursor = max(cursor, x1)
    if cursor < grid.width:
        expected.append((cursor, grid.width))
    assert _rounded(_shaded(view)) == _rounded(expected)
    # And the service's rule agrees at the edges of each shaded stretch.
    for x0, x1 in _shaded(view):
        minute = timedelta(minutes=1)
        inside = grid.time_at((x0 + x1) / 2)
        assert outside_hours(inside, inside + minute, opens_at=opens_at, closes_at=closes_at,
                             weekdays=range(7), tz=BERLIN)


def test_a_room_open_round_the_clock_is_never_shaded(qtbot: QtBot) -> None:
    view = _board(qtbot, time(0), time(0), datetime(2026, 1, 13, tzinfo=BERLIN))
    assert _shaded(view) == []
