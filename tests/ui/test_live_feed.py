"""LiveFeed on its own, with a scripted feed: batching, catching up, losing the watcher."""

from __future__ import annotations

from typing import Any, cast

import pytest
from pytestqt.qtbot import QtBot

from surgdesk.errors import DatabaseUnavailable
from surgdesk.services.changes import Change, ChangeBatch, ChangeService, FeedPosition
from surgdesk.ui import live
from surgdesk.ui.live import LiveFeed


class ScriptedWatcher:
    poll_interval_ms: int | None = 5
    failing = False

    def __init__(self) -> None:
        self.pending = False
        self.closed = False

    def fileno(self) -> None:
        return None

    def changed(self) -> bool:
        if self.failing:
            raise DatabaseUnavailable("the change listener lost the database (test)")
        pending, self.pending = self.pending, False
        return pending

    def close(self) -> None:
        self.closed = True


class ScriptedFeed:
    """Hands out ``total`` changes, ``per_batch`` at a time."""

    def __init__(self, total: int, per_batch: int) -> None:
        self.total, self.per_batch = total, per_batch
        self.watchers: list[ScriptedWatcher] = []

    def watcher(self, _url: str) -> ScriptedWatcher:
        self.watchers.append(ScriptedWatcher())
        return self.watchers[-1]

    def read(self, position: FeedPosition, limit: int = 2000) -> ChangeBatch:
        first = position.high + 1
        last = min(self.total, position.high + self.per_batch)
        changes = tuple(Change(i, "surgery_case", i, 2, "update") for i in range(first, last + 1))
        return ChangeBatch(changes, FeedPosition(max(position.high, last)),
                           more=last < self.total)


def _feed(qtbot: QtBot, scripted: ScriptedFeed) -> tuple[LiveFeed, list[int]]:
    feed = LiveFeed(cast(ChangeService, scripted))
    seen: list[int] = []
    feed.changes_arrived.connect(lambda changes: seen.extend(c.id for c in changes))
    return feed, seen


def test_a_client_far_behind_catches_up_without_waiting_for_a_new_commit(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "MAX_BATCHES_PER_WAKE", 2)
    feed, seen = _feed(qtbot, ScriptedFeed(total=25, per_batch=3))
    feed.start("sqlite:///unused.db", FeedPosition())
    qtbot.waitUntil(lambda: len(seen) == 25, timeout=2_000)
    assert seen == list(range(1, 26))
    feed.stop()


def test_a_poll_that_finds_a_commit_reads_it(qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, seen = _feed(qtbot, scripted)
    feed.start("sqlite:///unused.db", FeedPosition())
    assert feed.active
    scripted.total = 2
    scripted.watchers[0].pending = True
    qtbot.waitUntil(lambda: seen == [1, 2], timeout=2_000)
    feed.stop()
    assert scripted.watchers[0].closed
    assert not feed.active


def test_a_lost_watcher_stops_the_feed_and_says_why(qtbot: QtBot) -> None:
    scripted = ScriptedFeed(total=0, per_batch=10)
    feed, _seen = _feed(qtbot, scripted)
    feed.start("sqlite:///unused.db", FeedPosition())
    scripted.watchers[0].failing = True
    with qtbot.waitSignal(feed.lost, timeout=2_000) as lost:
        pass
    reasons: list[Any] = lost.args or []
    assert "lost the database" in reasons[0]
    assert not feed.active
    assert scripted.watchers[0].closed
