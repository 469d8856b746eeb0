"""The board's context menu: what it offers comes from the case's rights (decided by the
services), and right-clicking does not pile up menus."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, TeamRole
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.main_window import MainWindow

from .conftest import open_window
from .helpers import bar_centre, movable_case

NURSES = (TeamRole.CIRCULATING_NURSE, TeamRole.SCRUB_NURSE)


def _nurse_case(window: MainWindow) -> tuple[CaseSummary, str]:
    """A case on the board a person may start or complete, and a nurse on its team who is
    neither its surgeon nor its anesthetist."""
    cases = sorted(window.controller.model.cases(), key=lambda c: c.case_number)
    for case in cases:
        if case.status not in (CaseStatus.PREOP_READY, CaseStatus.IN_PROGRESS):
            continue
        detail = window.services.cases.get_case(window.actor, case.case_number)
        for member in detail.team:
            if member.role in NURSES and member.user_id not in (
                    case.lead_surgeon_user_id, case.anesthetist_user_id):
                return case, member.username
    raise AssertionError("the demo has no started or ready case with a nurse on its team")


def test_a_nurse_on_the_care_team_may_start_or_complete_the_case(
        qtbot: QtBot, board_window: MainWindow, demo_url: str) -> None:
    case, nurse = _nurse_case(board_window)
    window = open_window(qtbot, demo_url, username=nurse)
    menu = window.build_context_menu(case.case_number)
    names = {a.objectName() for a in menu.actions()}
    texts = [a.text() for a in menu.actions()]
    expected = "status_in_progress" if case.status is CaseStatus.PREOP_READY \
        else "status_completed"
    assert expected in names, texts
    assert not any("No status change" in text for text in texts)
    window.close()


def test_reasons_are_asked_for_the_statuses_the_case_rights_name(
        board_window: MainWindow) -> None:
    case = movable_case(board_window.board)
    assert CaseStatus.CANCELLED in case.rights.needs_reason
    asked: list[str] = []
    board_window.ask_reason = lambda question: asked.append(question) or None
    assert not board_window.change_status(case.case_number, CaseStatus.CANCELLED)
    assert asked
    assert "reason is required" in board_window.last_message


def test_right_clicks_do_not_pile_up_menus(board_window: MainWindow) -> None:
    view = board_window.board
    case = movable_case(view)
    point = bar_centre(view, case.case_number)
    for _ in range(40):
        click = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                  view.viewport().mapToGlobal(point))
        QApplication.sendEvent(view.viewport(), click)
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()  # what a user does next: Escape, or a click elsewhere
        else:
            for menu in board_window.findChildren(QMenu, "caseContextMenu"):
                menu.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert len(board_window.findChildren(QMenu, "caseContextMenu")) <= 1


def test_no_main_window_module_imports_the_status_machine_or_the_repository() -> None:
    ui = Path(__file__).parents[2] / "src" / "surgdesk" / "ui"
    files = [ui / "main_window.py", *sorted((ui / "mainwindow").glob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("surgdesk.domain.status_machine"), path
                assert not node.module.startswith("surgdesk.repository"), path
