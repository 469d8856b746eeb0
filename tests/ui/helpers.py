"""Helpers for driving the board: where a case is, where a free slot is, a real drag."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.model import BoardModel, drop_problem
from surgdesk.ui.board.view import BoardView
from surgdesk.ui.main_window import MainWindow
from surgdesk.ui.runner import ServiceRunner

MOVABLE = (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)


def settle(widget: QWidget, timeout_ms: int = 10_000) -> None:
    """Wait until every service call the widget's window handed over has landed (loads,
    drops, undo, remote changes: the board answers off the GUI thread)."""
    runner = getattr(widget.window(), "runner", None)
    assert isinstance(runner, ServiceRunner), f"{widget.window()!r} has no runner"
    assert runner.settle(timeout_ms), "service calls still under way"
    # What the answers set off (a busy indicator hidden, a layout redone) lands too.
    QApplication.processEvents()


def find_index(model: BoardModel, case_number: str) -> QModelIndex:
    hits = model.match(model.index(0, 0), Qt.ItemDataRole.UserRole, case_number, 1,
                       Qt.MatchFlag.MatchRecursive)
    assert hits, f"{case_number} is not on the board"
    return hits[0]


def movable_case(view: BoardView) -> CaseSummary:
    model = view.model()
    assert model is not None
    cases = [c for c in model.cases() if c.status in MOVABLE and c.estimated_duration_min >= 30
             and c.scheduled_start is not None and c.scheduled_start >= view.grid.start
             and c.scheduled_end is not None and c.scheduled_end <= view.grid.end]
    assert cases, "the demo board has no movable case"
    return sorted(cases, key=lambda c: c.case_number)[0]


def free_slot(view: BoardView, case: CaseSummary, *, other_room: bool = True) -> Drop:
    """A place the in-memory check (and so the service) accepts, inside the visible window."""
    model = view.model()
    assert model is not None
    assert case.scheduled_start is not None
    assert case.scheduled_end is not None
    duration = case.scheduled_end - case.scheduled_start
    grid = view.grid
    start = grid.snap(grid.start + timedelta(minutes=30))
    start = start.replace(minute=(start.minute // 30) * 30)
    while start + duration <= grid.end - timedelta(minutes=30):
        for room in model.rooms():
            if other_room and room.id == case.room_id:
                continue
            if drop_problem(model, case.id, room.id, start, start + duration) is None:
                return Drop(case.case_number, room.id, start, start + duration)
        start += timedelta(minutes=30)
    raise AssertionError("no free slot on the demo board")


def bar_centre(view: BoardView, case_number: str) -> QPoint:
    model = view.model()
    assert model is not None
    return view.visualRect(find_index(model, case_number)).center()


def point_for(view: BoardView, case: CaseSummary, room_id: int, start: datetime) -> QPoint:
    """Where to release a bar grabbed at its centre so it lands at ``start`` in the room."""
    model = view.model()
    assert model is not None
    assert case.scheduled_start is not None
    grab = bar_centre(view, case.case_number)
    dx = view.grid.x_for(start) - view.grid.x_for(case.scheduled_start)
    row = model.room_row(room_id)
    assert row is not None
    y = view.visualRect(model.index(row, 0)).center().y()
    return QPoint(grab.x() + round(dx), y)


def drag(qtbot: QtBot, view: BoardView, start: QPoint, end: QPoint, *,
         release: bool = True) -> None:
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(vp, pos=middle)
    qtbot.mouseMove(vp, pos=end)
    if release:
        qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
        settle(view)  # the drop's write lands (saved, or the bar snaps back)


def scheduled_case(window: MainWindow) -> CaseSummary:
    """A case in status scheduled (not pre-op ready): schedule a waiting one, then refresh."""
    view = window.board
    model = view.model()
    assert model is not None
    waiting = [c for c in window.controller.queue.cases() if c.status is CaseStatus.REQUESTED
               and c.checklist_done == 0]
    case = waiting[0]
    length = timedelta(minutes=case.estimated_duration_min)
    start = view.grid.snap(view.grid.start + timedelta(hours=1))
    while start + length < view.grid.end:
        for room in model.rooms():
            if drop_problem(model, case.id, room.id, start, start + length) is None:
                result = window.services.cases.schedule(
                    window.actor, case.case_number, room=room.code, start=start,
                    end=start + length)
                assert result.case.status is CaseStatus.SCHEDULED
                window.refresh()
                settle(window)
                placed = model.case(case.case_number)
                assert placed is not None
                return placed
        start += timedelta(minutes=30)
    raise AssertionError("no free slot for a waiting case")


def print_preview_to_pdf(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[str]:
    """Stand in for a person in Qt's print preview who prints to a PDF file: every preview
    opened prints to ``target`` at once. Returns the previews' titles as they open."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
    from PySide6.QtWidgets import QDialog

    titles: list[str] = []

    def print_from_preview(dialog: QPrintPreviewDialog) -> int:
        titles.append(dialog.windowTitle())
        printer: QPrinter = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        dialog.findChild(QPrintPreviewWidget).print()  # type: ignore[union-attr]
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintPreviewDialog, "exec", print_from_preview)
    return titles
