"""What may be moved on the board is what the services decided for the signed-in actor
(``CaseSummary.rights.move``), not a rule of the view's own (issue 12 item 8)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from surgdesk.ui.main_window import MainWindow

from .helpers import bar_centre, drag, free_slot, movable_case, point_for


def test_a_bar_the_services_say_may_not_move_does_not_drag(
        qtbot: QtBot, board_window: MainWindow) -> None:
    view = board_window.board
    assert view.editable  # a scheduler: the board is editable...
    fixed = [c for c in board_window.controller.model.cases() if not c.rights.move
             and c.scheduled_start is not None and c.scheduled_start >= view.grid.start]
    assert fixed, "the demo board has no case its rights keep in place"
    case = sorted(fixed, key=lambda c: c.case_number)[0]  # ...but not for this case
    target = free_slot(view, movable_case(view))
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start), release=False)
    assert view.dragged_case() is None
    assert not view.ghost().isVisible()
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton,
                       pos=point_for(view, case, target.room_id, target.start))
    stored = board_window.services.cases.get_case(board_window.actor, case.case_number).case
    assert stored.version == case.version  # nothing written
    view.select_case(case.case_number)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)  # nor nudged: said why
    assert "cannot be moved" in board_window.last_message
    assert not board_window.runner.busy


def test_a_queue_card_drags_only_when_its_rights_allow(board_window: MainWindow) -> None:
    queue = board_window.controller.queue
    for row, case in enumerate(queue.cases()):
        draggable = bool(queue.flags(queue.index(row)) & Qt.ItemFlag.ItemIsDragEnabled)
        assert draggable == case.rights.move
