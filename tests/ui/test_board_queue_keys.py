"""The queue dock, the keyboard and the context menu of the board."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QDockWidget, QListView
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.model import drop_problem
from surgdesk.ui.board.view import BoardView
from surgdesk.ui.main_window import MainWindow

from .conftest import open_window
from .helpers import (
    MOVABLE,
    bar_centre,
    drag,
    find_index,
    free_slot,
    movable_case,
    scheduled_case,
    settle,
)


def _drop_point(view: BoardView, drop: Drop) -> QPoint:
    model = view.model()
    assert model is not None
    row = model.room_row(drop.room_id)
    assert row is not None
    y = view.visualRect(model.index(row, 0)).center().y()
    x = view.mapFromScene(view.grid.x_for(drop.start), 0).x()
    return QPoint(x, y)


def test_object_names_scripts_rely_on(board_window: MainWindow) -> None:
    assert board_window.findChild(BoardView, "orBoard") is board_window.board
    dock = board_window.findChild(QDockWidget, "unscheduledQueue")
    assert dock is board_window.queue_dock
    listing = board_window.findChild(QListView, "unscheduledQueue")
    assert listing is not None
    assert listing.model() is board_window.controller.queue


def test_drop_from_the_queue_schedules_the_case(qtbot: QtBot, board_window: MainWindow) -> None:
    view = board_window.board
    queue = board_window.controller.queue
    waiting = [c for c in queue.cases() if c.status is CaseStatus.REQUESTED]
    case = waiting[0]
    model = view.model()
    assert model is not None
    # A free slot for its estimated length, found as the ghost would judge it.
    from datetime import timedelta
    length = timedelta(minutes=case.estimated_duration_min)
    drop = None
    start = view.grid.snap(view.grid.start + timedelta(hours=1))
    while drop is None:
        for room in model.rooms():
            if drop_problem(model, case.id, room.id, start, start + length) is None:
                drop = Drop(case.case_number, room.id, start, start + length)
                break
        start += timedelta(minutes=30)
    mime = queue.mimeData([queue.index(queue.row_of(case.case_number) or 0)])
    point = QPointF(_drop_point(view, drop))
    vp = view.viewport()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), Qt.DropAction.MoveAction, mime, buttons, mods)
    QApplication.sendEvent(vp, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(point.toPoint(), Qt.DropAction.MoveAction, mime, buttons, mods)
    QApplication.sendEvent(vp, move)
    assert view.ghost().isVisible()
    assert view.ghost().valid
    QApplication.sendEvent(vp, QDropEvent(point, Qt.DropAction.MoveAction, mime, buttons, mods))
    settle(board_window)

    stored = board_window.services.cases.get_case(board_window.actor, case.case_number).case
    assert stored.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)
    assert (stored.room_id, stored.scheduled_start) == (drop.room_id, drop.start)
    assert queue.row_of(case.case_number) is None
    assert view.item_for(case.case_number) is not None

    board_window.undo_action.trigger()  # scheduling is undoable too
    settle(board_window)
    back = board_window.services.cases.get_case(board_window.actor, case.case_number).case
    assert back.status is CaseStatus.REQUESTED
    assert back.room_id is None
    assert queue.row_of(case.case_number) is not None


def test_dragging_a_bar_onto_the_queue_unschedules_it(qtbot: QtBot,
                                                      board_window: MainWindow) -> None:
    view = board_window.board
    case = scheduled_case(board_window)  # pre-op ready cases cannot go back to the queue
    dock = board_window.queue_dock
    over_queue = view.viewport().mapFromGlobal(dock.mapToGlobal(dock.rect().center()))
    drag(qtbot, view, bar_centre(view, case.case_number), over_queue)
    stored = board_window.services.cases.get_case(board_window.actor, case.case_number).case
    assert stored.status is CaseStatus.REQUESTED
    assert stored.room_id is None
    assert stored.scheduled_start is None
    assert view.item_for(case.case_number) is None
    assert board_window.controller.queue.row_of(case.case_number) is not None


def test_arrow_keys_move_by_one_snap_step_and_one_room(qtbot: QtBot,
                                                       board_window: MainWindow) -> None:
    view = board_window.board
    model = view.model()
    assert model is not None
    step = view.grid.snap_step()
    choice = None
    for case in model.cases():
        if case.status not in MOVABLE or case.scheduled_start is None \
                or case.scheduled_end is None or case.scheduled_start < view.grid.start:
            continue
        for key, delta in ((Qt.Key.Key_Left, -step), (Qt.Key.Key_Right, step)):
            if drop_problem(model, case.id, case.room_id or 0, case.scheduled_start + delta,
                            case.scheduled_end + delta) is None:
                choice = (case, key, delta)
                break
        if choice:
            break
    assert choice is not None
    case, key, delta = choice
    assert case.scheduled_start is not None
    assert case.scheduled_end is not None
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=bar_centre(view, case.case_number))
    qtbot.keyClick(view, key)
    settle(view)
    stored = board_window.services.cases.get_case(board_window.actor, case.case_number).case
    assert stored.scheduled_start == case.scheduled_start + delta
    assert stored.scheduled_end == case.scheduled_end + delta

    # Down: one room lower, same time (when that room is free then).
    row = model.room_row(case.room_id or 0)
    assert row is not None
    below = model.room_at(row + 1)
    moved = model.case(case.case_number)
    assert moved is not None
    assert moved.scheduled_start
    assert moved.scheduled_end
    if below is not None and drop_problem(model, case.id, below.id, moved.scheduled_start,
                                          moved.scheduled_end) is None:
        qtbot.keyClick(view, Qt.Key.Key_Down)
        settle(view)
        again = board_window.services.cases.get_case(board_window.actor, case.case_number).case
        assert again.room_id == below.id


def test_enter_opens_the_case_form(qtbot: QtBot, board_window: MainWindow) -> None:
    view = board_window.board
    case = movable_case(view)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=bar_centre(view, case.case_number))
    with qtbot.waitSignal(view.case_activated, timeout=10_000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == [case.case_number]
    form = board_window.findChild(QDialog, "caseForm")
    assert form is not None
    assert form.isVisible()
    form.close()


def test_admin_menu_follows_the_role(qtbot: QtBot, board_window: MainWindow,
                                     demo_url: str) -> None:
    visible = {a.objectName() for a, _g in board_window.admin_actions if a.isVisible()}
    # A scheduler manages rooms and equipment, not users (blocks and preference cards
    # are entries of their own, offered to surgeons too).
    assert visible == {"manageRooms", "manageEquipment"}
    assert board_window.menus.cards.isVisible()
    window = open_window(qtbot, demo_url, username="viewer")
    assert not window.admin_menu.menuAction().isVisible()
    assert not window.new_case_action.isEnabled()
    window.close()


def test_side_screens_open_as_docks(board_window: MainWindow) -> None:
    dock = board_window.show_case_table()
    assert dock.isVisible()
    assert board_window.show_case_table() is dock  # built once


def test_context_menu_offers_what_the_role_allows(qtbot: QtBot, board_window: MainWindow) -> None:
    view = board_window.board
    case = scheduled_case(board_window)
    menu = board_window.build_context_menu(case.case_number)
    names = {a.objectName() for a in menu.actions() if a.objectName()}
    assert {"status_postponed", "status_cancelled", "status_requested"} <= names
    assert "status_in_progress" not in names  # starting is the care team's, not a scheduler's

    board_window.ask_reason = lambda _question: "patient has a fever"
    action = next(a for a in menu.actions() if a.objectName() == "status_postponed")
    action.trigger()
    settle(board_window)
    stored = board_window.services.cases.get_case(board_window.actor, case.case_number).case
    assert stored.status is CaseStatus.POSTPONED
    assert view.item_for(case.case_number) is None
    assert board_window.controller.queue.row_of(case.case_number) is not None


def test_viewer_context_menu_has_no_status_changes(qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url, username="viewer")
    case = movable_case(window.board)
    menu = window.build_context_menu(case.case_number)
    assert not [a for a in menu.actions() if a.objectName().startswith("status_")]
    window.close()


def test_index_at_and_visual_rect_agree(board_window: MainWindow) -> None:
    view = board_window.board
    model = view.model()
    assert model is not None
    for case in model.cases()[:10]:
        index = find_index(model, case.case_number)
        rect = view.visualRect(index)
        if rect.isEmpty() or not view.viewport().rect().contains(rect.center()):
            continue
        assert view.indexAt(rect.center()) == index
        assert index.data(Qt.ItemDataRole.UserRole) == case.case_number


def test_free_slot_helper_finds_a_slot(board_window: MainWindow) -> None:
    case = movable_case(board_window.board)
    assert free_slot(board_window.board, case).room_id != case.room_id
