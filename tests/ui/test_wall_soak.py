"""The wall runs for weeks: 30 midnights and 10,000 changes on a fake clock, in seconds,
with memory flat after warm-up and the now-line where the clock says."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject
from pytestqt.qtbot import QtBot

from surgdesk.services.context import FakeClock
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.controller import RemoteUpdate
from surgdesk.ui.board.items import NowLineItem
from surgdesk.ui.wall import WallWindow

from .wall_helpers import MORNING, fill_wall_demo, open_wall

DAYS = 30
CHANGES_PER_HOUR = 14  # 30 x 24 x 14 = 10,080 changes
POOL = 12  # cases changed over and over each day (moved, stretched, between rooms)


@pytest.fixture
def wall_url(sqlite_url: str) -> str:
    fill_wall_demo(sqlite_url)
    return sqlite_url


def _settle(*, collect: bool = False) -> None:
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    if collect:  # a full collection costs ~80 ms: only where memory is measured
        gc.collect()


def _change(window: WallWindow, template: CaseSummary, n: int, now: datetime) -> CaseSummary:
    """Another PC's change to one of today's cases: a new time, room and version."""
    rooms = window.controller.model.rooms()
    room = rooms[n % len(rooms)]
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=5 * (n % 24))
    return template.model_copy(update={
        "id": 900_000 + n % POOL, "case_number": f"SOAK-{n % POOL:02d}", "version": n,
        "room_id": room.id, "room_code": room.code, "scheduled_start": start,
        "scheduled_end": start + timedelta(minutes=45 + n % 60),
    })


def test_thirty_midnights_and_ten_thousand_changes_keep_memory_flat(
        qtbot: QtBot, wall_url: str) -> None:
    clock = FakeClock(MORNING)
    window = open_wall(qtbot, wall_url, clock)
    view = window.board
    template = window.controller.model.cases()[0]
    line = next(i for i in view.scene().items() if isinstance(i, NowLineItem))
    first_day = window.day
    applied = 0
    try:
        for day in range(DAYS):
            for _hour in range(24):
                for _ in range(CHANGES_PER_HOUR):
                    window.apply_update(RemoteUpdate(
                        changed=(_change(window, template, applied, clock.now()),)))
                    applied += 1
                clock.advance(timedelta(hours=1))
                window.tick()
                # No drift: the line is exactly where the clock puts it, every hour.
                if view.grid.start <= clock.now() <= view.grid.end:
                    assert line.line().x1() == view.grid.x_for(clock.now())
                _settle()
            if day == 4:  # warmed up: caches filled, fonts and pixmaps made
                _settle(collect=True)
                # Counted before tracing: the wrappers findChildren makes stay cached.
                objects = len(window.findChildren(QObject))
                items = len(view.scene().items())
                tracemalloc.start()  # growth from here on is what counts
                baseline = tracemalloc.get_traced_memory()[0]
        _settle(collect=True)
        grown = tracemalloc.get_traced_memory()[0] - baseline
        tracemalloc.stop()
    finally:
        tracemalloc.stop()
    assert applied >= 10_000
    assert window.day == first_day + timedelta(days=DAYS)
    assert grown < 1_000_000, f"Python memory grew {grown} bytes after warm-up"
    assert len(window.findChildren(QObject)) <= objects + POOL  # flash animations at most
    assert len(view.scene().items()) <= items + POOL
    window.close()
