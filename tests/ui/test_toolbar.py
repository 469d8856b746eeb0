"""The main window's toolbar: the menus' own actions, a date picker, and find a case
(selects and scrolls to it, going to its day when needed; a miss says so)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDateEdit, QLineEdit, QToolBar
from pytestqt.qtbot import QtBot

from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.view import HEADER_HEIGHT, LABEL_WIDTH
from surgdesk.ui.main_window import MainWindow

from .conftest import BOARD_DAY, DEMO_PASSWORD, DEMO_START, open_window
from .helpers import settle

OTHER_DAY = DEMO_START  # the demo's first day; the window opens on the second


def toolbar(window: MainWindow) -> QToolBar:
    bar = window.findChild(QToolBar, "mainToolBar")
    assert bar is not None
    return bar


def find_field(window: MainWindow) -> QLineEdit:
    field = window.findChild(QLineEdit, "findCaseEdit")
    assert field is not None
    return field


def cases_on(window: MainWindow, day: date) -> list[CaseSummary]:
    found = window.services.cases.list_cases(window.actor, date_from=day, date_to=day)
    return [c for c in found if c.scheduled_start is not None]


def type_and_enter(qtbot: QtBot, window: MainWindow, text: str) -> None:
    field = find_field(window)
    field.setFocus()
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    settle(window)  # the search, then the day's load when the case is on another day
    settle(window)


def test_the_toolbar_holds_the_menus_actions_a_date_and_the_find_field(
        board_window: MainWindow) -> None:
    actions = toolbar(board_window).actions()
    for name in ("previous", "today", "next", "dayView", "weekView", "zoomIn", "zoomOut"):
        menu_action = board_window.findChild(QAction, name)
        assert menu_action in actions, name  # the menu's own QAction, not a copy
    picker = board_window.findChild(QDateEdit, "toolbarDate")
    assert picker is not None
    assert picker.calendarPopup()
    assert picker.date() == QDate(2026, 1, 13)
    assert find_field(board_window).isVisible()


def test_finding_a_case_on_another_day_goes_there_selects_and_scrolls_to_it(
        qtbot: QtBot, board_window: MainWindow) -> None:
    target = cases_on(board_window, OTHER_DAY)[-1]  # the latest: off the first screen
    type_and_enter(qtbot, board_window, target.case_number)
    assert board_window.day == OTHER_DAY
    board = board_window.board
    assert board.selected_case() == target.case_number
    item = board.item_for(target.case_number)
    assert item is not None
    on_screen = board.mapFromScene(item.scene_bar()).boundingRect()
    # Clear of the room column and the time header that lie over the scene.
    assert on_screen.left() >= LABEL_WIDTH
    assert on_screen.top() >= HEADER_HEIGHT
    assert board.viewport().rect().intersects(on_screen)
    picker = board_window.findChild(QDateEdit, "toolbarDate")
    assert picker is not None
    assert picker.date() == QDate(2026, 1, 12)


def test_several_matches_are_listed_and_enter_takes_the_first(
        qtbot: QtBot, board_window: MainWindow) -> None:
    cases = cases_on(board_window, BOARD_DAY)
    surgeon = max({c.lead_surgeon_name for c in cases},
                  key=lambda name: sum(c.lead_surgeon_name == name for c in cases))
    type_and_enter(qtbot, board_window, surgeon)
    bar = board_window.toolbar
    assert len(bar.matches) >= 2
    assert bar.completions.rowCount() == len(bar.matches)
    assert all(surgeon in bar.completions.index(row).data()
               for row in range(bar.completions.rowCount()))
    assert board_window.board.selected_case() == bar.matches[0].case_number


def test_a_miss_says_so_in_the_status_bar(qtbot: QtBot, board_window: MainWindow) -> None:
    type_and_enter(qtbot, board_window, "no such procedure")
    assert "No case matches" in board_window.last_message
    assert board_window.day == BOARD_DAY


def test_a_patient_name_finds_nothing_for_a_viewer(qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url, username="viewer")
    scheduler_view = window.services.cases.list_cases(
        window.services.auth.login("scheduler1", "demo-password-for-tests").actor,
        date_from=BOARD_DAY, date_to=BOARD_DAY)
    patient = scheduler_view[0].patient_name
    assert patient
    type_and_enter(qtbot, window, patient)
    assert window.toolbar.matches == []
    assert "No case matches" in window.last_message
    window.close()


def test_picking_a_date_opens_that_day(qtbot: QtBot, board_window: MainWindow) -> None:
    picker = board_window.findChild(QDateEdit, "toolbarDate")
    assert picker is not None
    picker.setDate(QDate(2026, 1, 12))
    settle(board_window)
    assert board_window.day == OTHER_DAY


def test_the_toolbar_s_place_comes_back_with_the_window_state(
        qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url)
    window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, toolbar(window))
    window.close()
    again = open_window(qtbot, demo_url)
    assert again.toolBarArea(toolbar(again)) is Qt.ToolBarArea.LeftToolBarArea
    again.close()


def test_ctrl_f_goes_to_the_find_field(qtbot: QtBot, board_window: MainWindow) -> None:
    board_window.board.setFocus()
    field = find_field(board_window)
    field.setText("old")
    action = board_window.findChild(QAction, "findCase")
    assert action is not None
    action.trigger()
    assert field.hasFocus()
    assert field.selectedText() == "old"


def test_the_date_and_find_field_are_off_while_the_database_is_away(
        board_window: MainWindow) -> None:
    picker = board_window.findChild(QDateEdit, "toolbarDate")
    assert picker is not None
    board_window.session.offline_changed.emit(True)
    assert not find_field(board_window).isEnabled()
    assert not picker.isEnabled()
    board_window.session.offline_changed.emit(False)
    assert find_field(board_window).isEnabled()
    assert picker.isEnabled()


def test_a_match_picked_from_the_list_is_gone_to_and_its_number_kept(
        qtbot: QtBot, board_window: MainWindow) -> None:
    target = cases_on(board_window, OTHER_DAY)[0]
    field = find_field(board_window)
    qtbot.keyClicks(field, target.procedure_name)
    bar = board_window.toolbar
    bar.search()
    settle(board_window)
    label = next(bar.completions.index(row).data() for row in range(bar.completions.rowCount())
                 if bar.completions.index(row).data().startswith(target.case_number))
    bar.completer.activated.emit(label)
    settle(board_window)
    qtbot.waitUntil(lambda: field.text() == target.case_number)
    assert board_window.board.selected_case() == target.case_number
    assert board_window.day == OTHER_DAY


def test_nothing_is_found_behind_the_idle_lock(qtbot: QtBot, board_window: MainWindow) -> None:
    target = cases_on(board_window, BOARD_DAY)[0]
    board_window.lock_screen()
    assert board_window.locked
    field = find_field(board_window)
    field.setText(target.case_number)
    board_window.toolbar.search()
    settle(board_window)
    assert board_window.toolbar.matches == []
    assert board_window.toolbar.completions.rowCount() == 0


def test_another_person_signing_in_does_not_see_the_last_search(
        qtbot: QtBot, board_window: MainWindow) -> None:
    target = cases_on(board_window, BOARD_DAY)[0]
    type_and_enter(qtbot, board_window, target.case_number)
    assert board_window.toolbar.matches
    board_window.adopt_login(board_window.services.auth.login("viewer", DEMO_PASSWORD))
    settle(board_window)
    assert find_field(board_window).text() == ""
    assert board_window.toolbar.matches == []
    assert board_window.toolbar.completions.rowCount() == 0
