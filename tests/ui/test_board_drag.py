"""Dragging on the board writes through the services; refusals snap back."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus
from surgdesk.ui.main_window import MainWindow

from .conftest import open_window
from .helpers import bar_centre, drag, find_index, free_slot, movable_case, point_for, settle


def db_case(window: MainWindow, number: str):  # type: ignore[no-untyped-def]
    return window.services.cases.get_case(window.actor, number).case


def test_drag_moves_case_to_another_room_and_time(qtbot: QtBot, demo_any_url: str) -> None:
    window = open_window(qtbot, demo_any_url)
    view = window.board
    case = movable_case(view)
    target = free_slot(view, case)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))

    stored = db_case(window, case.case_number)
    assert stored.room_id == target.room_id
    assert stored.scheduled_start == target.start
    assert stored.scheduled_end == target.end
    assert stored.version == case.version + 1
    # The bar was re-read from the model and sits where the database says.
    index = find_index(view.model(), case.case_number)  # type: ignore[arg-type]
    rect = view.visualRect(index)
    assert abs(rect.left() - view.mapFromScene(view.grid.x_for(target.start), 0).x()) <= 1
    window.close()


def test_drag_onto_occupied_slot_is_refused_and_snaps_back(
        qtbot: QtBot, demo_any_url: str) -> None:
    board_window = open_window(qtbot, demo_any_url)
    view = board_window.board
    model = view.model()
    assert model is not None
    case = movable_case(view)
    others = [c for c in model.cases() if c.case_number != case.case_number
              and c.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY, CaseStatus.IN_PROGRESS)
              and c.scheduled_start is not None and c.scheduled_start > view.grid.start]
    blocker = others[0]
    assert blocker.room_id is not None
    assert blocker.scheduled_start is not None
    before = view.visualRect(find_index(model, case.case_number))

    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, blocker.room_id, blocker.scheduled_start), release=False)
    ghost = view.ghost()
    assert ghost.isVisible()
    assert not ghost.valid
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       pos=point_for(view, case, blocker.room_id, blocker.scheduled_start))
    settle(board_window)

    stored = db_case(board_window, case.case_number)
    assert (stored.room_id, stored.scheduled_start, stored.version) == (
        case.room_id, case.scheduled_start, case.version)
    assert view.visualRect(find_index(model, case.case_number)) == before
    assert not ghost.isVisible()
    assert "Not changed" in board_window.last_message
    assert blocker.case_number in board_window.last_message or "taken" in \
        board_window.last_message or "overlap" in board_window.last_message.lower()


def test_ghost_is_valid_over_a_free_slot(qtbot: QtBot, board_window: MainWindow) -> None:
    view = board_window.board
    case = movable_case(view)
    target = free_slot(view, case)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start), release=False)
    assert view.ghost().isVisible()
    assert view.ghost().valid
    # Only the graphics item moved: the database and the model still hold the old place.
    assert db_case(board_window, case.case_number).scheduled_start == case.scheduled_start
    assert view.model().case(case.case_number) == case  # type: ignore[union-attr]
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.ghost().isVisible()


def test_stretching_the_right_edge_changes_the_end(qtbot: QtBot,
                                                   board_window: MainWindow) -> None:
    view = board_window.board
    case = movable_case(view)
    assert case.scheduled_end is not None
    assert case.scheduled_start is not None
    rect = view.visualRect(find_index(view.model(), case.case_number))  # type: ignore[arg-type]
    grab = QPoint(rect.right() - 1, rect.center().y())
    new_end = case.scheduled_end - timedelta(minutes=15)
    dx = round(view.grid.x_for(new_end) - view.grid.x_for(case.scheduled_end))
    drag(qtbot, view, grab, QPoint(grab.x() + dx, grab.y()))

    stored = db_case(board_window, case.case_number)
    assert stored.scheduled_start == case.scheduled_start
    assert stored.scheduled_end == new_end
    assert stored.room_id == case.room_id


def test_a_click_without_moving_writes_nothing(qtbot: QtBot, board_window: MainWindow) -> None:
    view = board_window.board
    case = movable_case(view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=bar_centre(view, case.case_number))
    assert view.selected_case() == case.case_number
    assert db_case(board_window, case.case_number).version == case.version
    assert board_window.controller.undo_stack.count() == 0


def test_undo_and_redo_go_through_the_database(qtbot: QtBot, demo_any_url: str) -> None:
    board_window = open_window(qtbot, demo_any_url)
    view = board_window.board
    case = movable_case(view)
    target = free_slot(view, case)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))
    assert db_case(board_window, case.case_number).room_id == target.room_id

    board_window.undo_action.trigger()
    settle(board_window)
    back = db_case(board_window, case.case_number)
    assert (back.room_id, back.scheduled_start, back.scheduled_end) == (
        case.room_id, case.scheduled_start, case.scheduled_end)
    assert view.model().case(case.case_number).room_id == case.room_id  # type: ignore[union-attr]

    board_window.redo_action.trigger()
    settle(board_window)
    again = db_case(board_window, case.case_number)
    assert (again.room_id, again.scheduled_start) == (target.room_id, target.start)


def test_viewer_cannot_drag_and_holds_no_patient_data(qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url, username="viewer")
    view = window.board
    model = view.model()
    assert model is not None
    assert not view.editable
    cases = model.cases() + window.controller.queue.cases()
    assert cases
    assert all(c.patient_name is None and c.patient_id is None for c in cases)
    case = movable_case(view)
    target = free_slot(view, case)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))
    stored = db_case(window, case.case_number)
    assert (stored.room_id, stored.scheduled_start, stored.version) == (
        case.room_id, case.scheduled_start, case.version)
    assert not view.ghost().isVisible()
    window.close()


def test_a_stale_drop_is_refused_and_the_board_reloads(qtbot: QtBot,
                                                       board_window: MainWindow) -> None:
    view = board_window.board
    # The race the live feed cannot close: the other PC's commit lands before the feed has
    # delivered it. Stopping the feed holds the board at the old version deterministically.
    board_window.live.stop()
    case = movable_case(view)
    target = free_slot(view, case)
    # Someone else moves the case first (another PC): the board still shows the old version.
    model = view.model()
    assert model is not None
    room = model.room_at(model.room_row(target.room_id) or 0)
    assert room is not None
    elsewhere = board_window.services.cases.move(
        board_window.actor, case.case_number, room=room.code, start=target.start)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))

    stored = db_case(board_window, case.case_number)
    assert stored.version == elsewhere.case.version  # not overwritten by the stale drop
    assert "changed by someone else" in board_window.last_message
    shown = view.model().case(case.case_number)  # type: ignore[union-attr]
    assert shown is not None
    assert shown.version == elsewhere.case.version  # reloaded
    assert shown.scheduled_start == elsewhere.case.scheduled_start


def test_ctrl_z_and_ctrl_shift_z_undo_and_redo(qtbot: QtBot, board_window: MainWindow) -> None:
    board_window.activateWindow()
    qtbot.waitActive(board_window)
    view = board_window.board
    case = movable_case(view)
    target = free_slot(view, case)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))
    stack = board_window.controller.undo_stack
    assert stack.index() == 1
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(board_window)
    assert stack.index() == 0
    assert db_case(board_window, case.case_number).room_id == case.room_id
    qtbot.keyClick(view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    settle(board_window)
    assert stack.index() == 1
    assert db_case(board_window, case.case_number).room_id == target.room_id
