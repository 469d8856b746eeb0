"""Day and week views, cases across midnight, and the offscreen export."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QImage, QNativeGestureEvent, QPointingDevice, QWheelEvent
from PySide6.QtWidgets import QApplication, QToolTip
from pytestqt.qtbot import QtBot

from surgdesk.errors import RoomConflict
from surgdesk.services.context import ANONYMOUS
from surgdesk.ui.board.export import render_board_file
from surgdesk.ui.board.view import BoardMode
from surgdesk.ui.main_window import MainWindow

from .conftest import BOARD_DAY, DEMO_START
from .helpers import bar_centre, find_index, movable_case, settle


def test_a_case_across_midnight_shows_on_both_days(board_window: MainWindow) -> None:
    window = board_window
    tz = ZoneInfo(window.services.settings.get(window.actor).time_zone)
    surgeon = window.controller.model.cases()[0].lead_surgeon_username
    start = datetime.combine(BOARD_DAY, datetime.min.time(), tzinfo=tz) + timedelta(hours=22,
                                                                                   minutes=30)
    result = None
    for room in window.controller.model.rooms():
        try:
            result = window.services.cases.create_case(
                window.actor, procedure_name="Night laparotomy", patient_id="MRN-NIGHT",
                patient_name="Night Patient", lead_surgeon=surgeon, room=room.code,
                start=start, duration_min=180, laterality="not_applicable")
            break
        except RoomConflict:
            continue
    assert result is not None
    number = result.case.case_number
    for day, clipped in ((BOARD_DAY, "end"), (BOARD_DAY + timedelta(days=1), "start")):
        window.open_day(day)
        settle(window)
        item = window.board.item_for(number)
        assert item is not None, f"not on the board on {day}"
        assert item.isVisible(), f"not shown on {day}"
        shape = item.local_shape
        assert (shape.clipped_end, shape.clipped_start) == (clipped == "end", clipped == "start")
        # The day view widened to midnight to show it.
        rect = window.board.visualRect(find_index(window.board.model(), number))  # type: ignore[arg-type]
        assert rect.width() > 0


def test_week_view_shows_the_whole_week(qtbot: QtBot, board_window: MainWindow) -> None:
    day_cases = {c.case_number for c in board_window.controller.model.cases()}
    board_window.set_mode(BoardMode.WEEK)
    settle(board_window)
    board = board_window.board
    assert board.mode is BoardMode.WEEK
    assert (board.grid.end - board.grid.start) >= timedelta(days=6, hours=23)
    week_cases = {c.case_number for c in board_window.controller.model.cases()}
    assert day_cases < week_cases  # Monday's cases too
    assert "week of" in board_window.windowTitle()
    board_window.set_mode(BoardMode.DAY)
    settle(board_window)
    assert {c.case_number for c in board_window.controller.model.cases()} == day_cases


def test_ctrl_wheel_zoom_changes_the_scale_only(qtbot: QtBot, board_window: MainWindow) -> None:
    board = board_window.board
    before = board.grid.px_per_minute
    items = len(board.graphics_scene().items())
    board.zoom_by(2.0)
    assert board.grid.px_per_minute == before * 2
    assert len(board.graphics_scene().items()) == items  # relaid out, not rebuilt


def test_render_png_for_a_scheduler(tmp_path: Path, board_window: MainWindow) -> None:
    out = render_board_file(board_window.services, board_window.actor, tmp_path / "board.png",
                            day=BOARD_DAY, size=(1600, 900))
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() == 1600
    assert image.height() >= 900


def test_render_pdf_masks_patients_for_nobody_signed_in(tmp_path: Path,
                                                        board_window: MainWindow) -> None:
    names = {c.patient_name for c in board_window.controller.model.cases() if c.patient_name}
    assert names
    for days, day in ((1, BOARD_DAY), (2, DEMO_START)):
        out = render_board_file(board_window.services, ANONYMOUS, tmp_path / f"board{days}.pdf",
                                day=day, days=days)
        text = "".join(page.extract_text() for page in PdfReader(out).pages)
        assert "OR-01" in text
        assert not any(name in text for name in names)
        if days == 1:
            assert "Patient hidden" in text.replace("\t", " ")


def test_ctrl_wheel_zooms_and_plain_wheel_scrolls(board_window: MainWindow) -> None:
    view = board_window.board
    vp = view.viewport()
    before = view.grid.px_per_minute
    pos = QPointF(600, 200)
    zoom = QWheelEvent(pos, QPointF(vp.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                       QPoint(0, 120), Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(vp, zoom)
    assert view.grid.px_per_minute == pytest.approx(before * 1.15)
    assert not view.auto_fit


def test_tooltip_tells_the_details(qtbot: QtBot, board_window: MainWindow) -> None:
    view = board_window.board
    case = movable_case(view)
    pos = bar_centre(view, case.case_number)
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=10_000)
    assert case.case_number in QToolTip.text()
    assert "Checklist" in QToolTip.text()
    QToolTip.hideText()


def test_pinch_zooms(board_window: MainWindow) -> None:
    view = board_window.board
    vp = view.viewport()
    before = view.grid.px_per_minute
    pos = QPointF(700, 200)
    pinch = QNativeGestureEvent(Qt.NativeGestureType.ZoomNativeGesture,
                                QPointingDevice.primaryPointingDevice(), 2, pos, pos,
                                QPointF(vp.mapToGlobal(pos.toPoint())), 0.5, QPointF(0, 0))
    QApplication.sendEvent(vp, pinch)
    assert view.grid.px_per_minute == pytest.approx(before * 1.5)
