"""LiveFeed on its own, with a scripted feed: batching, catching up, losing the database
and reconnecting by itself (back-off, heartbeat, catch-up from the kept position)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from pytestqt.qtbot import QtBot

from surgdesk.errors import DatabaseUnavailable
from surgdesk.services.changes import Change, ChangeBatch, ChangeService, FeedPosition
from surgdesk.services.context import FakeClock
from surgdesk.ui import live
from surgdesk.ui.live import LiveFeed, LiveState

OUTAGE = datetime(2026, 1, 13, 8, 14, 3, tzinfo=UTC)
# Short waits so the tests run quickly; no jitter so the back-off can be compared.
FAST = {"backoff_s": (0.02, 0.04, 0.08), "jitter": 0.0, "heartbeat_ms": 10,
        "heartbeat_timeout_s": 0.05}
FILE_URL = "sqlite:///unused.db"
NETWORK_URL = "postgresql://scripted/unused"  # opened on the worker thread


class ScriptedWatcher:
    poll_interval_ms: int | None = 5
    failing = False

    def __init__(self) -> None:
        self.pending = False
        self.closed = False
        self.pings = 0
        self.unanswered = 0.0

    def fileno(self) -> None:
        return None

    def changed(self) -> bool:
        if self.failing:
            raise DatabaseUnavailable("the change listener lost the database (test)")
        pending, self.pending = self.pending, False
        return pending

    def ping(self) -> None:
        self.pings += 1

    def unanswered_seconds(self) -> float:
        return self.unanswered

    def close(self) -> None:
        self.closed = True


class ScriptedFeed:
    """Hands out ``total`` changes, ``per_batch`` at a time; ``down`` makes the database
    unreachable (no watcher, no read); ``gate`` holds a new watcher until it is set."""

    def __init__(self, total: int, per_batch: int) -> None:
        self.total, self.per_batch = total, per_batch
        self.watchers: list[ScriptedWatcher] = []
        self.down = False
        self.read_fails = 0  # the next n reads fail
        self.gate: threading.Event | None = None
        self.resets = 0

    def watcher(self, _url: str) -> ScriptedWatcher:
        if self.gate is not None:
            self.gate.wait(timeout=10)
        if self.down:
            raise DatabaseUnavailable("cannot listen for changes (test: refused)")
        self.watchers.append(ScriptedWatcher())
        return self.watchers[-1]

    def read(self, position: FeedPosition, limit: int = 2000) -> ChangeBatch:
        if self.down or self.read_fails:
            self.read_fails = max(0, self.read_fails - 1)
            raise DatabaseUnavailable("the database cannot be reached (test)")
        first = position.high + 1
        last = min(self.total, position.high + self.per_batch)
        changes = tuple(Change(i, "surgery_case", i, 2, "update") for i in range(first, last + 1))
        return ChangeBatch(changes, FeedPosition(max(position.high, last)),
                           more=last < self.total)

    def reset_connections(self) -> None:
        self.resets += 1


class Recorder:
    """Every signal of a feed, in order."""

    def __init__(self, feed: LiveFeed) -> None:
        self.events: list[tuple[str, Any]] = []
        self.seen: list[int] = []
        feed.changes_arrived.connect(self._arrived)
        feed.lost.connect(lambda reason: self.events.append(("lost", reason)))
        feed.restored.connect(lambda: self.events.append(("restored", None)))
        feed.retrying.connect(lambda seconds: self.events.append(("retrying", seconds)))

    def _arrived(self, changes: tuple[Change, ...]) -> None:
        self.seen.extend(c.id for c in changes)
        self.events.append(("changes", tuple(c.id for c in changes)))

    def names(self, name: str) -> list[Any]:
        return [value for event, value in self.events if event == name]


def _feed(qtbot: QtBot, scripted: ScriptedFeed, **options: Any) -> tuple[LiveFeed, Recorder]:
    feed = LiveFeed(cast(ChangeService, scripted), clock=FakeClock(OUTAGE), **options)
    return feed, Recorder(feed)


def test_a_client_far_behind_catches_up_without_waiting_for_a_new_commit(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "MAX_BATCHES_PER_WAKE", 2)
    feed, rec = _feed(qtbot, ScriptedFeed(total=25, per_batch=3))
    feed.start(FILE_URL, FeedPosition())
    qtbot.waitUntil(lambda: len(rec.seen) == 25, timeout=10_000)
    assert rec.seen == list(range(1, 26))
    feed.stop()


def test_a_poll_that_finds_a_commit_reads_it(qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, rec = _feed(qtbot, scripted)
    feed.start(FILE_URL, FeedPosition())
    assert feed.active
    assert feed.state is LiveState.LIVE
    scripted.total = 2
    scripted.watchers[0].pending = True
    qtbot.waitUntil(lambda: rec.seen == [1, 2], timeout=10_000)
    feed.stop()
    assert scripted.watchers[0].closed
    assert not feed.active
    assert feed.state is LiveState.OFF


@pytest.mark.parametrize("url", [FILE_URL, NETWORK_URL])
def test_a_lost_watcher_is_reported_once_then_the_feed_reconnects_and_catches_up(
        qtbot: QtBot, url: str) -> None:
    scripted = ScriptedFeed(total=0, per_batch=2)
    feed, rec = _feed(qtbot, scripted, **FAST)
    feed.start(url, FeedPosition())
    assert feed.lost_since is None
    scripted.down = True
    scripted.watchers[0].failing = True
    with qtbot.waitSignal(feed.lost, timeout=10_000) as lost:
        pass
    reasons: list[Any] = lost.args or []
    assert "lost the database" in reasons[0]
    assert feed.state is LiveState.LOST
    assert feed.lost_since == OUTAGE  # from the injected clock
    assert not feed.active
    assert scripted.watchers[0].closed
    assert scripted.resets == 1  # the dead pooled connections were dropped
    # Attempts fail while the database is down: the wait grows, and `lost` is not repeated.
    qtbot.waitUntil(lambda: len(rec.names("retrying")) >= 3, timeout=10_000)
    assert rec.names("retrying")[:3] == [0.02, 0.04, 0.08]
    scripted.total = 5  # committed elsewhere meanwhile
    scripted.down = False
    with qtbot.waitSignal(feed.restored, timeout=10_000):
        pass
    assert feed.state is LiveState.LIVE
    assert feed.lost_since is None
    assert feed.active
    assert rec.seen == [1, 2, 3, 4, 5]
    # The whole backlog went out before `restored`, and `lost` only once.
    order = [event for event, _value in rec.events if event != "retrying"]
    assert order == ["lost", "changes", "restored"]
    feed.stop()
    assert all(w.closed for w in scripted.watchers)


def test_report_failure_loses_once_and_is_ignored_while_lost(qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, rec = _feed(qtbot, scripted, backoff_s=(30.0,))
    feed.report_failure("ignored: not started")
    assert feed.state is LiveState.OFF
    feed.start(FILE_URL, FeedPosition())
    feed.report_failure("saving case C-1: the database cannot be reached")
    feed.report_failure("again")
    assert rec.names("lost") == ["saving case C-1: the database cannot be reached"]
    assert feed.state is LiveState.LOST
    assert len(rec.names("retrying")) == 1
    feed.stop()
    assert feed.state is LiveState.OFF
    assert not feed.retry_timer.isActive()


def test_retry_now_tries_at_once(qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, rec = _feed(qtbot, scripted, backoff_s=(30.0,), jitter=0.0)
    feed.start(FILE_URL, FeedPosition())
    feed.report_failure("test")
    assert rec.names("retrying") == [30.0]
    scripted.total = 1
    with qtbot.waitSignal(feed.restored, timeout=10_000):
        feed.retry_now()
    assert rec.seen == [1]
    assert not feed.retry_timer.isActive()
    feed.stop()


def test_a_failed_catch_up_after_reconnecting_goes_back_to_waiting(qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, rec = _feed(qtbot, scripted, **FAST)
    feed.start(FILE_URL, FeedPosition())
    scripted.read_fails = 1  # the watcher connects, the first read of the backlog fails
    scripted.total = 3
    feed.report_failure("test")
    with qtbot.waitSignal(feed.restored, timeout=10_000):
        pass
    assert rec.names("lost") == ["test"]
    assert rec.names("retrying")[:2] == [0.02, 0.04]  # the second wait is the longer one
    assert scripted.watchers[1].closed  # the watcher of the failed catch-up
    assert rec.seen == [1, 2, 3]
    feed.stop()


def test_an_unanswered_heartbeat_means_the_connection_is_lost(qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, rec = _feed(qtbot, scripted, **FAST)
    feed.start(FILE_URL, FeedPosition())
    watcher = scripted.watchers[0]
    qtbot.waitUntil(lambda: watcher.pings >= 2, timeout=10_000)
    assert feed.state is LiveState.LIVE
    watcher.unanswered = 0.2  # the network went silent
    with qtbot.waitSignal(feed.lost, timeout=10_000):
        pass
    assert "no answer from the database" in rec.names("lost")[0]
    assert watcher.closed
    with qtbot.waitSignal(feed.restored, timeout=10_000):
        pass
    feed.stop()


def test_stopping_while_an_attempt_is_under_way_closes_the_late_watcher(
        qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, rec = _feed(qtbot, scripted, backoff_s=(30.0,))
    feed.start(NETWORK_URL, FeedPosition())
    feed.report_failure("test")
    scripted.gate = threading.Event()  # the new connection hangs (a silent network)
    feed.retry_now()
    assert feed.reconnecting
    feed.stop()
    assert not feed.reconnecting
    scripted.gate.set()
    qtbot.waitUntil(lambda: len(scripted.watchers) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: scripted.watchers[1].closed, timeout=10_000)
    qtbot.wait(50)  # a late hand-over would be delivered now
    assert feed.watcher is None
    assert feed.state is LiveState.OFF
    assert rec.names("restored") == []


def test_a_database_unreachable_at_start_is_an_outage_that_ends_by_itself(
        qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=2, per_batch=10)
    scripted.down = True
    feed, rec = _feed(qtbot, scripted, **FAST)
    feed.start(NETWORK_URL, FeedPosition())
    assert feed.state is LiveState.LOST
    assert len(rec.names("lost")) == 1
    scripted.down = False
    with qtbot.waitSignal(feed.restored, timeout=10_000):
        pass
    assert rec.seen == [1, 2]
    feed.stop()
