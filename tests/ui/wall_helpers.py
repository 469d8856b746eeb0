"""Helpers for the wall display tests: a small demo (3 rooms x 2 days) and a wall on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from surgdesk import startup
from surgdesk.config import DepartmentConfig, WallSection
from surgdesk.domain.enums import CaseStatus
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import FakeClock
from surgdesk.services.demo import generate_demo
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.model import drop_problem
from surgdesk.ui.board.view import LABEL_WIDTH
from surgdesk.ui.wall import WallWindow
from surgdesk.ui.wall_view import WallBoardView

PASSWORD = "demo-password-for-wall-tests"
WALL_DEMO_START = date(2026, 1, 13)  # Tuesday and Wednesday, CET
MORNING = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
WALL_SIZE = (1920, 1080)


def fill_wall_demo(url: str) -> None:
    db = Database(make_nullpool_engine(url))
    try:
        generate_demo(db, rooms=3, days=2, start=WALL_DEMO_START, seed=5, password=PASSWORD,
                      clock=FakeClock(MORNING))
    finally:
        db.dispose()


def open_wall(qtbot: QtBot, url: str, clock: FakeClock, *, high_contrast: bool = False,
              unlock_minutes: int = 5) -> WallWindow:
    services = startup.open_services(url, clock=clock)
    device = services.auth.login_device("wall.display", PASSWORD).actor
    config = DepartmentConfig(wall=WallSection(high_contrast=high_contrast))
    window = WallWindow(services, device, clock=clock, config=config,
                        unlock_minutes=unlock_minutes)
    window.owns_services = True
    qtbot.addWidget(window)
    window.resize(*WALL_SIZE)
    window.show()
    qtbot.waitExposed(window)
    assert window.runner.settle(), "the first load did not land"
    window.tick()
    return window


def on_screen_move(view: WallBoardView) -> tuple[CaseSummary, Drop]:
    """A movable case whose bar is on screen, and a free place for it that is on screen."""
    model = view.model()
    assert model is not None
    width = view.viewport().width()
    left = view.grid.time_at(view.mapToScene(QPoint(int(LABEL_WIDTH) + 40, 0)).x())
    right = view.grid.time_at(view.mapToScene(QPoint(width - 40, 0)).x())
    for case in sorted(model.cases(), key=lambda c: c.case_number):
        if case.status not in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY):
            continue
        assert case.scheduled_start is not None
        assert case.scheduled_end is not None
        if case.scheduled_start < left or case.scheduled_end > right:
            continue
        duration = case.scheduled_end - case.scheduled_start
        for shift in (30, -30, 60, -60, 90, -90, 120, -120, 150, -150, 180, -180):
            start = case.scheduled_start + timedelta(minutes=shift)
            if start < left or start + duration > right:
                continue
            for room in model.rooms():
                if drop_problem(model, case.id, room.id, start, start + duration) is None:
                    return case, Drop(case.case_number, room.id, start, start + duration)
    raise AssertionError("no movable case with a free slot on screen")
