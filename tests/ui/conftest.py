"""UI fixtures: a small demo department (4 rooms x 2 days) cloned per test, and a
signed-in main window on it. The demo is generated once per session on SQLite; the
Postgres variant generates it per test (it is small)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from surgdesk.app import create_main_window
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import FakeClock
from surgdesk.services.demo import generate_demo
from surgdesk.ui.board.view import BoardView
from surgdesk.ui.main_window import MainWindow

from .helpers import settle

DEMO_PASSWORD = "demo-password-for-tests"
DEMO_START = date(2026, 1, 12)  # a Monday in winter (CET, no DST change near it)
BOARD_DAY = date(2026, 1, 13)
NOW = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)


def fill_demo(url: str) -> None:
    db = Database(make_nullpool_engine(url))
    try:
        generate_demo(db, rooms=4, days=2, start=DEMO_START, seed=3, password=DEMO_PASSWORD,
                      clock=FakeClock(NOW))
        if db.dialect == "sqlite":
            raw = db.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    fill_demo(f"sqlite:///{path}")
    return path


@pytest.fixture
def demo_url(demo_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "demo.db"
    shutil.copyfile(demo_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def demo_any_url(db_url: str) -> str:
    """The demo on both backends (for the tests that matter most)."""
    fill_demo(db_url)
    return db_url


def open_window(qtbot: QtBot, url: str, username: str = "scheduler1", *,
                day_hours: bool = False) -> MainWindow:
    """The demo window on BOARD_DAY. ``day_hours``: open the day view on the department's
    day-view hours as people see it; by default these tests see the whole loaded day, since
    they drag into free slots at night too (tests/ui/test_board_day_hours.py has the hours)."""
    opening = BoardView.opens_on_day_hours
    BoardView.opens_on_day_hours = day_hours  # the first load lands inside create_main_window
    try:
        window = create_main_window(url, username=username, password=DEMO_PASSWORD,
                                    day=BOARD_DAY, clock=FakeClock(NOW))
    finally:
        BoardView.opens_on_day_hours = opening
    window.board.opens_on_day_hours = day_hours
    qtbot.addWidget(window)
    window.resize(1700, 900)
    window.show()
    qtbot.waitExposed(window)
    settle(window)  # the first load landed, and the layout it set off
    return window


@pytest.fixture
def board_window(qtbot: QtBot, demo_url: str) -> Iterator[MainWindow]:
    window = open_window(qtbot, demo_url)
    yield window
    window.close()
