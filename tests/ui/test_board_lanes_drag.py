"""Lanes on the real board: a mouse drag in surgeon lanes changes the time and keeps the
room (through the same write path as room lanes: saved, undoable); queue cards are not
placed there; the switch is in the View menu and the toolbar and is remembered."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.layout import HEADER_HEIGHT
from surgdesk.ui.board.model import CASE_MIME_TYPE, drop_problem
from surgdesk.ui.main_window import MainWindow

from .conftest import open_window
from .helpers import bar_centre, drag, find_index, movable_case, settle


def same_room_slot(window: MainWindow, number: str) -> Drop:
    """Another free time for the case in its own room, inside the visible window."""
    view, model = window.board, window.controller.model
    case = model.case(number)
    assert case is not None
    assert case.room_id is not None
    assert case.scheduled_start is not None
    assert case.scheduled_end is not None
    length = case.scheduled_end - case.scheduled_start
    start = view.grid.snap(view.grid.start + timedelta(minutes=30))
    while start + length <= view.grid.end - timedelta(minutes=30):
        if abs(start - case.scheduled_start) >= timedelta(hours=1) and drop_problem(
                model, case.id, case.room_id, start, start + length) is None:
            return Drop(number, case.room_id, start, start + length)
        start += timedelta(minutes=30)
    raise AssertionError("no free time in the case's room")


def test_a_drag_in_surgeon_lanes_changes_the_time_and_keeps_the_room(
        qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url)
    window.findChild(QAction, "lanesSurgeons").trigger()
    view, model = window.board, window.controller.model
    assert model.lane_mode is LaneMode.SURGEONS
    case = movable_case(view)
    row = model.lane_row(f"surgeon:{case.lead_surgeon_user_id}")
    assert find_index(model, case.case_number).parent().row() == row
    target = same_room_slot(window, case.case_number)
    assert case.scheduled_start is not None
    grab = bar_centre(view, case.case_number)
    dx = round(view.grid.x_for(target.start) - view.grid.x_for(case.scheduled_start))
    # Down across other surgeons' rows too: a vertical move means nothing here.
    drag(qtbot, view, grab, QPoint(grab.x() + dx, grab.y() + 2 * round(view.rows.row_height)))

    stored = window.services.cases.get_case(window.actor, case.case_number).case
    assert stored.room_id == case.room_id
    assert stored.scheduled_start == target.start
    assert stored.scheduled_end == target.end
    assert stored.version == case.version + 1
    # The bar is still in its surgeon's row, where the database says.
    index = find_index(model, case.case_number)
    assert index.parent().row() == row
    rect = view.visualRect(index)
    assert abs(rect.left() - view.mapFromScene(view.grid.x_for(target.start), 0).x()) <= 1
    window.controller.undo_stack.undo()  # the same undo as room lanes
    settle(window)
    back = window.services.cases.get_case(window.actor, case.case_number).case
    assert (back.room_id, back.scheduled_start) == (case.room_id, case.scheduled_start)
    window.close()


def test_queue_cards_are_placed_in_room_lanes_only(qtbot: QtBot,
                                                   board_window: MainWindow) -> None:
    board_window.set_lanes(LaneMode.EQUIPMENT)
    view = board_window.board
    waiting = board_window.controller.queue.cases()[0]
    mime = QMimeData()
    mime.setData(CASE_MIME_TYPE, waiting.case_number.encode())
    drop = QDropEvent(QPointF(view.viewport().width() / 2, 120), Qt.DropAction.MoveAction,
                      mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)
    settle(board_window)
    assert not drop.isAccepted()
    assert "switch to room lanes to place a case" in board_window.last_message
    assert board_window.controller.queue.case(waiting.case_number) is not None


def test_up_and_down_keys_do_not_change_the_room_in_other_lanes(
        qtbot: QtBot, board_window: MainWindow) -> None:
    board_window.set_lanes(LaneMode.ANESTHETISTS)
    view = board_window.board
    case = movable_case(view)
    view.setFocus()
    view.select_case(case.case_number)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    settle(board_window)
    stored = board_window.services.cases.get_case(board_window.actor, case.case_number).case
    assert (stored.room_id, stored.version) == (case.room_id, case.version)
    assert "room lanes" in board_window.last_message


def test_the_switch_is_in_the_menu_and_toolbar_and_is_remembered(
        qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url)
    names = ("lanesRooms", "lanesSurgeons", "lanesAnesthetists", "lanesEquipment")
    actions = [window.findChild(QAction, name) for name in names]
    assert all(a is not None and a.isCheckable() for a in actions)
    assert actions[0].isChecked()  # rooms: the default
    switch = window.findChild(QToolButton, "laneSwitch")
    assert switch is not None
    assert switch.text() == "Lanes: Rooms"
    assert [a.objectName() for a in switch.menu().actions()] == list(names)
    actions[3].trigger()
    assert switch.text() == "Lanes: Equipment"
    assert window.controller.model.lanes()[-1].label == "Not allocated"
    window.close()
    again = open_window(qtbot, demo_url)
    assert again.controller.model.lane_mode is LaneMode.EQUIPMENT
    assert again.findChild(QAction, "lanesEquipment").isChecked()
    assert again.board.rows.count == again.controller.model.rowCount()
    again.set_lanes(LaneMode.ROOMS)
    assert again.controller.model.room_row(again.controller.model.rooms()[0].id) == 0
    again.close()


def test_a_load_opens_on_the_first_row_when_the_rows_overflow(
        qtbot: QtBot, board_window: MainWindow) -> None:
    board_window.resize(1700, 330)  # fewer rows fit than there are rooms
    board_window.open_day(board_window.day)
    settle(board_window)
    view = board_window.board
    bar = view.verticalScrollBar()
    assert bar.maximum() > bar.minimum()
    assert bar.value() == bar.minimum()
    first = view.visualRect(view.model().index(0, 0))  # type: ignore[union-attr]
    assert first.top() == round(HEADER_HEIGHT)  # right under the time header, not under it
