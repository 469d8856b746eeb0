"""The wall runs for weeks: 30 midnights and 10,000 changes on a fake clock, in seconds,
with memory flat after warm-up (two windows measured, not one total) and the now-line
where the clock says."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import UTC, datetime, timedelta

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
WARM_UP_DAYS = 5
# Measured at the end of these days (0-based): two windows of 12 and 13 days after warm-up.
CHECKPOINTS = (WARM_UP_DAYS - 1, 16, DAYS - 1)
# Python heap per change allowed in the later window: measured there -1 to +1 byte a
# change (4,368 changes: -3.5 KB to +2 KB); one leaked small object per change is 50+.
BYTES_PER_CHANGE = 16
# ...and in the first window after warm-up, where PySide still makes a few wrappers and
# enum values once (measured ~25 bytes a change, ~100 KB, none of it again later).
WARM_BYTES_PER_CHANGE = 64


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


def _python_heap() -> int:
    _settle(collect=True)
    return tracemalloc.get_traced_memory()[0]


@pytest.mark.slow
def test_thirty_midnights_and_ten_thousand_changes_keep_memory_flat(
        qtbot: QtBot, wall_url: str) -> None:
    """After a warm-up (caches filled, fonts and pixmaps made), two windows of ~4,000
    changes each are measured: a leak grows alike in both, warm-up left over only in the
    first. The later window must be flat to a few bytes a change (one leaked small object
    per change is ~60 bytes, ~250 KB over the window), and Qt's objects and scene items
    must not pile up in either.

    RSS is not asserted: on this fake-clock run, after ``malloc_trim``, it wanders by
    1-3 MB a window without a trend a test can hold (Qt's pixmap cache fills up to its
    10 MB limit; the allocator). ``benchmarks/soak.py`` samples it over a real run."""
    clock = FakeClock(MORNING)
    window = open_wall(qtbot, wall_url, clock)
    view = window.board
    template = window.controller.model.cases()[0]
    line = next(i for i in view.scene().items() if isinstance(i, NowLineItem))
    first_day = window.day
    applied = 0
    heap: dict[int, int] = {}  # end of day -> Python heap (traced from the start)
    changes_at: dict[int, int] = {}
    qt: dict[int, tuple[int, int]] = {}  # end of day -> (QObjects, scene items)
    # Traced from the start: memory allocated before tracing and freed later would not
    # count against what is allocated meanwhile (a cache that turns over would look like
    # growth).
    tracemalloc.start()
    try:
        for day in range(DAYS):
            for hour in range(24):
                for _ in range(CHANGES_PER_HOUR):
                    window.apply_update(RemoteUpdate(
                        changed=(_change(window, template, applied, clock.now()),)))
                    applied += 1
                clock.advance(timedelta(hours=1))
                window.tick()
                assert window.runner.settle()  # a new day's load lands (off the GUI thread)
                # No drift: the line is exactly where the clock puts it, every hour.
                if view.grid.start <= clock.now() <= view.grid.end:
                    assert line.line().x1() == view.grid.x_for(clock.now())
                _settle()
                if hour % 4 == 0:  # and painted now (events paint too, when Qt likes)
                    view.viewport().repaint()
            if day in CHECKPOINTS:
                # Counted before the heap is read: findChildren makes wrappers (and
                # PySide its enum classes) the first time, which is not the wall's growth.
                qt[day] = (len(window.findChildren(QObject)), len(view.scene().items()))
                heap[day] = _python_heap()
                changes_at[day] = applied
    finally:
        tracemalloc.stop()
    start, middle, end = CHECKPOINTS
    assert applied >= 10_000
    assert window.day == first_day + timedelta(days=DAYS)
    for (a, b), allowed in (((start, middle), WARM_BYTES_PER_CHANGE),
                            ((middle, end), BYTES_PER_CHANGE)):
        changes = changes_at[b] - changes_at[a]
        grown = heap[b] - heap[a]
        assert grown < changes * allowed, (
            f"Python heap grew {grown} bytes over {changes} changes (days {a + 1}-{b + 1})")
        objects, items = qt[b]
        assert objects <= qt[a][0] + POOL, f"QObjects {qt[a][0]} -> {objects}"  # flashes
        assert items <= qt[a][1] + POOL, f"scene items {qt[a][1]} -> {items}"
    window.close()


def test_a_new_bar_text_every_day_for_months_keeps_the_text_cache_bounded(
        qtbot: QtBot) -> None:
    """Every day brings new cases, times and names; the texts the bars elide are cached,
    and that cache must stop growing, not keep every text the wall has ever shown."""
    from zoneinfo import ZoneInfo

    from PySide6.QtGui import QImage, QPainter

    from surgdesk.ui.board.delegate import shape_between
    from surgdesk.ui.wall_theme import wall_theme
    from surgdesk.ui.wall_view import WallBarDelegate

    from .dto_factories import case as case_summary

    delegate = WallBarDelegate(ZoneInfo("Europe/Berlin"), wall_theme(False))
    image = QImage(900, 200, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    start = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)
    template = case_summary(1)
    tracemalloc.start()  # from the start (see above)
    try:
        def paint(n: int) -> None:
            case = template.model_copy(update={
                "procedure_name": f"Hip replacement, revision {n:05d} with a long name",
                "scheduled_start": start + timedelta(minutes=n),
                "scheduled_end": start + timedelta(minutes=n + 95)})
            delegate.paint(painter, shape_between(10, 400 + n % 300, 0, 10, 120), case)

        for n in range(6_000):  # warm-up: more texts than a week's board holds
            paint(n)
        before = _python_heap()
        for n in range(6_000, 12_000):
            paint(n)
        grown = _python_heap() - before
    finally:
        tracemalloc.stop()
        painter.end()
    assert grown < 6_000 * BYTES_PER_CHANGE, f"{grown} bytes kept for 6,000 painted texts"
