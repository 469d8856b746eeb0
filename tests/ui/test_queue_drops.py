"""Drops from the queue dock: undoing the scheduling of a postponed case puts it back
postponed, and a queue card whose case changed on another PC while it was dragged is not
scheduled on drop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.model import drop_problem
from surgdesk.ui.main_window import MainWindow

from .conftest import DEMO_PASSWORD, NOW
from .helpers import settle

FEED_WAIT_MS = 10_000


class OtherPC:
    """A second client on the same database: its own engine, its own login."""

    def __init__(self, url: str) -> None:
        self.services = Services.create(Database(make_nullpool_engine(url)), FakeClock(NOW))
        self.actor: Actor = self.services.auth.login("scheduler1", DEMO_PASSWORD).actor

    def close(self) -> None:
        self.services.close()


@pytest.fixture
def other_pc(demo_url: str) -> Iterator[OtherPC]:
    pc = OtherPC(demo_url)
    yield pc
    pc.close()


def _waiting(window: MainWindow) -> CaseSummary:
    return next(c for c in window.controller.queue.cases() if c.status is CaseStatus.REQUESTED)


def _free_drop(window: MainWindow, case: CaseSummary) -> Drop:
    """A slot for the case's estimated length the in-memory check (and so the service)
    accepts."""
    view = window.board
    model = view.model()
    assert model is not None
    length = timedelta(minutes=case.estimated_duration_min)
    start = view.grid.snap(view.grid.start + timedelta(hours=1))
    while start + length < view.grid.end:
        for room in model.rooms():
            if drop_problem(model, case.id, room.id, start, start + length) is None:
                return Drop(case.case_number, room.id, start, start + length)
        start += timedelta(minutes=30)
    raise AssertionError("no free slot on the demo board")


def _drag_start(window: MainWindow, case_number: str) -> QMimeData:
    """What the queue hands Qt when a drag of the card begins."""
    queue = window.controller.queue
    row = queue.row_of(case_number)
    assert row is not None
    return queue.mimeData([queue.index(row)])


def _drop(window: MainWindow, mime: QMimeData, drop: Drop) -> None:
    """Enter, move and drop on the board at ``drop``'s room and start, as Qt delivers a
    drag from the queue dock."""
    view = window.board
    model = view.model()
    assert model is not None
    row = model.room_row(drop.room_id)
    assert row is not None
    point = QPoint(view.mapFromScene(view.grid.x_for(drop.start), 0).x(),
                   view.visualRect(model.index(row, 0)).center().y())
    vp = view.viewport()
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(vp, QDragEnterEvent(point, Qt.DropAction.MoveAction, mime,
                                               buttons, mods))
    QApplication.sendEvent(vp, QDragMoveEvent(point, Qt.DropAction.MoveAction, mime,
                                              buttons, mods))
    QApplication.sendEvent(vp, QDropEvent(QPointF(point), Qt.DropAction.MoveAction, mime,
                                          buttons, mods))
    settle(window)


def _stored(window: MainWindow, case_number: str) -> CaseSummary:
    return window.services.cases.get_case(window.actor, case_number).case


# -- undo of scheduling a postponed case -------------------------------------------------------


def test_undo_of_scheduling_a_postponed_case_puts_it_back_postponed(
        qtbot: QtBot, board_window: MainWindow) -> None:
    window = board_window
    number = _waiting(window).case_number
    window.services.cases.set_status(window.actor, number, CaseStatus.POSTPONED,
                                     reason="no ICU bed")
    window.refresh()
    settle(window)
    queue = window.controller.queue
    case = queue.case(number)
    assert case is not None
    assert case.status is CaseStatus.POSTPONED
    notes = len(window.services.cases.get_case(window.actor, number).notes)
    drop = _free_drop(window, case)

    _drop(window, _drag_start(window, number), drop)
    assert _stored(window, number).status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)
    assert queue.row_of(number) is None

    window.undo_action.trigger()
    settle(window)
    back = _stored(window, number)
    assert back.status is CaseStatus.POSTPONED  # not requested
    assert (back.room_id, back.scheduled_start) == (None, None)
    assert len(window.services.cases.get_case(window.actor, number).notes) == notes
    queued = queue.case(number)
    assert queued is not None
    assert queued.status is CaseStatus.POSTPONED
    assert window.board.item_for(number) is None

    window.redo_action.trigger()  # and scheduled again, in the same slot
    settle(window)
    again = _stored(window, number)
    assert again.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)
    assert (again.room_id, again.scheduled_start) == (drop.room_id, drop.start)


def test_undo_of_scheduling_a_requested_case_still_makes_it_requested(
        qtbot: QtBot, board_window: MainWindow) -> None:
    window = board_window
    case = _waiting(window)
    _drop(window, _drag_start(window, case.case_number), _free_drop(window, case))
    assert window.controller.queue.row_of(case.case_number) is None
    window.undo_action.trigger()
    settle(window)
    assert _stored(window, case.case_number).status is CaseStatus.REQUESTED


# -- a queue drag of a case changed on another PC ------------------------------------------------


def test_a_queue_drag_of_a_case_changed_elsewhere_is_not_scheduled(
        qtbot: QtBot, board_window: MainWindow, other_pc: OtherPC) -> None:
    window = board_window
    queue = window.controller.queue
    case = _waiting(window)
    number = case.case_number
    drop = _free_drop(window, case)
    mime = _drag_start(window, number)  # the drag begins

    # Meanwhile another PC makes the case longer; the live feed updates the queue.
    other_pc.services.cases.update_case(
        other_pc.actor, number, expected_version=case.version,
        estimated_duration_min=case.estimated_duration_min + 45)
    qtbot.waitUntil(lambda: (c := queue.case(number)) is not None
                    and c.version > case.version, timeout=FEED_WAIT_MS)

    _drop(window, mime, drop)
    stored = _stored(window, number)
    assert stored.status is CaseStatus.REQUESTED
    assert stored.room_id is None
    assert queue.row_of(number) is not None
    assert window.board.item_for(number) is None
    assert "changed on another PC" in window.last_message
    assert "not scheduled" in window.last_message
    assert not window.undo_action.isEnabled()

    # A new drag of the card as it is now goes through.
    fresh = queue.case(number)
    assert fresh is not None
    _drop(window, _drag_start(window, number), _free_drop(window, fresh))
    assert _stored(window, number).status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)


def test_a_queue_drag_of_a_case_scheduled_elsewhere_is_not_written(
        qtbot: QtBot, board_window: MainWindow, other_pc: OtherPC) -> None:
    window = board_window
    queue = window.controller.queue
    case = _waiting(window)
    number = case.case_number
    mime = _drag_start(window, number)
    slot = _free_drop(window, case)
    model = window.controller.model
    room = model.room_at(model.room_row(slot.room_id) or 0)
    assert room is not None
    other_pc.services.cases.schedule(other_pc.actor, number, room=room.code,
                                     start=slot.start, end=slot.end)
    qtbot.waitUntil(lambda: queue.row_of(number) is None, timeout=FEED_WAIT_MS)
    placed = model.case(number)
    assert placed is not None

    _drop(window, mime, slot)  # the card still in hand lands on the board
    assert "changed on another PC (is on the board now)" in window.last_message
    assert "not scheduled" in window.last_message
    assert _stored(window, number).version == placed.version  # nothing written
    assert not window.undo_action.isEnabled()
