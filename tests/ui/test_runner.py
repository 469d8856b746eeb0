"""The service runner: calls off the GUI thread, results and errors back on it, in order."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from surgdesk.errors import DatabaseUnavailable, Refused
from surgdesk.ui.runner import ServiceRunner


@pytest.fixture
def runner(qtbot: QtBot) -> ServiceRunner:
    runner = ServiceRunner()
    yield runner
    runner.shutdown()


def test_call_runs_off_the_gui_thread_and_result_comes_back_on_it(runner: ServiceRunner) -> None:
    seen: dict[str, object] = {}

    def call() -> int:
        seen["call_thread"] = threading.current_thread()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["done_thread"] = threading.current_thread()

    runner.run(call, done=done, what="answer")
    assert runner.settle()
    assert seen["value"] == 42
    assert seen["call_thread"] is not threading.main_thread()
    assert seen["done_thread"] is threading.main_thread()


def test_calls_reach_the_database_in_the_order_they_were_made(runner: ServiceRunner) -> None:
    order: list[int] = []
    for n in range(20):
        runner.run(lambda n=n: (time.sleep(0.001 * (n % 3)), n)[1], done=order.append)
    assert runner.settle()
    assert order == list(range(20))


def test_event_loop_keeps_turning_while_a_call_waits(qtbot: QtBot, runner: ServiceRunner) -> None:
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    release = threading.Event()
    runner.run(lambda: release.wait(5), what="slow call")
    qtbot.wait(300)
    timer.stop()  # the gaps that count are those while the call was held
    release.set()
    assert runner.settle()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 10
    assert max(gaps) < 0.2


def test_refusal_goes_to_failed_or_else_to_message(qtbot: QtBot, runner: ServiceRunner) -> None:
    errors: list[str] = []

    def refuse() -> None:
        raise Refused("room taken")

    runner.run(refuse, failed=lambda e: errors.append(str(e)))
    with qtbot.waitSignal(runner.message) as blocker:
        runner.run(refuse, what="move the case")
    assert runner.settle()
    assert errors == ["room taken"]
    assert blocker.args == ["Could not move the case — room taken"]


def test_unreachable_database_is_reported_in_one_place(qtbot: QtBot,
                                                       runner: ServiceRunner) -> None:
    handled: list[str] = []

    def away() -> None:
        raise DatabaseUnavailable("no route to host")

    with qtbot.waitSignal(runner.unreachable) as blocker:
        runner.run(away, failed=lambda e: handled.append(type(e).__name__))
    assert handled == ["DatabaseUnavailable"]
    assert blocker.args == ["no route to host"]


def test_cancelled_job_delivers_nothing(runner: ServiceRunner) -> None:
    delivered: list[int] = []
    release = threading.Event()
    runner.run(lambda: release.wait(5))
    job = runner.run(lambda: 1, done=delivered.append)
    job.cancel()
    release.set()
    assert runner.settle()
    assert delivered == []


def test_busy_changes_once_per_burst(qtbot: QtBot, runner: ServiceRunner) -> None:
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    for _ in range(3):
        runner.run(lambda: None)
    assert runner.busy
    assert runner.settle()
    assert states == [True, False]
    assert not runner.busy


def test_shutdown_waits_for_a_call_under_way_and_takes_no_more(runner: ServiceRunner) -> None:
    finished: list[bool] = []
    runner.run(lambda: (time.sleep(0.1), finished.append(True)))
    assert runner.shutdown(5000)
    assert finished == [True]
    late = runner.run(lambda: finished.append(False))
    assert late.cancelled
    assert finished == [True]


def test_a_bug_in_a_call_is_raised_again_on_the_gui_thread(qtbot: QtBot,
                                                           runner: ServiceRunner) -> None:
    def broken() -> None:
        raise KeyError("bug")

    with qtbot.capture_exceptions() as exceptions:
        runner.run(broken, failed=lambda e: None)
        assert runner.settle()
    assert [type(e[1]) for e in exceptions] == [KeyError]
