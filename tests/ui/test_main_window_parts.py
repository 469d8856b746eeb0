"""The main window's parts: the layout kept per person, Go to date on Qt's calendar, the
busy indicator, and the actions reached through the window's parts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCalendarWidget, QDialog, QFileDialog, QProgressBar
from pytestqt.qtbot import QtBot

from surgdesk.app import create_main_window
from surgdesk.errors import DatabaseUnavailable
from surgdesk.services.context import FakeClock
from surgdesk.ui.main_window import MainWindow
from surgdesk.ui.mainwindow.dialogs import GoToDateDialog
from surgdesk.ui.mainwindow.statusbar import BUSY_DELAY_MS

from .conftest import BOARD_DAY, DEMO_PASSWORD, NOW, open_window
from .helpers import print_preview_to_pdf, settle

Area = Qt.DockWidgetArea


def _window(qtbot: QtBot, url: str, username: str = "scheduler1") -> MainWindow:
    """A window as the app opens it: its own saved size, not one a test sets."""
    window = create_main_window(url, username=username, password=DEMO_PASSWORD,
                                day=BOARD_DAY, clock=FakeClock(NOW))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.runner.settle(), "the first load did not land"
    return window


# ---- the layout, per person ---------------------------------------------------------------


def test_a_moved_dock_and_the_size_come_back_in_a_new_window(
        qtbot: QtBot, demo_url: str) -> None:
    window = _window(qtbot, demo_url)
    window.resize(700, 520)  # within the offscreen screen (800×800): not clamped
    window.addDockWidget(Area.LeftDockWidgetArea, window.queue_dock)
    table = window.show_case_table()
    window.addDockWidget(Area.BottomDockWidgetArea, table)
    qtbot.waitUntil(lambda: window.size() == QSize(700, 520), timeout=10_000)
    window.close()

    again = _window(qtbot, demo_url)
    assert again.size() == QSize(700, 520)
    assert again.dockWidgetArea(again.queue_dock) is Area.LeftDockWidgetArea
    # A side dock is built on demand, where this person last had it.
    assert again.dockWidgetArea(again.show_case_table()) is Area.BottomDockWidgetArea
    again.close()


def test_each_person_keeps_their_own_layout(qtbot: QtBot, demo_url: str) -> None:
    window = _window(qtbot, demo_url)
    window.addDockWidget(Area.LeftDockWidgetArea, window.queue_dock)
    window.close()

    other = _window(qtbot, demo_url, username="viewer")
    assert other.dockWidgetArea(other.queue_dock) is Area.RightDockWidgetArea  # the default
    other.close()


# ---- Go to date ---------------------------------------------------------------------------


def test_go_to_date_picks_the_day_on_qt_s_calendar(
        qtbot: QtBot, board_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[GoToDateDialog] = []

    def pick(dialog: GoToDateDialog) -> int:
        shown.append(dialog)
        calendar = dialog.findChild(QCalendarWidget, "goToDateCalendar")
        assert calendar is not None
        assert calendar.selectedDate() == QDate(2026, 1, 13)  # opened on the day shown
        calendar.setSelectedDate(QDate(2026, 2, 3))
        calendar.activated.emit(calendar.selectedDate())  # Enter or a double-click
        return int(dialog.result())

    monkeypatch.setattr(GoToDateDialog, "exec", pick)
    action = board_window.findChild(QAction, "goToDate")
    assert action is not None
    action.trigger()
    assert len(shown) == 1
    assert board_window.day == date(2026, 2, 3)


def test_cancelling_go_to_date_stays_on_the_day(
        board_window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(GoToDateDialog, "exec",
                        lambda _dialog: int(QDialog.DialogCode.Rejected))
    assert board_window.dialogs.go_to_date() is None
    assert board_window.day == BOARD_DAY


def test_the_calendar_offers_only_dates_a_person_may_type(qtbot: QtBot) -> None:
    dialog = GoToDateDialog(BOARD_DAY)
    qtbot.addWidget(dialog)
    assert dialog.calendar.minimumDate() == QDate(1900, 1, 1)
    assert dialog.calendar.maximumDate() == QDate(2999, 12, 31)
    assert dialog.chosen == BOARD_DAY


# ---- the busy indicator -------------------------------------------------------------------


def test_busy_shows_only_when_a_call_lasts(qtbot: QtBot, board_window: MainWindow) -> None:
    board_window.runner.settle()
    busy = board_window.findChild(QProgressBar, "statusBusy")
    assert busy is not None
    runner = board_window.runner
    assert busy.isHidden()

    runner.busy_changed.emit(True)
    runner.busy_changed.emit(False)  # a quick call: nothing flickers
    qtbot.wait(BUSY_DELAY_MS + 100)
    assert busy.isHidden()

    runner.busy_changed.emit(True)
    assert busy.isHidden()  # not at once
    qtbot.waitUntil(busy.isVisible, timeout=10_000)
    runner.busy_changed.emit(False)
    assert busy.isHidden()


# ---- the day list as PDF ------------------------------------------------------------------


def _save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *_a, **_k: (str(path), "PDF (*.pdf)")))


def test_the_day_list_pdf_is_read_off_the_gui_thread(
        board_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "daylist.pdf"
    _save_as(monkeypatch, target)
    board_window.export_daylist()
    assert board_window.runner.settle()
    assert target.is_file(), board_window.last_message
    assert board_window.last_message == f"Wrote {target}"


def test_a_day_list_read_that_finds_the_database_gone_prints_the_downtime_copy(
        board_window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def gone(*_args: object, **_kwargs: object) -> object:
        raise DatabaseUnavailable("test: the database cannot be reached")

    monkeypatch.setattr(board_window.services.cases, "day_sheet", gone)
    target = tmp_path / "daylist.pdf"
    _save_as(monkeypatch, target)
    board_window.export_daylist()
    assert board_window.runner.settle()
    assert board_window.offline
    assert target.is_file(), board_window.last_message
    assert "downtime copy" in board_window.last_message


# ---- the parts behind the window ----------------------------------------------------------


def test_the_old_names_reach_the_parts(board_window: MainWindow) -> None:
    assert board_window.undo_action is board_window.menus.undo
    assert board_window.findChild(QAction, "undo") is board_window.menus.undo
    assert board_window.new_case_action is board_window.menus.new_case
    assert board_window.queue_dock is board_window.docks.queue
    assert board_window.lock_overlay is board_window.user_session.lock_overlay
    names = {a.objectName() for a in board_window.findChildren(QAction) if a.objectName()}
    assert {"exportBoard", "printDaylist", "exportDaylist", "connectionSettings",
            "switchUser", "signOut", "quit", "undo", "redo", "dayView", "weekView",
            "previous", "next", "today", "goToDate", "zoomIn", "zoomOut", "zoomFit",
            "refresh", "showMyCases", "showCaseTable", "wallDisplay", "newCase", "openCase",
            "manageRooms", "manageUsers", "manageTemplates", "manageSettings",
            "manageEquipment", "manageBlocks", "manageCards", "legend", "about"} <= names


def test_print_day_list_reads_it_off_the_gui_thread_and_prints_from_the_preview(
        qtbot: QtBot, demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    target = tmp_path / "printed.pdf"
    titles = print_preview_to_pdf(monkeypatch, target)
    window = open_window(qtbot, demo_url)
    window.findChild(QAction, "printDaylist").trigger()
    assert not titles  # the day is being read on the runner, not on the GUI thread
    settle(window)
    assert titles == [f"Day list of {window.day:%a %d %b %Y}"]
    assert target.stat().st_size > 0
    assert "sent to the printer" in window.last_message
    assert "downtime" not in window.last_message
