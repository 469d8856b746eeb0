"""A bar someone else changed flashes and fades by itself; one timer on the view fades
them all, so a wall that flashes every few seconds for weeks keeps nothing per flash."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import time, timedelta
from time import monotonic, sleep
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRectF, QTimer
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from surgdesk.ui.board.model import BoardModel
from surgdesk.ui.board.view import FLASH_MS, BoardMode, BoardView

from .dto_factories import DAY, case, snapshot

WAIT_MS = 10_000
FLASH_S = FLASH_MS / 1000
BARS = [case(1), case(2, room_id=2), case(3, room_id=3), case(4, start_h=11),
        case(5, room_id=2, start_h=12)]
NUMBERS = [c.case_number for c in BARS]


class FakeSeconds:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def _timer(view: BoardView) -> QTimer:
    timer = view.findChild(QTimer, "boardFlashTimer")
    assert isinstance(timer, QTimer)
    return timer


class Frames:
    """Counts the flash timer's frames, to wait for the next one.

    Not ``qtbot.waitSignal``/``qtbot.wait``: each of those connects a fresh QTimer's
    signals, and tracemalloc shows the Python heap growing with each such call (PySide6
    6.11) — the very growth the heap test measures."""

    def __init__(self, view: BoardView) -> None:
        self.count = 0
        _timer(view).timeout.connect(self._count)  # after the view's own slot

    def _count(self) -> None:
        self.count += 1

    def next(self) -> None:
        """Return once the timer's slot has run again (the view's slot runs first)."""
        seen = self.count
        deadline = monotonic() + WAIT_MS / 1000
        while self.count == seen:
            assert monotonic() < deadline, "the flash timer did not fire"
            QCoreApplication.processEvents()
            sleep(0.002)


@pytest.fixture
def board(qtbot: QtBot) -> tuple[BoardView, BoardModel]:
    view = BoardView()
    qtbot.add_widget(view)
    view.resize(900, 400)
    model = BoardModel(view)
    view.setModel(model)
    model.load(snapshot(BARS))
    view.configure(tz=ZoneInfo("UTC"), start=DAY + timedelta(hours=7),
                   end=DAY + timedelta(hours=19), mode=BoardMode.DAY, snap_minutes=5,
                   day_start=time(7), day_end=time(19))
    return view, model


@pytest.fixture
def clock(board: tuple[BoardView, BoardModel]) -> FakeSeconds:
    fake = FakeSeconds()
    board[0].flash_clock = fake
    return fake


@pytest.fixture
def frames(board: tuple[BoardView, BoardModel]) -> Frames:
    return Frames(board[0])


def _level(view: BoardView, number: str) -> float:
    item = view.item_for(number)
    assert item is not None
    return item.flash_level


def test_a_flashed_bar_fades_and_stops_by_itself(
        qtbot: QtBot, board: tuple[BoardView, BoardModel]) -> None:
    view, _model = board
    view.flash(NUMBERS[0])
    assert view.is_flashing(NUMBERS[0])
    assert _level(view, NUMBERS[0]) == 1.0
    assert not view.is_flashing(NUMBERS[1])
    qtbot.waitUntil(lambda: not view.is_flashing(NUMBERS[0]), timeout=WAIT_MS)
    assert _level(view, NUMBERS[0]) == 0.0
    assert not _timer(view).isActive()


def test_the_fade_follows_the_clock_as_an_ease_in(
        board: tuple[BoardView, BoardModel], clock: FakeSeconds, frames: Frames) -> None:
    view, _model = board
    view.flash(NUMBERS[0])
    for elapsed, level in ((0.5, 1 - (0.5 / FLASH_S) ** 2), (1.2, 1 - (1.2 / FLASH_S) ** 2)):
        clock.now = 1000.0 + elapsed
        frames.next()
        assert _level(view, NUMBERS[0]) == pytest.approx(level)
        assert view.is_flashing(NUMBERS[0])
    clock.now = 1000.0 + FLASH_S
    frames.next()
    assert not view.is_flashing(NUMBERS[0])
    assert _level(view, NUMBERS[0]) == 0.0
    assert not _timer(view).isActive()


def test_flashing_a_flashing_bar_again_restarts_its_fade(
        board: tuple[BoardView, BoardModel], clock: FakeSeconds, frames: Frames) -> None:
    view, _model = board
    view.flash(NUMBERS[0])
    view.flash(NUMBERS[1])
    clock.advance(FLASH_S * 0.8)
    frames.next()
    assert _level(view, NUMBERS[0]) < 0.5
    view.flash(NUMBERS[0])  # changed again on another PC
    assert _level(view, NUMBERS[0]) == 1.0
    clock.advance(FLASH_S * 0.5)  # past the first flash's end, not the second's
    frames.next()
    assert not view.is_flashing(NUMBERS[1])
    assert view.is_flashing(NUMBERS[0])
    assert _level(view, NUMBERS[0]) == pytest.approx(1 - 0.5 ** 2)
    clock.advance(FLASH_S * 0.5)
    frames.next()
    assert not view.is_flashing(NUMBERS[0])
    assert not _timer(view).isActive()


def test_a_bar_removed_or_reloaded_while_flashing_ends_its_flash(
        board: tuple[BoardView, BoardModel], clock: FakeSeconds, frames: Frames) -> None:
    view, model = board
    view.flash(NUMBERS[0])
    view.flash(NUMBERS[1])
    model.remove_case(NUMBERS[0])
    assert not view.is_flashing(NUMBERS[0])
    assert view.is_flashing(NUMBERS[1])
    model.load(snapshot(BARS))  # a reload builds new bars, none flashing
    assert not view.is_flashing(NUMBERS[1])
    assert not _timer(view).isActive()
    view.flash("2026-999999")  # not on the board: nothing to flash
    assert not view.is_flashing("2026-999999")
    assert not _timer(view).isActive()
    view.flash(NUMBERS[2])
    model.upsert_case(case(3, room_id=3, start_h=14, version=2))  # moved: same bar
    clock.advance(FLASH_S / 2)
    frames.next()
    assert view.is_flashing(NUMBERS[2])
    assert 0.0 < _level(view, NUMBERS[2]) < 1.0


def test_the_flash_shows_in_the_painted_bar(
        board: tuple[BoardView, BoardModel], clock: FakeSeconds, frames: Frames) -> None:
    view, _model = board
    item = view.item_for(NUMBERS[0])
    assert item is not None
    bar = item.scene_bar()

    def centre_colour() -> QColor:
        image = QImage(int(bar.width()), int(bar.height()), QImage.Format.Format_ARGB32)
        image.fill(0)
        painter = QPainter(image)
        view.graphics_scene().render(painter, QRectF(image.rect()), bar)
        painter.end()
        return image.pixelColor(image.width() // 2, image.height() // 2)

    plain = centre_colour()
    view.flash(NUMBERS[0])
    flashed = centre_colour()
    assert flashed != plain
    clock.advance(FLASH_S)
    frames.next()
    assert centre_colour() == plain


def _settle() -> None:
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _flash_many(view: BoardView, clock: FakeSeconds, frames: Frames, count: int) -> None:
    """``count`` flashes over the bars, the clock moving in steps and the timer's slot run
    every 25 flashes; each bar re-flashed while still flashing, and all ending now and then."""
    for n in range(count):
        view.flash(NUMBERS[n % len(NUMBERS)])
        if n % 25 == 24:
            clock.advance(FLASH_S * 0.4)
            frames.next()
    clock.advance(FLASH_S)
    frames.next()


def test_many_flashes_leave_no_objects_behind_and_the_timer_stops(
        board: tuple[BoardView, BoardModel], clock: FakeSeconds, frames: Frames) -> None:
    view, _model = board
    _flash_many(view, clock, frames, 50)  # warm-up: wrappers PySide makes once
    _settle()
    objects = len(view.findChildren(QObject))
    _flash_many(view, clock, frames, 500)
    _settle()
    assert len(view.findChildren(QObject)) == objects
    assert not any(view.is_flashing(n) for n in NUMBERS)
    assert not _timer(view).isActive()


def test_many_flashes_keep_the_python_heap_flat(
        board: tuple[BoardView, BoardModel], clock: FakeSeconds, frames: Frames) -> None:
    """The leak this guards against kept ~150 bytes a flash (a QVariantAnimation per
    flash, whose Python-side connections PySide6 kept after it ran)."""
    view, _model = board
    flashes = 500
    _flash_many(view, clock, frames, 100)  # warm-up
    tracemalloc.start()
    try:
        _settle()
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        _flash_many(view, clock, frames, flashes)
        _settle()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < flashes * 16, f"Python heap grew {grown} bytes over {flashes} flashes"
