"""Touch on the wall: a finger drags a case like the mouse (only while unlocked), two
fingers pinch to zoom. Qt's touch test events on a created touch device."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QPointingDevice
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from surgdesk.services.context import FakeClock
from surgdesk.ui.wall import WallWindow
from surgdesk.ui.wall_view import WallBoardView

from .helpers import bar_centre, point_for, settle
from .wall_helpers import MORNING, PASSWORD, fill_wall_demo, on_screen_move, open_wall


@pytest.fixture
def wall_url(sqlite_url: str) -> str:
    fill_wall_demo(sqlite_url)
    return sqlite_url


@pytest.fixture(scope="module")
def touch_screen() -> QPointingDevice:
    return QTest.createTouchDevice()


def touches(view: WallBoardView, device: QPointingDevice) -> tuple[QTest.QTouchEventSequence,
                                                                   Callable[[int, int], QPoint]]:
    """A touch sequence on the view's window, and viewport -> window coordinates.

    The sequence goes to the QWindow: PySide6's widget overload of QTest.touchEvent
    delivered nothing here (offscreen, 6.11)."""
    window = view.window()
    handle = window.windowHandle()
    assert handle is not None
    vp = view.viewport()
    return QTest.touchEvent(handle, device), lambda x, y: vp.mapTo(window, QPoint(x, y))


def finger_drag(view: WallBoardView, device: QPointingDevice, start: QPoint,
                end: QPoint) -> None:
    sequence, at = touches(view, device)
    handle = view.window().windowHandle()
    middle = ((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    sequence.press(0, at(start.x(), start.y()), handle)
    sequence.commit()
    sequence.move(0, at(*middle), handle)
    sequence.commit()
    sequence.move(0, at(end.x(), end.y()), handle)
    sequence.commit()
    sequence.release(0, at(end.x(), end.y()), handle)
    sequence.commit()


def _version(window: WallWindow, case_id: int) -> tuple[int | None, object, int]:
    case = window.services.cases.summaries_by_ids(window.actor, [case_id])[0]
    return case.room_id, case.scheduled_start, case.version


def test_finger_drag_moves_a_case_only_while_unlocked(
        qtbot: QtBot, wall_url: str, touch_screen: QPointingDevice) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    view = window.board
    case, target = on_screen_move(view)
    finger_drag(view, touch_screen, bar_centre(view, case.case_number),
                point_for(view, case, target.room_id, target.start))
    assert _version(window, case.id) == (case.room_id, case.scheduled_start, case.version)

    window.unlock("scheduler1", PASSWORD)

    settle(window)  # the scheduler's rights on these cases were read
    finger_drag(view, touch_screen, bar_centre(view, case.case_number),
                point_for(view, case, target.room_id, target.start))
    settle(window)
    assert _version(window, case.id) == (target.room_id, target.start, case.version + 1)
    with window.services.cases.uow(read_only=True) as uow:
        event = uow.audit.recent(action="move_case")[0]
        assert event.actor is not None
        assert event.actor.username == "scheduler1"
    placed = window.controller.model.case(case.case_number)
    assert placed is not None
    assert placed.patient_name is None
    window.close()


def test_two_fingers_pinch_to_zoom(qtbot: QtBot, wall_url: str,
                                   touch_screen: QPointingDevice) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    view = window.board
    before = view.grid.px_per_minute
    y = view.viewport().height() // 2
    sequence, at = touches(view, touch_screen)
    handle = window.windowHandle()
    sequence.press(0, at(800, y), handle).press(1, at(1000, y), handle)
    sequence.commit()
    sequence.move(0, at(700, y), handle).move(1, at(1100, y), handle)
    sequence.commit()
    sequence.release(0, at(700, y), handle).release(1, at(1100, y), handle)
    sequence.commit()
    assert view.grid.px_per_minute == pytest.approx(2 * before, rel=0.02)
    assert view.dragged_case() is None
    window.close()
