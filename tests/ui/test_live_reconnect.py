"""The live feed on a real Postgres behind a fault proxy: it notices a killed connection
and a silent network, says so once, reconnects by itself and catches up from the change
log — without freezing the GUI while a reconnect attempt waits on a silent network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from surgdesk import startup
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.changes import Change
from surgdesk.services.context import FakeClock
from surgdesk.services.registry import Services
from surgdesk.ui.live import LiveFeed, LiveState
from tests.netfault import FaultProxy
from tests.services.factories import add_room

pytestmark = pytest.mark.postgres

OUTAGE = datetime(2026, 1, 13, 8, 14, 3, tzinfo=UTC)
# A silent network holds a reconnect attempt for the connect timeout (5 s) before the next
# one: these waits allow for two attempts on a loaded two-core machine.
RECONNECT_WAIT_MS = 30_000

@dataclass
class Watch:
    """A LiveFeed on the database through the proxy, and what it emitted, in order."""

    feed: LiveFeed
    services: Services
    events: list[str] = field(default_factory=list)
    arrived: list[Change] = field(default_factory=list)

    def record(self) -> None:
        self.feed.lost.connect(lambda _reason: self.events.append("lost"))
        self.feed.restored.connect(lambda: self.events.append("restored"))
        self.feed.changes_arrived.connect(self._arrived)

    def _arrived(self, changes: tuple[Change, ...]) -> None:
        self.arrived += changes
        self.events.append("changes")

    def rooms_arrived(self) -> set[int]:
        return {c.row_id for c in self.arrived if c.table_name == "operating_room"}


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[FaultProxy]:
    with FaultProxy.for_url(postgres_url) as running:
        yield running


@pytest.fixture
def watch(qtbot: QtBot, postgres_url: str, proxy: FaultProxy) -> Iterator[Watch]:
    url = proxy.url(postgres_url)
    services = startup.open_services(url, clock=FakeClock(OUTAGE), interactive=True)
    feed = LiveFeed(services.changes, clock=FakeClock(OUTAGE), backoff_s=(0.5, 1.0, 2.0),
                    jitter=0.0, heartbeat_ms=250, heartbeat_timeout_s=1.5)
    w = Watch(feed, services)
    w.record()
    feed.start(url, services.changes.start())
    assert feed.state is LiveState.LIVE
    yield w
    feed.stop()
    services.close()


@pytest.fixture
def writer(postgres_url: str) -> Iterator[Database]:
    """Another PC, straight to the server (not through the proxy)."""
    db = Database(make_nullpool_engine(postgres_url))
    yield db
    db.dispose()


def test_a_killed_listener_is_noticed_then_reconnected_and_caught_up(
        qtbot: QtBot, postgres_url: str, watch: Watch, writer: Database) -> None:
    feed = watch.feed
    written: list[int] = []
    # Another PC commits while this one is cut off: in the `lost` slot, so before any
    # reconnect attempt can even be scheduled.
    feed.lost.connect(lambda _reason: written.append(add_room(writer, "OR-OUTAGE")))
    pid = getattr(feed.watcher, "backend_pid", None)
    assert pid is not None
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with qtbot.waitSignal(feed.lost, timeout=10_000) as lost:
        pass
    assert feed.state is LiveState.LOST
    assert feed.lost_since == OUTAGE
    assert "lost the database" in (lost.args or [""])[0]
    with qtbot.waitSignal(feed.restored, timeout=RECONNECT_WAIT_MS):
        pass
    assert feed.state is LiveState.LIVE
    assert feed.lost_since is None
    assert written[0] in watch.rooms_arrived()
    assert watch.events == ["lost", "changes", "restored"]  # the backlog came first
    assert getattr(feed.watcher, "backend_pid", pid) != pid
    # And it is live again: the next commit arrives by NOTIFY.
    later = add_room(writer, "OR-AFTER")
    qtbot.waitUntil(lambda: later in watch.rooms_arrived(), timeout=10_000)


def test_a_silent_network_is_noticed_by_the_heartbeat_and_the_gui_keeps_running(
        qtbot: QtBot, proxy: FaultProxy, watch: Watch, writer: Database) -> None:
    feed = watch.feed
    written: list[int] = []
    feed.lost.connect(lambda _reason: written.append(add_room(writer, "OR-SILENT")))
    proxy.blackhole()  # no reset, no error: bytes acknowledged and never delivered
    with qtbot.waitSignal(feed.lost, timeout=10_000) as lost:
        pass
    assert "no answer" in (lost.args or [""])[0]
    assert feed.state is LiveState.LOST

    # A reconnect attempt now waits on the silent network (up to the connect timeout);
    # the event loop keeps running meanwhile.
    ticks: list[bool] = []
    ticker = QTimer()
    ticker.setInterval(20)
    ticker.timeout.connect(lambda: ticks.append(feed.reconnecting))
    ticker.start()
    qtbot.waitUntil(lambda: ticks.count(True) >= 10, timeout=RECONNECT_WAIT_MS)
    ticker.stop()
    assert feed.state is LiveState.LOST

    proxy.restore()  # new connections get through again
    with qtbot.waitSignal(feed.restored, timeout=RECONNECT_WAIT_MS):
        pass
    assert written[0] in watch.rooms_arrived()
    assert watch.events == ["lost", "changes", "restored"]
    later = add_room(writer, "OR-AFTER")
    qtbot.waitUntil(lambda: later in watch.rooms_arrived(), timeout=10_000)


def test_the_gui_keeps_running_while_an_attempt_waits_on_a_silent_network(
        qtbot: QtBot, proxy: FaultProxy, watch: Watch) -> None:
    feed = watch.feed
    proxy.blackhole()
    feed.report_failure("saving a case: the database cannot be reached")
    assert feed.state is LiveState.LOST
    feed.retry_now()
    assert feed.reconnecting  # connecting through the proxy: it never answers
    ticks: list[bool] = []
    ticker = QTimer()
    ticker.setInterval(20)
    ticker.timeout.connect(lambda: ticks.append(feed.reconnecting))
    ticker.start()
    qtbot.waitUntil(lambda: ticks.count(True) >= 10, timeout=10_000)
    ticker.stop()
    # Closing the window while the attempt waits: nothing crashes, nothing is delivered.
    feed.stop()
    assert feed.state is LiveState.OFF
    assert not feed.reconnecting
    assert watch.events == ["lost"]
