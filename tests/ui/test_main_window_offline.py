"""The main window while the database is unreachable (issue 6 item 4): the banner says
since when, the board stays with its last known data and is read-only, the day list prints
from that data as a downtime copy, and when the connection is back by itself editing
returns as the role allows and what another PC changed meanwhile is on the board.

The first tests drive the outage through the window's own report (SQLite, quick); the
Postgres ones cut a real window off through the fault proxy — its server connections
killed (pg_terminate_backend), and the network going silent."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.engine import make_url

from surgdesk.domain import models as m
from surgdesk.errors import DatabaseUnavailable
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import FakeClock
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.case.form import CaseFormDialog
from surgdesk.ui.live import LiveState
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.main_window import NEEDS_DATABASE, MainWindow
from tests.netfault import FaultProxy

from ..conftest import TEST_TIME_ZONE
from .conftest import BOARD_DAY, DEMO_PASSWORD, NOW, fill_demo, open_window
from .helpers import (
    bar_centre,
    drag,
    free_slot,
    movable_case,
    point_for,
    print_preview_to_pdf,
    settle,
)

# A silent network holds a reconnect attempt for the connect timeout (5 s) before the next
# one; the heartbeat needs up to ~7 s to call a silent connection lost.
OUTAGE_WAIT_MS = 30_000
SINCE = f"{NOW.astimezone(ZoneInfo(TEST_TIME_ZONE)):%H:%M}"  # the window's FakeClock


def _action(window: MainWindow, name: str) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def _no_database_reads(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any day-list read of the services now fails the test: printing must use the board."""
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the downtime day list read the database")

    for service, name in ((window.services.cases, "day_sheet"),
                          (window.services.rooms, "list_rooms"),
                          (window.services.rooms, "closures"),
                          (window.services.settings, "get")):
        monkeypatch.setattr(service, name, refuse)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def _print_to_pdf(window: MainWindow, path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a, **_k: (str(path), "PDF (*.pdf)")))
    window.export_daylist()
    assert path.is_file(), window.last_message
    return _pdf_text(path)


def _day_cases(window: MainWindow) -> list[CaseSummary]:
    tz = ZoneInfo(TEST_TIME_ZONE)
    return [c for c in window.controller.model.cases()
            if c.scheduled_start is not None
            and c.scheduled_start.astimezone(tz).date() == BOARD_DAY
            and c.status.value not in ("cancelled", "requested")]


def assert_read_only(window: MainWindow) -> None:
    assert window.offline
    assert not window.board.editable
    assert not window.queue_dock.list.dragEnabled()
    assert not window.new_case_action.isEnabled()
    assert not window.undo_action.isEnabled()
    assert not window.redo_action.isEnabled()
    assert not window.status_menu.menuAction().isEnabled()
    for name in NEEDS_DATABASE:
        action = _action(window, name)
        assert not action.isEnabled(), name
        assert "unreachable" in action.toolTip(), name
    for admin_action, _guard in window.admin_actions:
        assert not admin_action.isEnabled()
    # Still there: scrolling and zooming the board in place, printing, quitting.
    for name in ("zoomIn", "zoomOut", "printDaylist", "exportDaylist", "quit"):
        assert _action(window, name).isEnabled(), name


def assert_editable_again(window: MainWindow) -> None:
    assert not window.offline
    assert window.board.editable  # a scheduler
    assert window.queue_dock.list.dragEnabled()
    assert window.new_case_action.isEnabled()
    assert window.status_menu.menuAction().isEnabled()
    for name in NEEDS_DATABASE:
        action = _action(window, name)
        assert action.isEnabled(), name
        assert "unreachable" not in action.toolTip(), name


# ---- the window's side of an outage (SQLite: reported by the window itself) -------------


@pytest.fixture
def window(qtbot: QtBot, demo_url: str) -> Iterator[MainWindow]:
    opened = open_window(qtbot, demo_url)
    # No reconnect by itself here: "Retry now" on the banner brings the database back.
    opened.live.backoff_s = (3600.0,)
    yield opened
    opened.close()


def test_an_outage_makes_the_window_read_only_and_retry_now_gives_editing_back(
        qtbot: QtBot, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    view = window.board
    case = movable_case(view)
    target = free_slot(view, case)
    drag(qtbot, view, bar_centre(view, case.case_number),
         point_for(view, case, target.room_id, target.start))
    assert window.controller.undo_stack.canUndo()
    assert window.undo_action.isEnabled()

    window.controller.unreachable.emit("moving a case: the database cannot be reached")

    assert window.live.state is LiveState.LOST
    assert window.banner.isVisible()
    assert "unreachable" in window.banner.text()
    assert SINCE in window.banner.text()
    assert_read_only(window)
    view.select_case(case.case_number)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right)  # a keyboard nudge is refused too, and says why
    assert "cannot be moved now" in window.last_message
    assert "unreachable" in window.last_message
    window.open_case(case.case_number)
    assert "Cannot open" in window.last_message
    assert "unreachable" in window.last_message
    assert window.case_form_factory is not None
    assert getattr(window, "case_form", None) is None  # no form opened

    with qtbot.waitSignal(window.live.restored, timeout=10_000):
        qtbot.mouseClick(window.banner.retry_button, Qt.MouseButton.LeftButton)
    assert_editable_again(window)
    assert window.undo_action.isEnabled()  # the stack's history is still there
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10_000)


def test_a_viewer_gets_back_only_what_the_role_allows(qtbot: QtBot, demo_url: str) -> None:
    viewer = open_window(qtbot, demo_url, username="viewer")
    viewer.live.backoff_s = (3600.0,)
    assert not viewer.board.editable
    before = {name: _action(viewer, name).isEnabled() for name in NEEDS_DATABASE}
    admin_visible = viewer.admin_menu.menuAction().isVisible()
    viewer.report_unreachable("test")
    assert not viewer.board.editable
    with qtbot.waitSignal(viewer.live.restored, timeout=10_000):
        viewer.live.retry_now()
    assert not viewer.board.editable  # a viewer never drags
    assert not viewer.queue_dock.list.dragEnabled()
    assert not viewer.new_case_action.isEnabled()
    assert {name: _action(viewer, name).isEnabled() for name in NEEDS_DATABASE} == before
    assert viewer.admin_menu.menuAction().isVisible() == admin_visible
    viewer.close()


def test_the_day_list_prints_from_the_board_while_the_database_is_unreachable(
        qtbot: QtBot, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _day_cases(window)
    assert expected
    window.report_unreachable("test: the database cannot be reached")
    _no_database_reads(window, monkeypatch)
    text = _print_to_pdf(window, tmp_path / "downtime.pdf", monkeypatch)
    assert f"DOWNTIME COPY — database unreachable since {SINCE}" in text
    assert window.synced_at is not None
    assert f"data as last synced at {window._hm(window.synced_at)}" in text
    for case in expected:
        assert case.case_number in text
    assert "downtime copy" in window.last_message


def test_file_print_day_list_prints_the_downtime_copy(
        window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "printed.pdf"

    print_preview_to_pdf(monkeypatch, target)
    window.report_unreachable("test")
    _no_database_reads(window, monkeypatch)
    _action(window, "printDaylist").trigger()
    assert "sent to the printer (downtime copy" in window.last_message
    text = _pdf_text(target)
    assert "DOWNTIME COPY" in text
    for case in _day_cases(window):
        assert case.case_number in text


def _downtime_print_audits(url: str) -> list[dict[str, object]]:
    db = Database(make_nullpool_engine(url))
    try:
        with db.new_session(read_only=True) as session:
            details = session.scalars(select(m.AuditEvent.details)
                                      .where(m.AuditEvent.action == "print_day_list"))
            return [d for d in details if d and d.get("downtime")]
    finally:
        db.dispose()


def test_a_downtime_copy_is_audited_once_the_database_is_back(
        qtbot: QtBot, window: MainWindow, demo_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window.report_unreachable("test: the database cannot be reached")
    _print_to_pdf(window, tmp_path / "downtime.pdf", monkeypatch)
    assert len(window.pending_audits) == 1
    assert _downtime_print_audits(demo_url) == []  # nothing could be written yet

    with qtbot.waitSignal(window.live.restored, timeout=10_000):
        window.live.retry_now()
    settle(window)  # the waiting saves and audit records were handed over and answered
    recorded = _downtime_print_audits(demo_url)
    assert len(recorded) == 1
    assert recorded[0]["case_count"] == len(_day_cases(window))
    assert len(window.pending_audits) == 0
    window.controller.pending.retry_all()
    window.pending_audits.retry_all()
    settle(window)
    assert len(_downtime_print_audits(demo_url)) == 1  # written once


def test_a_live_feed_keeps_the_sync_time_current_while_nothing_changes(
        qtbot: QtBot, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = window.services.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(hours=2))  # two quiet hours: nothing read, the feed answering
    qtbot.waitUntil(lambda: window.synced_at is not None
                    and window.synced_at > NOW + timedelta(hours=1), timeout=10_000)
    window.report_unreachable("test")
    _no_database_reads(window, monkeypatch)
    text = _print_to_pdf(window, tmp_path / "downtime.pdf", monkeypatch)
    later = NOW + timedelta(hours=2)
    assert f"unreachable since {window._hm(later)}" in text
    assert f"data as last synced at {window._hm(later - timedelta(seconds=2))}" in text


def test_a_refresh_that_cannot_reach_the_database_starts_the_downtime(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = window.controller.model.cases()
    day = window.day

    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise DatabaseUnavailable("the database did not answer within 15 s")

    monkeypatch.setattr(window.services.cases, "board", unreachable)
    window.step(1)  # the next day cannot be read (found off the GUI thread)
    settle(window)
    assert window.offline
    assert window.live.state is LiveState.LOST
    assert window.day == day  # still the day the board shows: that is what prints
    assert window.controller.model.cases() == shown


def test_a_case_form_that_cannot_reach_the_database_starts_the_downtime(
        window: MainWindow) -> None:
    case = movable_case(window.board)
    window.open_case(case.case_number)
    form = window.case_form
    assert isinstance(form, CaseFormDialog)
    form.unreachable.emit("saving the case: the database did not answer within 15 s")
    assert window.offline
    assert window.banner.isVisible()
    assert form.isVisible()  # the form keeps the user's input
    form.reject()


def test_saves_waiting_show_on_the_banner_and_are_retried_once_back(
        qtbot: QtBot, window: MainWindow) -> None:
    saved: list[str] = []
    window.report_unreachable("test")
    window.controller.pending.add("op-1", "Move of 2026-000001", lambda: "result",
                                  saved.append)
    assert "1 save waiting" in window.banner.text()
    with qtbot.waitSignal(window.live.restored, timeout=10_000):
        window.live.retry_now()
    settle(window)
    assert saved == ["result"]
    assert len(window.controller.pending) == 0
    assert "saved" in window.last_message


def test_signing_out_during_an_outage_drops_waiting_saves_and_does_not_wait_for_the_server(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    messages: list[str] = []
    say = window.show_message
    monkeypatch.setattr(window, "show_message", lambda text: (messages.append(text), say(text)))
    window.report_unreachable("test")
    window.controller.pending.add("op-1", "Move of 2026-000001",
                                  lambda: pytest.fail("retried as the user who left"),
                                  lambda _result: None)
    window.token = "a-token"
    monkeypatch.setattr(window.services.auth, "logout",
                        lambda _token: pytest.fail("a server call while it is unreachable"))
    monkeypatch.setattr(LoginDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected))
    assert not window.sign_out()
    assert len(window.controller.pending) == 0
    assert any("Move of 2026-000001" in m and "no longer retried" in m for m in messages)
    assert window.token is None


def test_unlocking_the_idle_lock_during_an_outage_keeps_the_board_read_only(
        window: MainWindow) -> None:
    window.report_unreachable("test")
    window.lock_screen()
    window._unlock()
    assert_read_only(window)


# ---- a real outage: Postgres behind the fault proxy --------------------------------------


def _cli(url: str, data_dir: Path, *args: str, stdin: str = "") -> None:
    """The ``surgdesk`` command in its own process, straight to the server."""
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env["SURGDESK_DATA_DIR"] = str(data_dir)
    done = subprocess.run([sys.executable, "-m", "surgdesk.cli.main", "--database", url, *args],
                          capture_output=True, text=True, env=env, input=stdin, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr


def _terminate_backends(url: str) -> None:
    """Kill every server connection to this test's own database (not this one's)."""
    name = make_url(url).database
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))


@pytest.mark.postgres
@pytest.mark.parametrize("fault", ["terminate", "silent"])
def test_a_window_cut_off_from_postgres_goes_read_only_prints_and_comes_back_by_itself(
        qtbot: QtBot, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fault: str) -> None:
    fill_demo(postgres_url)
    with FaultProxy.for_url(postgres_url) as proxy:
        window = open_window(qtbot, proxy.url(postgres_url))
        view, model = window.board, window.controller.model
        assert window.live.state is LiveState.LIVE
        dragged = movable_case(view)
        moved_elsewhere = next(c for c in sorted(model.cases(), key=lambda c: c.case_number)
                               if c.id != dragged.id and c.status.value == "scheduled")
        target = free_slot(view, moved_elsewhere)
        room = model.room_at(model.room_row(target.room_id) or 0)
        assert room is not None
        local = target.start.astimezone(ZoneInfo(TEST_TIME_ZONE)).replace(tzinfo=None)
        _cli(postgres_url, tmp_path, "login", "--username", "scheduler1", "--password-stdin",
             stdin=f"{DEMO_PASSWORD}\n")
        expected = _day_cases(window)

        if fault == "terminate":
            _terminate_backends(postgres_url)
            # The network then stays down until the test says so: the outage lasts through
            # the checks below, however fast the window retries.
            window.live.lost.connect(lambda _reason: proxy.blackhole())
        else:
            proxy.blackhole()  # no reset, no error: only the heartbeat can tell
        qtbot.waitUntil(lambda: window.offline, timeout=OUTAGE_WAIT_MS)

        assert window.banner.isVisible()
        assert "unreachable" in window.banner.text()
        assert SINCE in window.banner.text()
        assert_read_only(window)
        assert model.cases()  # the last known board stays
        # A drag does nothing: the board is read-only (and nothing reaches the database).
        slot = free_slot(view, dragged)
        drag(qtbot, view, bar_centre(view, dragged.case_number),
             point_for(view, dragged, slot.room_id, slot.start))
        assert model.case(dragged.case_number) == dragged
        with psycopg.connect(postgres_url, autocommit=True) as direct:
            row = direct.execute("SELECT version FROM surgery_case WHERE case_number = %s",
                                 (dragged.case_number,)).fetchone()
        assert row == (dragged.version,)
        # The day list prints from what the board holds.
        with monkeypatch.context() as no_reads:
            _no_database_reads(window, no_reads)
            text = _print_to_pdf(window, tmp_path / "downtime.pdf", no_reads)
        assert "DOWNTIME COPY — database unreachable since" in text
        for case in expected:
            assert case.case_number in text

        # Another PC (a separate process, straight to the server) moves a case meanwhile.
        _cli(postgres_url, tmp_path, "cases", "move", moved_elsewhere.case_number,
             "--room", room.code, "--start", local.isoformat(timespec="minutes"))
        assert window.offline

        proxy.restore()  # the network is back; the window reconnects by itself
        qtbot.waitUntil(lambda: not window.offline, timeout=OUTAGE_WAIT_MS)
        settle(window)  # the backlog read off the GUI thread is on the board
        assert window.live.state is LiveState.LIVE
        assert_editable_again(window)
        shown = model.case(moved_elsewhere.case_number)
        assert shown is not None
        assert (shown.room_id, shown.scheduled_start) == (target.room_id, target.start)
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10_000)
        window.close()
