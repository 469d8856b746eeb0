"""A board write whose reply never came waits, and is saved once or reported as not saved.

On Postgres (the shared database, where connections drop): the write is made through the
board controller (and once through a real mouse drag); the database "loses the reply"
after COMMIT, or never sees the write; ``pending.retry_all()`` (what the window calls once
the connection is back) then saves it exactly once, or says it was NOT saved and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus
from surgdesk.errors import DatabaseUnavailable
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.board.controller import BoardController
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.model import drop_problem
from surgdesk.ui.board.undo import Placement
from surgdesk.ui.pending import PendingSaves
from surgdesk.ui.runner import ServiceRunner

from .conftest import BOARD_DAY, DEMO_PASSWORD, NOW, fill_demo, open_window
from .helpers import bar_centre, drag, free_slot, movable_case, point_for

pytestmark = pytest.mark.postgres

REAL_COMMIT = UnitOfWork.commit


def lose_reply_after_commit(self: UnitOfWork) -> None:
    REAL_COMMIT(self)
    raise DatabaseUnavailable("the connection dropped before the reply arrived")


def never_arrive(self: UnitOfWork) -> None:
    raise DatabaseUnavailable("the connection dropped before the write arrived")


@pytest.fixture
def demo_pg(postgres_url: str) -> str:
    fill_demo(postgres_url)
    return postgres_url


@pytest.fixture
def board(qtbot: QtBot, demo_pg: str) -> Iterator[BoardController]:
    services = Services.create(Database(make_nullpool_engine(demo_pg)), FakeClock(NOW))
    actor = services.auth.login("scheduler1", DEMO_PASSWORD).actor
    runner = ServiceRunner()
    controller = BoardController(services, actor, runner=runner)
    controller.load(BOARD_DAY)
    landed(controller)
    yield controller
    runner.shutdown()
    services.close()


def landed(controller: BoardController) -> None:
    """Every call the controller handed to its runner has answered (on the GUI thread)."""
    runner = controller.runner
    assert isinstance(runner, ServiceRunner)
    assert runner.settle()


class Heard:
    """What the controller said: status-bar messages, outages, stale cases."""

    def __init__(self, controller: BoardController) -> None:
        self.messages: list[str] = []
        self.unreachable: list[str] = []
        self.stale: list[str] = []
        controller.message.connect(self.messages.append)
        controller.pending.message.connect(self.messages.append)
        controller.unreachable.connect(self.unreachable.append)
        controller.stale.connect(self.stale.append)


def stored(board: BoardController, number: str) -> CaseSummary:
    """The case as the database holds it (a read: nothing committed)."""
    return board.services.cases.get_case(board.actor, number).case


def _admin(services: Services) -> Actor:
    return services.auth.login("admin", DEMO_PASSWORD).actor


def operations(services: Services, op_id: str) -> int:
    with services.db.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(m.AppliedOperation).where(
            m.AppliedOperation.op_id == op_id)) or 0)


def moves_audited(services: Services, case_id: int) -> int:
    with services.db.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(m.AuditEvent).where(
            m.AuditEvent.action == "move_case", m.AuditEvent.target_id == case_id)) or 0)


def movable(controller: BoardController) -> CaseSummary:
    window = controller.window
    assert window is not None
    cases = sorted((c for c in controller.model.cases()
                    if c.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)
                    and c.scheduled_start is not None and c.scheduled_end is not None
                    and c.scheduled_start >= window.visible_start), key=lambda c: c.case_number)
    assert cases, "the demo board has no movable case"
    return cases[0]


def free_place(controller: BoardController, case: CaseSummary) -> Placement:
    window = controller.window
    assert window is not None
    assert case.scheduled_start is not None
    assert case.scheduled_end is not None
    length = case.scheduled_end - case.scheduled_start
    start: datetime = window.visible_start + timedelta(hours=1)
    while start + length <= window.visible_end:
        for room in controller.model.rooms():
            if room.id != case.room_id and drop_problem(
                    controller.model, case.id, room.id, start, start + length) is None:
                return Placement(room.code, start, start + length)
        start += timedelta(minutes=30)
    raise AssertionError("no free slot on the demo board")


def test_reply_lost_after_commit_is_saved_once_on_retry(
        board: BoardController, monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard(board)
    case = movable(board)
    target = free_place(board, case)
    monkeypatch.setattr(UnitOfWork, "commit", lose_reply_after_commit)
    assert board.place(case.case_number, target)  # handed over
    landed(board)

    assert len(board.pending) == 1
    [op_id] = board.pending.op_ids()
    assert heard.unreachable
    assert "not confirmed" in heard.messages[-1]
    assert "saved once" in heard.messages[-1]
    assert board.case(case.case_number) == case  # the bar stays where it was confirmed

    monkeypatch.setattr(UnitOfWork, "commit", REAL_COMMIT)
    board.pending.retry_all()
    landed(board)

    assert len(board.pending) == 0
    now = stored(board, case.case_number)
    assert now.version == case.version + 1  # applied once, by the first attempt
    assert (now.room_code, now.scheduled_start) == (target.room_code, target.start)
    assert operations(board.services, op_id) == 1
    assert moves_audited(board.services, case.id) == 1
    shown = board.case(case.case_number)
    assert shown is not None
    assert (shown.room_code, shown.version) == (target.room_code, now.version)
    assert heard.messages[-1].endswith("saved")
    assert "NOT" not in heard.messages[-1]


def test_write_that_never_arrived_is_applied_once_on_retry(
        board: BoardController, monkeypatch: pytest.MonkeyPatch) -> None:
    case = movable(board)
    target = free_place(board, case)
    monkeypatch.setattr(UnitOfWork, "commit", never_arrive)
    assert board.place(case.case_number, target)  # handed over
    landed(board)
    assert stored(board, case.case_number).version == case.version
    [op_id] = board.pending.op_ids()

    monkeypatch.setattr(UnitOfWork, "commit", REAL_COMMIT)
    board.pending.retry_all()
    landed(board)

    now = stored(board, case.case_number)
    assert now.version == case.version + 1
    assert now.room_code == target.room_code
    assert operations(board.services, op_id) == 1
    assert moves_audited(board.services, case.id) == 1
    assert len(board.pending) == 0


def test_still_unreachable_stays_pending_for_the_next_retry(
        board: BoardController, monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard(board)
    case = movable(board)
    monkeypatch.setattr(UnitOfWork, "commit", never_arrive)
    assert board.place(case.case_number, free_place(board, case))  # handed over
    landed(board)
    board.pending.retry_all()
    landed(board)
    assert len(board.pending) == 1
    assert "still not confirmed" in heard.messages[-1]
    assert len(heard.unreachable) == 2

    monkeypatch.setattr(UnitOfWork, "commit", REAL_COMMIT)
    board.pending.retry_all()
    landed(board)
    assert len(board.pending) == 0
    assert stored(board, case.case_number).version == case.version + 1


def test_changed_by_someone_else_meanwhile_is_reported_not_saved(
        board: BoardController, monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard(board)
    case = movable(board)
    target = free_place(board, case)
    monkeypatch.setattr(UnitOfWork, "commit", never_arrive)
    assert board.place(case.case_number, target)  # handed over
    landed(board)
    monkeypatch.setattr(UnitOfWork, "commit", REAL_COMMIT)
    # Another PC resizes the case while this one is cut off.
    assert case.scheduled_end is not None
    theirs = board.services.cases.move(_admin(board.services), case.case_number,
                                       end=case.scheduled_end + timedelta(minutes=15))

    board.pending.retry_all()
    landed(board)

    assert len(board.pending) == 0
    assert "NOT saved" in heard.messages[-1]
    assert case.case_number in heard.messages[-1]
    assert heard.stale == [case.case_number]  # the window reads the board again
    now = stored(board, case.case_number)
    assert (now.version, now.room_code, now.scheduled_end) == (
        theirs.case.version, case.room_code, theirs.case.scheduled_end)  # theirs kept


def test_undo_and_redo_are_operations_of_their_own(board: BoardController) -> None:
    case = movable(board)
    assert board.place(case.case_number, free_place(board, case))  # not via the stack
    landed(board)
    board.undo_stack.clear()
    case = board.case(case.case_number) or case
    target = free_place(board, case)
    row = board.model.room_row(next(r.id for r in board.model.rooms()
                                    if r.code == target.room_code))
    assert row is not None
    room = board.model.room_at(row)
    assert room is not None
    assert board.write_drop(Drop(case.case_number, room.id, target.start, target.end))
    landed(board)
    board.undo_stack.undo()
    landed(board)
    board.undo_stack.redo()
    landed(board)
    with board.services.db.new_session() as s:
        ops = s.scalars(select(m.AppliedOperation.op_id).where(
            m.AppliedOperation.target_id == case.id)).all()
    assert len(ops) == len(set(ops)) == 4  # place, drop, undo, redo
    assert stored(board, case.case_number).room_code == target.room_code


def test_status_change_from_the_board_waits_too(
        board: BoardController, monkeypatch: pytest.MonkeyPatch) -> None:
    case = movable(board)
    monkeypatch.setattr(UnitOfWork, "commit", lose_reply_after_commit)
    assert board.set_status(case.case_number, CaseStatus.POSTPONED, "list overran")  # handed over
    landed(board)
    assert board.pending.descriptions() == [
        f"Status change of {case.case_number} to postponed"]
    monkeypatch.setattr(UnitOfWork, "commit", REAL_COMMIT)
    board.pending.retry_all()
    landed(board)
    now = stored(board, case.case_number)
    assert now.status is CaseStatus.POSTPONED
    assert now.version == case.version + 1
    assert board.queue.case(case.case_number) is not None


def test_a_mouse_drag_whose_reply_is_lost_is_saved_once(
        qtbot: QtBot, demo_pg: str, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_pg)
    try:
        view = window.board
        case = movable_case(view)
        target = free_slot(view, case)
        pending: PendingSaves = window.controller.pending
        monkeypatch.setattr(UnitOfWork, "commit", lose_reply_after_commit)
        drag(qtbot, view, bar_centre(view, case.case_number),
             point_for(view, case, target.room_id, target.start))
        monkeypatch.setattr(UnitOfWork, "commit", REAL_COMMIT)
        assert pending.op_ids(), "the drag did not wait for the database"
        [op_id] = pending.op_ids()
        # The window may already retry by itself once its feed reconnects; either way:
        pending.retry_all()
        qtbot.waitUntil(lambda: len(pending) == 0, timeout=10_000)
        now = window.services.cases.get_case(window.actor, case.case_number).case
        assert (now.room_id, now.scheduled_start) == (target.room_id, target.start)
        assert now.version == case.version + 1
        assert operations(window.services, op_id) == 1
        qtbot.waitUntil(lambda: (window.controller.case(case.case_number) or case).room_id
                        == target.room_id, timeout=10_000)
    finally:
        window.close()


def test_reads_that_find_the_database_unreachable_say_so_and_still_raise(
        board: BoardController, monkeypatch: pytest.MonkeyPatch) -> None:
    heard = Heard(board)

    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise DatabaseUnavailable("the database cannot be reached")

    monkeypatch.setattr(board.services.cases, "board", unreachable)
    failed: list[object] = []
    board.load_failed.connect(failed.append)
    assert board.reload()
    landed(board)
    assert [type(e) for e in failed] == [DatabaseUnavailable]
    assert isinstance(board.last_load_error, DatabaseUnavailable)
    monkeypatch.setattr(board.services.changes, "impact", unreachable)
    with pytest.raises(DatabaseUnavailable):
        board.remote_update(())
    assert heard.unreachable == ["the database cannot be reached"] * 2
