"""The wall display: masked, full of large type, and keeping time by itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QDockWidget, QMenuBar, QToolBar
from pytestqt.qtbot import QtBot

from surgdesk.config import DepartmentConfig, WallSection
from surgdesk.domain.enums import CaseStatus
from surgdesk.resources import load_palette
from surgdesk.services.context import FakeClock
from surgdesk.ui.board.items import NowLineItem
from surgdesk.ui.board.model import BoardRole
from surgdesk.ui.board.view import HEADER_HEIGHT, LABEL_WIDTH
from surgdesk.ui.idle_lock import IdleWatcher
from surgdesk.ui.wall import WallWindow
from surgdesk.ui.wall_theme import (
    MIN_CONTRAST,
    contrast_ratio,
    wall_theme,
)

from .helpers import settle
from .wall_helpers import MORNING, PASSWORD, fill_wall_demo, open_wall

_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, *BoardRole]


@pytest.fixture
def wall_url(sqlite_url: str) -> str:
    fill_wall_demo(sqlite_url)
    return sqlite_url


def _all_model_values(window: WallWindow) -> list[object]:
    model = window.controller.model
    values: list[object] = []
    for row in range(model.rowCount()):
        room = model.index(row, 0)
        for child in range(model.rowCount(room)):
            for column in range(model.columnCount(room)):
                index = model.index(child, column, room)
                values += [model.data(index, role) for role in _ROLES]
    return values


def test_wall_masks_every_patient_and_never_holds_names(qtbot: QtBot, wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    cases = window.controller.model.cases()
    assert len(cases) >= 5
    for case in cases:
        assert case.patient_masked
        assert (case.patient_name, case.patient_id, case.patient_dob) == (None, None, None)
    # The names exist (a scheduler sees them), yet nothing in the wall's model carries one.
    scheduler = window.services.auth.login("scheduler1", PASSWORD).actor
    names = {s.patient_name for s in window.services.cases.summaries_by_ids(
        scheduler, [c.id for c in cases])}
    names |= {s.patient_id for s in window.services.cases.summaries_by_ids(
        scheduler, [c.id for c in cases])}
    assert names
    assert None not in names
    text = repr(_all_model_values(window))
    assert not [n for n in names if n and n in text]
    window.close()


def test_wall_refuses_a_person_and_is_a_bare_full_board(qtbot: QtBot, wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    assert window.findChildren(QMenuBar) == []
    assert window.findChildren(QToolBar) == []
    assert window.findChildren(QDockWidget) == []
    assert window.findChildren(IdleWatcher) == []
    assert window.findChild(object, "wallClock") is window.clock_label
    assert window.legend.isVisible()
    assert window.board.objectName() == "orBoard"
    # A person's account cannot drive a wall.
    person = window.services.auth.login("viewer", PASSWORD).actor
    with pytest.raises(ValueError, match="device"):
        WallWindow(window.services, person, clock=FakeClock(MORNING))
    # An absent monitor falls back to the primary screen instead of failing.
    window.config = DepartmentConfig(wall=WallSection(monitor=15))
    assert window.target_screen() is not None
    window.close()


def test_text_is_readable_across_the_room_at_1920x1080(qtbot: QtBot, wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    view = window.board
    delegate = view.wall_delegate
    assert view.delegate is delegate  # the bars paint through the wall's delegate
    assert (window.width(), window.height()) == (1920, 1080)
    case_heights = [QFontMetricsF(delegate.title_font).height(),
                    QFontMetricsF(delegate.body_font).height()]
    assert min(case_heights) >= 24
    assert min(f.pixelSize() for f in (delegate.title_font, delegate.body_font)) >= 24
    room_code = QFontMetricsF(view.room_code_font).height()
    assert room_code > max(case_heights)
    assert QFontMetricsF(view.hour_font).height() >= 24
    assert QFontMetricsF(window.clock_label.font()).height() > room_code
    # Every bar is tall enough that both lines of case text are actually painted.
    model = view.model()
    assert model is not None
    for case in model.cases():
        rect = view.visualRect(model.case_index(case.case_number))
        assert rect.height() >= delegate.title_height + delegate.body_height
    # All rooms fit the height of the wall: nothing hides below the fold.
    assert view.rows.height() + 50 <= view.viewport().height()
    window.close()


@pytest.mark.parametrize("high_contrast", [False, True])
def test_text_contrast_is_at_least_7_to_1_from_the_palette(high_contrast: bool) -> None:
    theme = wall_theme(high_contrast, load_palette())
    for what, text, background in theme.text_pairs():
        ratio = contrast_ratio(text, background)
        assert ratio >= MIN_CONTRAST, f"{theme.name} {what}: {ratio:.2f}:1"
    assert set(theme.statuses) == set(CaseStatus)


def test_contrast_formula_and_the_high_contrast_theme_come_from_the_palette() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    palette = load_palette()
    # The desk palette's cancelled text is AA, not AAA: the wall darkens it.
    cancelled = palette["status"]["cancelled"]
    assert contrast_ratio(cancelled["text"], cancelled["fill"]) < MIN_CONTRAST
    hc = wall_theme(True, palette)
    assert hc.background.name() == palette["high_contrast"]["background"].lower()
    assert hc.header_text.name() == palette["high_contrast"]["foreground"].lower()
    assert hc.bar_border_width == palette["high_contrast"]["bar_border_width"]
    for status in CaseStatus:
        assert hc.style(status).fill.name() == palette["status"][status.value]["fill"].lower()


def test_statuses_differ_by_glyph_or_pattern_not_only_colour(qtbot: QtBot,
                                                             wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING), high_contrast=True)
    assert window.theme.name == "high_contrast"
    assert window.board.theme is window.theme
    labels = [label for label, _text, _bg in window.legend.entries()]
    assert {"Scheduled", "Pre-op ready", "In progress", "Completed"} <= set(labels)
    # Greyscale render of each legend status's glyph: all different.
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    from surgdesk.ui.board import palette

    shapes = set()
    for status in CaseStatus:
        image = QImage(32, 32, QImage.Format.Format_Grayscale8)
        image.fill(255)
        painter = QPainter(image)
        palette.draw_status_glyph(painter, status, QRectF(2, 2, 28, 28), Qt.GlobalColor.black)
        painter.end()
        shapes.add(bytes(image.constBits()))
    assert len(shapes) == len(CaseStatus)
    window.close()


def test_clock_and_now_line_follow_the_clock_and_stay_in_view(qtbot: QtBot,
                                                              wall_url: str) -> None:
    clock = FakeClock(MORNING)
    window = open_wall(qtbot, wall_url, clock)
    view = window.board
    assert window.clock_label.text() == "09:00"  # Berlin
    line = next(i for i in view.scene().items() if isinstance(i, NowLineItem))
    x0 = view.now_viewport_x()
    # "Now" sits a quarter of the way across the board area.
    assert x0 == pytest.approx(LABEL_WIDTH + 0.25 * (view.viewport().width() - LABEL_WIDTH),
                               abs=2)
    for hour in range(1, 10):
        clock.advance(timedelta(hours=1))
        window.tick()
        assert window.clock_label.text() == f"{9 + hour:02d}:00"
        x = view.now_viewport_x()
        if view.grid.start < clock.now() < view.grid.end:
            assert line.isVisible()
            assert line.line().x1() == pytest.approx(view.grid.x_for(clock.now()))
            assert LABEL_WIDTH < x < view.viewport().width(), f"now-line out of view at {hour}"
    # Within the view the line moves with time (scrolling aside, the scene x does).
    assert view.grid.x_for(clock.now()) > view.grid.x_for(MORNING)
    assert x0 > LABEL_WIDTH
    window.close()


def test_the_day_rolls_over_at_midnight_by_itself(qtbot: QtBot, wall_url: str) -> None:
    clock = FakeClock(datetime(2026, 1, 13, 22, 50, tzinfo=UTC))  # 23:50 in Berlin
    window = open_wall(qtbot, wall_url, clock)
    assert window.day == date(2026, 1, 13)
    before = {c.case_number for c in window.controller.model.cases()}
    clock.advance(timedelta(minutes=20))
    window.tick()
    settle(window)  # the new day's load landed
    assert window.clock_label.text() == "00:10"
    assert window.day == date(2026, 1, 14)
    assert window.controller.window is not None
    assert window.controller.window.first_day == date(2026, 1, 14)
    assert "14 January 2026" in window.date_label.text()
    after = window.controller.model.cases()
    assert after
    assert {c.case_number for c in after} != before
    day_start = datetime(2026, 1, 13, 23, 0, tzinfo=UTC)
    for case in after:
        assert case.scheduled_end is not None
        assert case.scheduled_end > day_start
        assert case.patient_name is None
    # Ticking again on the same day does not reload.
    window.controller.model.modelReset.connect(lambda: pytest.fail("reloaded twice"))
    clock.advance(timedelta(minutes=1))
    window.tick()
    window.close()



def test_rooms_beyond_the_height_are_shown_a_page_at_a_time(qtbot: QtBot,
                                                            wall_url: str) -> None:
    clock = FakeClock(MORNING)
    window = open_wall(qtbot, wall_url, clock)
    view = window.board
    bar = view.verticalScrollBar()
    assert bar.maximum() == bar.minimum()  # three rooms fit a 1080 wall: no paging
    window.resize(1920, 400)  # a short screen: three rooms no longer fit
    qtbot.waitUntil(lambda: bar.maximum() > bar.minimum(), timeout=10_000)
    assert view.rows.row_height >= view.wall_delegate.min_row_height()  # never squeezed
    seen: set[int] = set()
    for _ in range(4):
        window.tick()
        height = view.viewport().height()
        rects = {row: view.visualRect(window.controller.model.index(row, 0))
                 for row in range(view.rows.count)}
        seen |= {row for row, rect in rects.items() if rect.top() >= 50
                 and rect.bottom() <= height}
        # Whole rooms only: none is cut in half at the top or the bottom of a page.
        for rect in rects.values():
            # (a few pixels of the next page's first row are a border, not a cut room)
            hidden = rect.bottom() <= HEADER_HEIGHT + 3 or rect.top() >= height - 3
            assert hidden or (rect.top() >= HEADER_HEIGHT - 3 and rect.bottom() <= height + 3)
        clock.advance(timedelta(seconds=20))
    assert seen == set(range(view.rows.count))
    window.close()
