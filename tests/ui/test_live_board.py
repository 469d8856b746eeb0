"""The open board follows other PCs' commits by itself (issue 6, items 1 and 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.model import drop_problem
from surgdesk.ui.case.form import CaseFormDialog
from surgdesk.ui.live import LiveState
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.main_window import MainWindow

from ..conftest import TEST_TIME_ZONE
from .conftest import DEMO_PASSWORD, NOW, fill_demo, open_window
from .helpers import MOVABLE, bar_centre, drag, free_slot, movable_case, point_for, settle

FEED_WAIT_MS = 5_000


class OtherPC:
    """A second client on the same database: its own engine, its own login."""

    def __init__(self, url: str, username: str = "scheduler1") -> None:
        self.services = Services.create(Database(make_nullpool_engine(url)), FakeClock(NOW))
        self.actor: Actor = self.services.auth.login(username, DEMO_PASSWORD).actor

    def move(self, window: MainWindow, drop: Drop) -> CaseSummary:
        room = window.controller.model.room_at(window.controller.model.room_row(drop.room_id)
                                               or 0)
        assert room is not None
        return self.services.cases.move(self.actor, drop.case_number, room=room.code,
                                        start=drop.start, end=drop.end).case

    def close(self) -> None:
        self.services.close()


@pytest.fixture
def other_pc(demo_url: str) -> Iterator[OtherPC]:
    pc = OtherPC(demo_url)
    yield pc
    pc.close()


def _open(qtbot: QtBot, url: str) -> tuple[MainWindow, CaseSummary]:
    """A signed-in window on ``url`` and a case on it that can be moved."""
    window = open_window(qtbot, url)
    return window, movable_case(window.board)


def _untouched(window: MainWindow, *numbers: str) -> str:
    return next(c.case_number for c in window.controller.model.cases()
                if c.case_number not in numbers)


def test_a_move_on_another_pc_reaches_the_open_board_by_itself(
        qtbot: QtBot, demo_url: str, other_pc: OtherPC) -> None:
    window, case = _open(qtbot, demo_url)
    view, model = window.board, window.controller.model
    target = free_slot(view, case)
    bystander = _untouched(window, case.case_number)
    bystander_item = view.item_for(bystander)
    view.select_case(bystander)
    view.zoom_by(3)  # wide enough to scroll
    bar = view.horizontalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()

    moved = other_pc.move(window, target)

    qtbot.waitUntil(lambda: (model.case(case.case_number) or case).version == moved.version,
                    timeout=FEED_WAIT_MS)
    shown = model.case(case.case_number)
    assert shown is not None
    assert (shown.room_id, shown.scheduled_start) == (target.room_id, target.start)
    # Incremental: no reload, so the untouched bar is the same object; view state stays.
    assert view.item_for(bystander) is bystander_item
    assert bar.value() == scrolled
    assert view.selected_case() == bystander
    assert view.is_flashing(case.case_number)
    assert not view.is_flashing(bystander)
    qtbot.waitUntil(lambda: not view.is_flashing(case.case_number), timeout=FEED_WAIT_MS)
    window.close()


def test_a_case_sent_back_to_the_queue_elsewhere_leaves_the_board_for_the_queue(
        qtbot: QtBot, demo_url: str, other_pc: OtherPC) -> None:
    window = open_window(qtbot, demo_url)
    case = next(c for c in window.controller.model.cases() if c.status is CaseStatus.SCHEDULED)
    other_pc.services.cases.unschedule(other_pc.actor, case.case_number)
    qtbot.waitUntil(lambda: window.controller.queue.case(case.case_number) is not None,
                    timeout=FEED_WAIT_MS)
    assert window.controller.model.case(case.case_number) is None
    assert window.board.item_for(case.case_number) is None
    window.close()


def test_a_drag_is_cancelled_when_its_case_changes_underneath(
        qtbot: QtBot, demo_url: str, other_pc: OtherPC) -> None:
    window, case = _open(qtbot, demo_url)
    view, model = window.board, window.controller.model
    mine = free_slot(view, case)
    theirs = free_slot(view, case, other_room=False)
    grab = bar_centre(view, case.case_number)
    release_at = point_for(view, case, mine.room_id, mine.start)
    drag(qtbot, view, grab, release_at, release=False)
    assert view.dragged_case() == case.case_number

    moved = other_pc.move(window, theirs)
    qtbot.waitUntil(lambda: view.dragged_case() is None, timeout=FEED_WAIT_MS)
    # The change log names who did it (staff, never a patient).
    assert f"{case.case_number} was changed by {other_pc.actor.display_name} on another PC " \
        "— drag cancelled" in window.last_message
    assert not view.ghost().isVisible()
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=release_at)

    stored = window.services.cases.get_case(window.actor, case.case_number).case
    assert stored.version == moved.version  # nothing of the cancelled drag was written
    assert (stored.room_id, stored.scheduled_start) == (theirs.room_id, theirs.start)
    shown = model.case(case.case_number)
    assert shown is not None
    assert shown.version == moved.version
    window.close()


def test_our_own_drop_is_not_applied_again_from_the_feed(
        qtbot: QtBot, demo_url: str) -> None:
    window, case = _open(qtbot, demo_url)
    view = window.board
    target = free_slot(view, case)
    with qtbot.waitSignal(window.live.changes_arrived, timeout=FEED_WAIT_MS):
        drag(qtbot, view, bar_centre(view, case.case_number),
             point_for(view, case, target.room_id, target.start))
    assert not view.is_flashing(case.case_number)
    assert window.controller.undo_stack.count() == 1  # our history is kept
    window.close()


def test_a_checklist_tick_elsewhere_updates_the_bar_progress(
        qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url)
    model = window.controller.model
    case = next(c for c in model.cases() if c.checklist_done < c.checklist_total
                and c.status.value == "scheduled")
    admin = OtherPC(demo_url, "admin")
    try:
        detail = admin.services.cases.get_case(admin.actor, case.case_number)
        item = next(i for cl in detail.checklists for i in cl.items
                    if i.is_required and i.status.value == "pending")
        admin.services.checklists.tick(admin.actor, case.case_number, item.item_code)
    finally:
        admin.close()
    qtbot.waitUntil(lambda: (model.case(case.case_number) or case).checklist_done
                    == case.checklist_done + 1, timeout=FEED_WAIT_MS)
    window.close()


def test_closing_the_window_stops_the_feed(qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url)
    live = window.live
    assert live.active
    window.close()
    assert not live.active
    assert live.watcher is None
    assert not live.timer.isActive()


# ---- Postgres: a separate writer process, NOTIFY and a socket notifier ------------------


@pytest.fixture
def pg_demo_url(postgres_url: str) -> str:
    fill_demo(postgres_url)
    return postgres_url


def _cli(url: str, data_dir: Path, *args: str, stdin: str = "") -> None:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["SURGDESK_DATA_DIR"] = str(data_dir)
    done = subprocess.run([sys.executable, "-m", "surgdesk.cli.main", "--database", url, *args],
                          capture_output=True, text=True, env=env, input=stdin, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.postgres
def test_a_cli_move_in_another_process_reaches_the_board_on_postgres(
        qtbot: QtBot, pg_demo_url: str, tmp_path: Path) -> None:
    window, case = _open(qtbot, pg_demo_url)
    view, model = window.board, window.controller.model
    assert window.live.notifier is not None  # a socket notifier, no polling timer
    assert not window.live.timer.isActive()
    target = free_slot(view, case)
    bystander = _untouched(window, case.case_number)
    bystander_item = view.item_for(bystander)
    room = model.room_at(model.room_row(target.room_id) or 0)
    assert room is not None
    local = target.start.astimezone(ZoneInfo(TEST_TIME_ZONE)).replace(tzinfo=None)

    _cli(pg_demo_url, tmp_path, "login", "--username", "scheduler1", "--password-stdin",
         stdin=f"{DEMO_PASSWORD}\n")
    _cli(pg_demo_url, tmp_path, "cases", "move", case.case_number, "--room", room.code,
         "--start", local.isoformat(timespec="minutes"))

    qtbot.waitUntil(lambda: (model.case(case.case_number) or case).scheduled_start
                    == target.start, timeout=FEED_WAIT_MS)
    assert view.item_for(bystander) is bystander_item
    assert view.is_flashing(case.case_number)
    window.close()
    assert not window.live.active


@pytest.mark.postgres
def test_a_lost_listener_connection_is_reported_not_fatal(
        qtbot: QtBot, pg_demo_url: str) -> None:
    window = open_window(qtbot, pg_demo_url)
    watcher = window.live.watcher
    pid = getattr(watcher, "backend_pid", None)
    assert pid is not None
    lost: list[str] = []
    window.live.lost.connect(lost.append)
    with qtbot.waitSignal(window.live.restored, timeout=30_000), \
            psycopg.connect(pg_demo_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert len(lost) == 1  # reported once, as an outage with a banner, not a crash
    assert window.controller.model.cases()  # the board stayed as it was
    assert window.live.state is LiveState.LIVE  # reconnected by itself
    assert window.live.watcher is not None
    assert window.live.watcher is not watcher
    window.close()


def test_an_open_case_form_is_told_when_its_case_changes_elsewhere(
        qtbot: QtBot, demo_url: str, other_pc: OtherPC) -> None:
    window, case = _open(qtbot, demo_url)
    window.open_case(case.case_number)
    form = window.case_form
    assert isinstance(form, CaseFormDialog)
    assert form.runner.settle()  # the form has read its case
    other_pc.move(window, free_slot(window.board, case))
    qtbot.waitUntil(lambda: f"changed by {other_pc.actor.display_name}" in form.last_message,
                    timeout=FEED_WAIT_MS)
    assert form.isVisible()  # the user's input stays; Save asks to reload or re-apply
    form.reject()
    window.close()


def test_after_signing_out_changes_from_other_pcs_are_not_loaded(
        qtbot: QtBot, demo_url: str, other_pc: OtherPC, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_url)
    seen: list[int] = []

    def login_dialog_open(_dialog: LoginDialog) -> int:
        # While the login dialog waits, another PC sends a case back to the queue.
        with qtbot.waitSignal(window.live.changes_arrived, timeout=FEED_WAIT_MS):
            other_pc.services.cases.unschedule(other_pc.actor, scheduled.case_number)
        seen.append(len(window.controller.queue.cases()) + len(window.controller.model.cases()))
        return int(QDialog.DialogCode.Rejected)

    scheduled = next(c for c in window.controller.model.cases()
                     if c.status is CaseStatus.SCHEDULED)
    monkeypatch.setattr(LoginDialog, "exec", login_dialog_open)
    assert not window.sign_out()
    assert seen == [0]  # nothing of the signed-out user's board came back


def test_a_room_change_elsewhere_reloads_the_board_and_cancels_a_drag(
        qtbot: QtBot, demo_url: str) -> None:
    window, case = _open(qtbot, demo_url)
    view = window.board
    target = free_slot(view, case)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start), release=False)
    admin = OtherPC(demo_url, "admin")
    try:
        room = admin.services.rooms.list_rooms(admin.actor)[0]
        admin.services.rooms.update_room(admin.actor, room.code, name="Renamed on another PC",
                                         expected_version=room.version)
    finally:
        admin.close()
    qtbot.waitUntil(lambda: view.dragged_case() is None, timeout=FEED_WAIT_MS)
    assert "drag of" in window.last_message
    settle(window)  # the board read again
    assert any(r.name == "Renamed on another PC" for r in window.controller.model.rooms())
    window.close()


def _double_booking(window: MainWindow) -> tuple[CaseSummary, Drop, CaseSummary] | None:
    """A movable case, a free place for it, and a case of the same surgeon it would then
    overlap in another room."""
    model = window.controller.model
    for mover in sorted(model.cases(), key=lambda c: c.case_number):
        if mover.status not in MOVABLE:
            continue
        for other in model.cases():
            if other.lead_surgeon_user_id != mover.lead_surgeon_user_id or other.id == mover.id \
                    or other.status not in MOVABLE or "surgeon_double_booked" in other.conflicts:
                continue
            assert other.scheduled_start is not None
            assert mover.scheduled_start is not None
            assert mover.scheduled_end is not None
            length = mover.scheduled_end - mover.scheduled_start
            for room in model.rooms():
                start = other.scheduled_start
                if room.id != other.room_id and drop_problem(
                        model, mover.id, room.id, start, start + length) is None:
                    return mover, Drop(mover.case_number, room.id, start, start + length), other
    return None


def test_a_move_elsewhere_updates_the_warning_marks_of_the_cases_it_now_overlaps(
        qtbot: QtBot, demo_url: str, other_pc: OtherPC) -> None:
    window = open_window(qtbot, demo_url)
    found = _double_booking(window)
    assert found is not None, "the demo has no surgeon to double-book"
    mover, drop, other = found
    other_pc.move(window, drop)
    model = window.controller.model
    qtbot.waitUntil(lambda: "surgeon_double_booked" in (
        model.case(other.case_number) or other).conflicts, timeout=FEED_WAIT_MS)
    assert window.board.is_flashing(mover.case_number)
    assert not window.board.is_flashing(other.case_number)  # only what someone changed
    window.close()
