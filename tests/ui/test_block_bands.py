"""Block bands on the board (issue 14 item 4): a band per occurrence under the cases, its
label chosen by width, released ones flagged and hatched, the hover's text; laid out once
per layout and looked up per row. Hand-made DTOs, no database (except the feed test)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QHelpEvent, QImage
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.changes import Change, ChangeService
from surgdesk.services.dto import OccurrenceView
from surgdesk.ui.board import bands
from surgdesk.ui.board.model import BoardModel
from surgdesk.ui.board.view import BoardMode, BoardView
from surgdesk.ui.fonts import ui_font_family

from .dto_factories import DAY, case, room, snapshot

UTC_ZONE = ZoneInfo("UTC")

def occurrence(block_id: int, *, room_id: int = 1, start_h: float = 8, hours: float = 8,
               day: datetime = DAY, **overrides: Any) -> OccurrenceView:
    start = day + timedelta(hours=start_h)
    values: dict[str, Any] = dict(
        block_id=block_id, room_id=room_id, room_code=f"OR-{room_id:02d}", day=start.date(),
        start=start, end=start + timedelta(hours=hours),
        owner_label="Dr Lena Moreau (orthopedics)", colour_key="orthopedics",
        surgeon_user_id=5, service=None, released=False, released_by_rule=False,
        release_reason=None, released_by_name=None, released_days_ahead=None,
        used_minutes=240, block_minutes=int(hours * 60), utilization=240 / (hours * 60))
    values.update(overrides)
    return OccurrenceView(**values)

RELEASED: dict[str, Any] = dict(released=True, released_days_ahead=3, release_reason="Congress",
                released_by_name="Sam Scheduler")

def board(qtbot: QtBot, occurrences: list[OccurrenceView], *, rooms: int = 3,
          days: int = 1, mode: BoardMode = BoardMode.DAY, cases: Any = ()) -> BoardView:
    model = BoardModel()
    model.load(snapshot(list(cases), rooms=[room(n) for n in range(1, rooms + 1)]))
    bands.block_bands(model).load(tuple(occurrences))
    view = BoardView()
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.setModel(model)
    view.configure(tz=UTC_ZONE, start=DAY, end=DAY + timedelta(days=days), mode=mode,
                   snap_minutes=5, day_start=time(0), day_end=time(0), px_per_minute=1.0)
    return view

def test_each_occurrence_is_a_band_in_its_rooms_row_and_a_released_one_is_flagged(
        qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(1), occurrence(2, room_id=2, **RELEASED),
                         occurrence(3, room_id=3, released=True, released_by_rule=True)])
    rows = bands.block_bands(view.model()).rows(view)  # type: ignore[arg-type]
    [own], [hand], [rule] = (r.bands for r in rows)
    assert own.rect == QRectF(8 * 60, 0, 8 * 60, view.rows.row_height)
    assert own.rect.top() == view.rows.top(0)
    assert hand.rect.top() == view.rows.top(1)
    assert bands.release_text(own.occurrence) is None
    assert bands.release_text(hand.occurrence) == "released 3 d ahead"
    assert bands.release_text(rule.occurrence) == "released automatically"

def test_a_band_outside_the_window_or_in_an_unknown_room_is_left_out(qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(1, day=DAY + timedelta(days=3)),
                         occurrence(2, room_id=99), occurrence(3, start_h=-2, hours=4)])
    rows = bands.block_bands(view.model()).rows(view)  # type: ignore[arg-type]
    [clipped] = rows[0].bands
    assert clipped.occurrence.block_id == 3
    assert (clipped.rect.left(), clipped.rect.right()) == (0, 2 * 60)  # clipped at the edge

def test_the_label_is_the_longest_that_fits_and_none_on_a_narrow_band(qtbot: QtBot) -> None:
    font = QFont(ui_font_family())
    font.setPixelSize(11)
    metrics = QFontMetricsF(font)

    def fits(text: str) -> float:  # a band just wide enough for ``text``
        return metrics.horizontalAdvance(text) + 2 * bands.LABEL_PAD + 1

    surgeon = occurrence(1)
    service = occurrence(2, service="orthopedics", surgeon_user_id=None,
                         owner_label="Orthopedics service")
    released = occurrence(3, **RELEASED)
    assert bands.label_for(surgeon, 600, metrics) == "Dr Lena Moreau (orthopedics)"
    assert bands.label_for(surgeon, fits("Dr Lena Moreau"), metrics) == "Dr Lena Moreau"
    assert bands.label_for(surgeon, fits("L. Moreau"), metrics) == "L. Moreau"
    assert bands.label_for(surgeon, fits("Moreau"), metrics) == "Moreau"
    assert bands.label_for(service, fits("Orthopedics"), metrics) == "Orthopedics"
    assert bands.label_for(surgeon, fits("Moreau") - 2, metrics) == ""
    assert bands.label_for(surgeon, 20, metrics) == ""
    assert bands.label_for(released, 600, metrics) == \
        "Dr Lena Moreau (orthopedics) · released 3 d ahead"
    assert bands.label_for(released, fits("released 3 d ahead"), metrics) == \
        "released 3 d ahead"
    assert bands.label_for(released, fits("released"), metrics) == "released"


def test_hover_on_a_band_names_owner_hours_share_and_release(qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(1, **RELEASED), occurrence(2, room_id=2)])
    inside = view.mapFromScene(QPointF(9 * 60, view.rows.top(0) + 20))
    tip = bands.tooltip_at(view, QPointF(inside))
    assert tip is not None
    assert "Block: Dr Lena Moreau (orthopedics)" in tip
    assert "OR-01 · Tue 13 Jan 08:00–16:00" in tip
    assert "Booked: 240 of 480 min (50 %)" in tip
    assert "over the block's minutes" in tip  # the definition beside the number
    assert "Released 3 d ahead by Sam Scheduler: Congress" in tip
    other = bands.tooltip_at(view, QPointF(view.mapFromScene(
        QPointF(9 * 60, view.rows.top(1) + 20))))
    assert other is not None
    assert "Not released" in other
    outside = view.mapFromScene(QPointF(17 * 60, view.rows.top(0) + 20))
    assert bands.tooltip_at(view, QPointF(outside)) is None
    assert bands.tooltip_at(view, QPointF(10, 10)) is None  # the fixed header corner

def test_bands_are_laid_out_once_per_layout_not_per_paint(qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(1)])
    store = bands.block_bands(view.model())  # type: ignore[arg-type]
    first = store.rows(view)
    assert store.rows(view) is first
    view.zoom_by(2.0)
    again = store.rows(view)
    assert again is not first
    assert again[0].bands[0].rect.width() == 2 * first[0].bands[0].rect.width()

def test_a_row_answers_only_the_bands_in_an_exposed_stretch(qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(n, start_h=n * 24 + 8, day=DAY) for n in range(7)],
                 days=7, mode=BoardMode.WEEK)
    row = bands.block_bands(view.model()).rows(view)[0]  # type: ignore[arg-type]
    day = 24 * 60
    found = row.between(2 * day, 4 * day)
    assert [b.occurrence.block_id for b in found] == [2, 3]

def _pixel(view: BoardView, scene: QPointF) -> QColor:
    image = QImage(view.viewport().size(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    view.viewport().render(image)
    point: QPoint = view.mapFromScene(scene)
    return image.pixelColor(point)

def test_a_band_is_tinted_lighter_than_the_bars_and_a_released_one_washed_out(
        qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(1), occurrence(2, room_id=2, **RELEASED)],
                 cases=[case(1, start_h=8, hours=2)])
    view.show()
    qtbot.waitExposed(view)
    free = QPointF(13 * 60 + 7, view.rows.top(0) + view.rows.row_height / 2)
    empty = QPointF(20 * 60, view.rows.top(0) + view.rows.row_height / 2)
    released = QPointF(13 * 60 + 7, view.rows.top(1) + view.rows.row_height / 2)
    band, row, washed = _pixel(view, free), _pixel(view, empty), _pixel(view, released)
    assert band != row  # the band shows where the block is free
    assert band.lightness() > 180  # light: the bars on it stay readable
    assert washed.lightness() >= band.lightness()  # released: lighter than a held block

def test_a_reset_model_forgets_its_bands(qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(1)])
    model = view.model()
    assert model is not None
    model.load_empty()  # signing out
    assert bands.block_bands(model).occurrences() == ()

def test_colours_are_stable_per_service_and_differ_between_common_ones() -> None:
    assert bands.colour_for("Orthopedics") == bands.colour_for("orthopedics")
    assert bands.colour_for("orthopedics") != bands.colour_for("general")
    assert bands.colour_for("some new service") == bands.colour_for("Some New Service")
    assert bands.colour_for(None) == QColor(bands.UNKNOWN_COLOUR)

def test_a_block_change_on_the_feed_reloads_the_board(sqlite_url: str) -> None:
    db = Database(make_nullpool_engine(sqlite_url))
    try:
        feed = ChangeService(db)
        for table in ("or_block", "or_block_exception", "or_block_release"):
            assert feed.impact([Change(1, table, 7, 2, "update", None)]).reload
        assert not feed.impact([Change(1, "case_note", 7, 2, "insert", None)]).reload
    finally:
        db.dispose()


def test_a_label_goes_in_the_free_stretches_of_a_band() -> None:
    assert bands.free_stretches(0, 100, []) == [(0, 100)]
    assert bands.free_stretches(0, 100, [(-10, 20), (30, 40), (35, 50), (90, 120)]) == \
        [(20, 30), (50, 90)]
    assert bands.free_stretches(0, 100, [(-5, 200)]) == []
    assert bands.free_stretches(10, 20, [(0, 5), (25, 30)]) == [(10, 20)]


def test_the_boards_tooltip_over_a_free_band_is_the_bands(qtbot: QtBot) -> None:
    view = board(qtbot, [occurrence(1, **RELEASED)], cases=[case(1, start_h=8, hours=1)])
    view.show()
    qtbot.waitExposed(view)
    point = view.mapFromScene(QPointF(12 * 60, view.rows.top(0) + 20))
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    assert "Block: Dr Lena Moreau (orthopedics)" in QToolTip.text()
    assert "Released 3 d ahead" in QToolTip.text()
    QToolTip.hideText()
