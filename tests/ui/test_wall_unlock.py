"""Unlocking editing on the wall: a scheduler's password, a few minutes, audited as them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.model import drop_problem
from surgdesk.ui.wall import WallWindow

from .helpers import bar_centre, drag, point_for, settle
from .wall_helpers import MORNING, PASSWORD, fill_wall_demo, on_screen_move, open_wall


@pytest.fixture
def wall_url(sqlite_url: str) -> str:
    fill_wall_demo(sqlite_url)
    return sqlite_url


def _stored(window: WallWindow, number: str) -> CaseSummary:
    return window.services.cases.summaries_by_ids(
        window.actor, [c.id for c in window.controller.model.cases()
                       if c.case_number == number])[0]


def _unlock_via_dialog(qtbot: QtBot, window: WallWindow, username: str, password: str) -> None:
    qtbot.mouseClick(window.unlock_button, Qt.MouseButton.LeftButton)
    dialog = window.unlock_dialog
    assert dialog is not None
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.submit, Qt.MouseButton.LeftButton)
    settle(window)  # the scheduler's rights on these cases were read


def _drag_case(qtbot: QtBot, window: WallWindow) -> tuple[CaseSummary, Drop]:
    view = window.board
    case, target = on_screen_move(view)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))
    return case, target


def _audit(window: WallWindow, action: str) -> list[tuple[str | None, int | None]]:
    with window.services.cases.uow(read_only=True) as uow:
        return [(e.actor.username if e.actor else None, e.target_id)
                for e in uow.audit.recent(action=action)]


def test_locked_wall_does_not_move_a_case(qtbot: QtBot, wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    assert not window.board.editable
    case, _target = _drag_case(qtbot, window)
    stored = _stored(window, case.case_number)
    assert (stored.room_id, stored.scheduled_start, stored.version) == (
        case.room_id, case.scheduled_start, case.version)
    window.close()


def test_unlocked_scheduler_drags_a_case_and_the_audit_names_them(
        qtbot: QtBot, wall_url: str) -> None:
    clock = FakeClock(MORNING)
    window = open_wall(qtbot, wall_url, clock)
    _unlock_via_dialog(qtbot, window, "scheduler2", PASSWORD)
    assert window.is_unlocked
    assert window.board.editable
    assert window.unlock_dialog is not None
    assert not window.unlock_dialog.isVisible()
    assert window.unlock_status.isVisible()
    assert "5:00 left" in window.unlock_status.text()
    assert not window.unlock_button.isVisible()

    case, target = _drag_case(qtbot, window)
    stored = _stored(window, case.case_number)
    assert stored.room_id == target.room_id
    assert stored.scheduled_start == target.start
    assert stored.version == case.version + 1
    # The audit names the scheduler, not the device; the unlock itself is audited too.
    assert _audit(window, "move_case")[0] == ("scheduler2", case.id)
    assert _audit(window, "unlock_editing")[0][0] == "scheduler2"
    # The written case came back into the model masked (read again as the device).
    placed = window.controller.model.case(case.case_number)
    assert placed is not None
    assert placed.version == stored.version
    assert placed.patient_masked
    assert placed.patient_name is None
    assert placed.patient_id is None

    # The countdown runs on the clock, then editing locks again by itself.
    clock.advance(timedelta(minutes=2, seconds=30))
    window.tick()
    assert "2:30 left" in window.unlock_status.text()
    clock.advance(timedelta(minutes=2, seconds=31))
    window.tick()
    assert not window.is_unlocked
    assert not window.board.editable
    assert window.controller.editor is None
    assert not window.unlock_status.isVisible()
    assert window.unlock_button.isVisible()
    moved = _stored(window, case.case_number)
    _drag_case(qtbot, window)
    assert _stored(window, case.case_number).version == moved.version
    assert len(_audit(window, "move_case")) == 1
    window.close()


def test_a_wrong_password_is_refused_and_stays_locked(qtbot: QtBot, wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    _unlock_via_dialog(qtbot, window, "scheduler1", "not-the-password")
    dialog = window.unlock_dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.error.isVisible()
    assert "Refused" in dialog.error.text()
    assert "wrong username or password" in dialog.error.text().lower()
    assert dialog.password.text() == ""
    assert not window.is_unlocked
    assert not window.board.editable
    dialog.reject()
    case, _target = _drag_case(qtbot, window)
    assert _stored(window, case.case_number).version == case.version
    window.close()


def test_only_a_scheduler_can_unlock(qtbot: QtBot, wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    _unlock_via_dialog(qtbot, window, "viewer", PASSWORD)
    dialog = window.unlock_dialog
    assert dialog is not None
    assert dialog.error.isVisible()
    assert not window.is_unlocked
    window.close()


def test_lock_now_locks_at_once(qtbot: QtBot, wall_url: str) -> None:
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    window.unlock("scheduler1", PASSWORD)
    settle(window)  # the scheduler's rights on these cases were read
    assert window.board.editable
    qtbot.mouseClick(window.lock_button, Qt.MouseButton.LeftButton)
    assert not window.is_unlocked
    assert not window.board.editable
    assert "locked again" in window.last_message
    window.close()


def test_undo_on_the_wall_acts_as_the_scheduler_who_unlocked(qtbot: QtBot,
                                                             wall_url: str) -> None:
    """Undoing the scheduling of a postponed case puts it back postponed — written as the
    scheduler who unlocked, never as the device account (which may not write at all)."""
    window = open_wall(qtbot, wall_url, FakeClock(MORNING))
    scheduler = window.services.auth.login("scheduler1", PASSWORD).actor
    controller = window.controller
    waiting = sorted((c for c in controller.queue.cases() if c.status is CaseStatus.REQUESTED),
                     key=lambda c: c.case_number)
    assert waiting, "the wall demo has no waiting case"
    number = waiting[0].case_number
    window.services.cases.set_status(scheduler, number, CaseStatus.POSTPONED,
                                     reason="no ICU bed")
    _make_room(window, scheduler)
    window.load()
    settle(window)
    case = controller.queue.case(number)
    assert case is not None
    assert case.status is CaseStatus.POSTPONED
    drop = _free_drop(window, case)

    window.unlock("scheduler1", PASSWORD)

    settle(window)  # the scheduler's rights on these cases were read
    assert controller.write_drop(drop)  # as a queue card dropped on the board
    settle(window)
    assert controller.undo_stack.canUndo()
    controller.undo_stack.undo()
    settle(window)

    back = window.services.cases.get_case(scheduler, number).case
    assert back.status is CaseStatus.POSTPONED
    assert (back.room_id, back.scheduled_start) == (None, None)
    with window.services.cases.uow(read_only=True) as uow:
        events = [e for e in uow.audit.recent() if e.target_id == case.id]
        assert events
        assert {e.actor.username for e in events[:2] if e.actor is not None} == {"scheduler1"}
    queued = controller.queue.case(number)
    assert queued is not None
    assert queued.patient_name is None  # read back as the device
    window.close()


def _make_room(window: WallWindow, scheduler: Actor) -> None:
    """The demo books its blocked rooms up to 100 %: cancel the longest case still to
    come on the wall, so a queued case has somewhere to go."""
    cases = [c for c in window.controller.model.cases()
             if c.status is CaseStatus.SCHEDULED and c.scheduled_start is not None
             and c.scheduled_start >= window.board.grid.start + timedelta(hours=1)]
    assert cases, "the wall demo has no case still to come"
    longest = max(cases, key=lambda c: (c.estimated_duration_min, c.case_number))
    window.services.cases.set_status(scheduler, longest.case_number, CaseStatus.CANCELLED,
                                     reason="making room for the test")


def _free_drop(window: WallWindow, case: CaseSummary) -> Drop:
    model = window.controller.model
    view = window.board
    length = timedelta(minutes=case.estimated_duration_min)
    start = view.grid.snap(view.grid.start + timedelta(hours=1))
    while start + length < view.grid.end:
        for room in model.rooms():
            if drop_problem(model, case.id, room.id, start, start + length) is None:
                return Drop(case.case_number, room.id, start, start + length)
        start += timedelta(minutes=30)
    raise AssertionError("no free slot on the wall")
