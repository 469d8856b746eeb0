"""The live feed of a window: other PCs' commits, read as they happen, without blocking.

On Postgres a ``QSocketNotifier`` watches the LISTEN connection's socket (no polling loop:
the event loop wakes when a NOTIFY arrives); on SQLite a ``QTimer`` asks the watcher every
``poll_interval_ms`` whether ``PRAGMA data_version`` moved. Either way the change log is
then read from the last position, in batches, and the changes are handed on in one signal.

Connection loss (issue 6 item 4)
--------------------------------
The feed is ``LIVE`` while it watches, ``LOST`` from the moment the database cannot be
reached until it is back and caught up, ``OFF`` before ``start`` and after ``stop``. A loss
is noticed when the watcher raises, when reading the change log fails, when a heartbeat
(``watcher.ping()`` every ``heartbeat_ms``) waits longer than ``heartbeat_timeout_s`` for
its answer — a silent network sends no reset, so only an answer that does not come shows
it — or when a window says so (``report_failure``). Then the watcher is closed, the
service's pooled connections are dropped, ``lost`` is emitted once, and reconnect attempts
follow by themselves with exponential back-off (``retrying`` says when the next one is).

An attempt opens the new watcher on a worker thread: connecting waits up to the connect
timeout on a silent network, and the GUI must not freeze meanwhile. The watcher comes back
to the GUI thread through a queued signal (a psycopg connection may change threads while
nothing uses it); there the change log is read from the position kept all along, the
backlog goes out in ``changes_arrived``, and then ``restored``.
"""

from __future__ import annotations

import enum
import logging
import random
import threading
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer, Signal

from surgdesk.errors import DatabaseUnavailable, SurgDeskError
from surgdesk.services.changes import Change, ChangeService, ChangeWatcher, FeedPosition
from surgdesk.services.context import Clock, SystemClock
from surgdesk.ui.board.calls import InlineRunner, Runner

log = logging.getLogger(__name__)

# A safety stop for one wake-up: a client this far behind gets the rest on the next one.
MAX_BATCHES_PER_WAKE = 20
# Seconds to wait before the first, second, ... reconnect attempt; the last one repeats.
BACKOFF_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
# +- this fraction of each wait, so a department's PCs do not all knock at the same instant
# after a server restart.
BACKOFF_JITTER = 0.1
# A heartbeat every HEARTBEAT_MS; the connection counts as lost once one has waited longer
# than HEARTBEAT_TIMEOUT_S for its answer.
HEARTBEAT_MS = 2000
HEARTBEAT_TIMEOUT_S = 5.0


class LiveState(enum.Enum):
    OFF = "off"  # not started, or stopped
    LIVE = "live"  # watching; other PCs' commits arrive
    LOST = "lost"  # the database cannot be reached; reconnecting by itself


def _over_network(url: str) -> bool:
    # A SQLite file opens at once (and its connection must stay on the thread that opened
    # it); anything else may wait for a network.
    return not url.lower().startswith("sqlite")


class LiveFeed(QObject):
    changes_arrived = Signal(tuple)  # tuple[Change, ...], in id order
    lost = Signal(str)  # an outage began (once per outage); reconnecting by itself
    restored = Signal()  # reconnected and caught up (the backlog has been emitted)
    retrying = Signal(float)  # seconds until the next reconnect attempt
    # From the worker thread: an attempt finished (its result waits in self._handoff).
    _attempt_finished = Signal()

    def __init__(self, changes: ChangeService, parent: QObject | None = None, *,
                 clock: Clock | None = None, backoff_s: Sequence[float] = BACKOFF_S,
                 jitter: float = BACKOFF_JITTER, heartbeat_ms: int = HEARTBEAT_MS,
                 heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S,
                 runner: Runner | None = None) -> None:
        super().__init__(parent)
        self.changes = changes
        self.clock: Clock = clock or SystemClock()
        self.backoff_s = tuple(backoff_s) or BACKOFF_S
        self.jitter = jitter
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.url: str | None = None
        self.position: FeedPosition | None = None
        self.watcher: ChangeWatcher | None = None
        self.notifier: QSocketNotifier | None = None
        self.state = LiveState.OFF
        self.lost_since: datetime | None = None
        self.last_reason = ""
        self.attempts = 0  # reconnect attempts in this outage
        self.timer = QTimer(self)  # SQLite: polls the watcher
        self.timer.timeout.connect(self._poll)
        self.heartbeat = QTimer(self)
        self.heartbeat.setInterval(heartbeat_ms)
        self.heartbeat.timeout.connect(self._beat)
        self.retry_timer = QTimer(self)
        self.retry_timer.setSingleShot(True)
        self.retry_timer.timeout.connect(self.retry_now)
        self._restoring = False  # reconnected, still reading the backlog
        self.runner: Runner = runner if runner is not None else InlineRunner()
        self._reading = False  # a read of the change log is under way
        self._read_again = False  # a wake-up came during it
        # Open the first watcher through the runner, off the GUI thread (the windows do;
        # a feed used on its own opens it at once, as before).
        self.open_off_thread = False
        # Reconnect attempts: each has a generation; stop() and a newer attempt make an
        # older one stale, and a stale attempt's watcher is closed, never used.
        self._lock = threading.Lock()
        self._generation = 0
        self._in_flight = False
        self._handoff: list[tuple[int, ChangeWatcher | None, str]] = []
        self._opened: ChangeWatcher | None = None  # the first watcher, not yet taken
        self._attempt_finished.connect(self._take_attempt, Qt.ConnectionType.QueuedConnection)

    # -- starting and stopping ---------------------------------------------------------------

    def start(self, url: str, position: FeedPosition | None) -> None:
        """Watch ``url`` and read from ``position`` (taken before the window's first
        load). Raises ``BadInput`` for an in-memory database. A database that cannot be
        reached now is an outage like any other: ``lost``, then reconnect attempts.

        ``position`` None: the window could not take one (the database was away when it
        opened). The feed then takes the newest position once it is connected, and the
        window must load everything again on ``restored`` — what changed before that
        position is not announced."""
        self.stop()
        self.url = url
        self.position = position
        if self.open_off_thread and _over_network(url):
            self._start_off_thread(url)
            return
        try:
            watcher = self.changes.watcher(url)
        except DatabaseUnavailable as exc:
            self.state = LiveState.LIVE  # so that _lose reports the outage once
            self._lose(str(exc))
            return
        self._install(watcher)
        self.state = LiveState.LIVE
        # A change committed between taking the position and now was announced before we
        # listened: read once now so it is not left for the next one.
        self.catch_up()

    def _start_off_thread(self, url: str) -> None:
        """Open the first watcher through the runner (connecting may wait for the connect
        timeout on a silent network); LIVE meanwhile, so a failure is an outage."""
        self.state = LiveState.LIVE
        generation = self._generation
        changes = self.changes

        def open_watcher() -> ChangeWatcher:
            """On the runner's thread. Kept in ``_opened`` until the GUI thread takes it:
            a feed stopped before then (its window closing) closes it in ``stop``."""
            watcher = changes.watcher(url)
            with self._lock:
                if generation == self._generation:
                    self._opened = watcher
                    return watcher
            _close_quietly(watcher)  # stopped meanwhile
            return watcher

        def started(watcher: ChangeWatcher) -> None:
            with self._lock:
                taken = self._opened is watcher
                self._opened = None
            if not taken or self.state is not LiveState.LIVE or self.watcher is not None:
                if taken:
                    _close_quietly(watcher)  # lost meanwhile: a reconnect takes over
                return
            self._install(watcher)
            self.catch_up()

        def refused(exc: SurgDeskError) -> None:
            if generation == self._generation and self.state is LiveState.LIVE \
                    and self.watcher is None:
                self._lose(str(exc))

        self.runner.run(open_watcher, done=started, failed=refused,
                        what="listen for other PCs' changes")

    def stop(self) -> None:
        """Stop watching, close the watcher's connection and give up reconnecting
        (idempotent). A reconnect attempt still under way closes its watcher itself."""
        self._uninstall()
        self.retry_timer.stop()
        with self._lock:
            self._generation += 1
            self._in_flight = False
            late, self._handoff = self._handoff, []
            opened, self._opened = self._opened, None
        if opened is not None:
            _close_quietly(opened)  # the first watcher, opened but not yet taken
        for _generation, watcher, _error in late:
            if watcher is not None:
                _close_quietly(watcher)
        self.state = LiveState.OFF
        self.lost_since = None
        self._restoring = False

    @property
    def running(self) -> bool:
        return self.state is not LiveState.OFF

    @property
    def active(self) -> bool:
        """Watching right now (LIVE with a watcher that is polled or listened to)."""
        return self.state is LiveState.LIVE and (self.timer.isActive() or (
            self.notifier is not None and self.notifier.isEnabled()))

    @property
    def reconnecting(self) -> bool:
        """A reconnect attempt is under way (its watcher is being opened)."""
        return self._in_flight

    def _install(self, watcher: ChangeWatcher) -> None:
        self.watcher = watcher
        fd = watcher.fileno()
        if fd is not None:
            self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            self.notifier.activated.connect(self._poll)
        else:
            self.timer.setInterval(watcher.poll_interval_ms or 250)
            self.timer.start()
        self.heartbeat.start()

    def _uninstall(self) -> None:
        self.timer.stop()
        self.heartbeat.stop()
        if self.notifier is not None:
            # Disable before the socket closes: Qt warns about (and polls) a dead socket.
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        if self.watcher is not None:
            watcher, self.watcher = self.watcher, None
            _close_quietly(watcher)

    # -- watching ---------------------------------------------------------------------------

    def _poll(self, *_args: object) -> None:
        if self.watcher is None:
            return
        try:
            changed = self.watcher.changed()
        except DatabaseUnavailable as exc:
            self._lose(str(exc))
            return
        if changed:
            self.catch_up()

    def _beat(self) -> None:
        watcher = self.watcher
        if watcher is None:
            return
        try:
            waited = watcher.unanswered_seconds()
            if waited > self.heartbeat_timeout_s:
                self._lose(f"no answer from the database for {waited:.0f} s")
                return
            watcher.ping()
        except DatabaseUnavailable as exc:
            self._lose(str(exc))

    def catch_up(self) -> None:
        """Read everything after the position and announce it (nothing when empty).

        The change log is read through the runner (off the GUI thread); one read at a
        time — a wake-up during a read asks for one more after it."""
        if self.state is LiveState.OFF:
            return
        if self.state is LiveState.LOST and not self._restoring:
            return  # the next reconnect reads it
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        self._read_again = False
        changes, position = self.changes, self.position
        generation = self._generation

        def read() -> tuple[FeedPosition, list[Change], bool]:
            at = position if position is not None else changes.start()
            found: list[Change] = []
            more = False
            for _ in range(MAX_BATCHES_PER_WAKE):
                batch = changes.read(at)
                at = batch.position
                found += batch.changes
                more = batch.more
                if not more:
                    break
            return at, found, more

        self.runner.run(read, done=lambda r: self._read_done(generation, *r),
                        failed=lambda e: self._read_failed(generation, e),
                        what="read other PCs' changes")

    def _read_done(self, generation: int, position: FeedPosition, found: list[Change],
                   more: bool) -> None:
        if self._stale_read(generation):
            return  # stopped (or reconnected) meanwhile: this read is not the feed's now
        self.position = position
        if found:
            self.changes_arrived.emit(tuple(found))
        if not self.running:
            return  # a receiver stopped the feed (the window closed)
        if more or self._read_again:
            # Far behind: the rest after the event loop has breathed, not on the next
            # commit (a SQLite poll only wakes for a new one).
            QTimer.singleShot(0, self, self.catch_up)
        elif self._restoring and self.watcher is not None:
            self._restoring = False
            self.state = LiveState.LIVE
            self.lost_since = None
            self.attempts = 0
            log.info("database reachable again; live updates resumed")
            self.restored.emit()

    def _stale_read(self, generation: int) -> bool:
        """A read has answered: True when it belongs to an earlier watcher (dropped; a
        read asked for meanwhile goes out now)."""
        self._reading = False
        if generation == self._generation and self.state is not LiveState.OFF:
            return False
        if self._read_again and self.state is not LiveState.OFF:
            QTimer.singleShot(0, self, self.catch_up)
        return True

    def _read_failed(self, generation: int, exc: SurgDeskError) -> None:
        if self._stale_read(generation):
            return
        # The main engine failed while reading: the same loss as the watcher's (read
        # again from the kept position once it is back).
        self._lose(str(exc))

    # -- losing and reconnecting ------------------------------------------------------------

    def report_failure(self, reason: str) -> None:
        """A window's own read or write found the database unreachable: the same outage
        as the watcher's. Nothing more while already LOST (or when not started)."""
        if self.state is LiveState.LIVE:
            self._lose(reason)

    def _lose(self, reason: str) -> None:
        was = self.state
        self._uninstall()
        self._restoring = False
        try:
            # The pooled connections went the same way: the next read must open new ones,
            # not wait on a silent one.
            self.changes.reset_connections()
        except Exception:  # dropping dead connections must not fail a loss
            log.warning("dropping the pooled connections failed", exc_info=True)
        if was is LiveState.OFF:
            return
        if was is LiveState.LIVE:
            self.state = LiveState.LOST
            self.lost_since = self.clock.now()
            self.last_reason = reason
            self.attempts = 0
            log.warning("database unreachable: %s", reason)
            self.lost.emit(reason)
        if self.state is LiveState.LOST:  # a receiver may have stopped the feed
            self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._in_flight:
            return
        step = self.backoff_s[min(self.attempts, len(self.backoff_s) - 1)]
        delay = max(0.0, step * (1 + random.uniform(-self.jitter, self.jitter)))
        self.retry_timer.start(int(delay * 1000))
        self.retrying.emit(delay)

    def retry_now(self) -> None:
        """Try to reconnect at once (nothing when live, stopped, or already trying)."""
        if self.state is not LiveState.LOST or self._in_flight or self.watcher is not None:
            return
        url = self.url
        if url is None:
            return
        self.retry_timer.stop()
        self.attempts += 1
        with self._lock:
            self._generation += 1
            generation = self._generation
            self._in_flight = True
        if not _over_network(url):
            self._open_watcher(generation, url)
            self._take_attempt()
            return
        worker = threading.Thread(target=self._open_watcher, args=(generation, url),
                                  name="surgdesk-reconnect", daemon=True)
        worker.start()

    def _open_watcher(self, generation: int, url: str) -> None:
        """On the worker thread (or at once for a file): open a watcher, hand it over."""
        watcher: ChangeWatcher | None = None
        error = ""
        try:
            watcher = self.changes.watcher(url)
        except SurgDeskError as exc:
            error = str(exc)
        except Exception as exc:  # the worker must always report back
            log.warning("reconnect attempt failed unexpectedly", exc_info=True)
            error = f"cannot reconnect ({type(exc).__name__})"
        with self._lock:
            wanted = generation == self._generation and self._in_flight
            if wanted:
                self._handoff.append((generation, watcher, error))
        if not wanted:
            if watcher is not None:
                _close_quietly(watcher)  # the feed stopped meanwhile: never leak it
            return
        if threading.current_thread() is not threading.main_thread():
            try:
                self._attempt_finished.emit()
            except RuntimeError:
                # The feed's Qt object is gone (its window was deleted without stop()).
                with self._lock:
                    late, self._handoff = self._handoff, []
                for _generation, late_watcher, _error in late:
                    if late_watcher is not None:
                        _close_quietly(late_watcher)

    def _take_attempt(self) -> None:
        """On the GUI thread: use the new watcher and catch up, or wait for the next try."""
        with self._lock:
            results, self._handoff = self._handoff, []
            current = [r for r in results if r[0] == self._generation]
            stale = [r for r in results if r[0] != self._generation]
            if current:
                self._in_flight = False
        for _generation, watcher, _error in stale:
            if watcher is not None:
                _close_quietly(watcher)
        if not current:
            return
        _generation, watcher, error = current[-1]
        if self.state is not LiveState.LOST:
            if watcher is not None:
                _close_quietly(watcher)
            return
        if watcher is None:
            log.info("reconnect attempt %d failed: %s", self.attempts, error)
            self.last_reason = error or self.last_reason
            self._schedule_retry()
            return
        self._install(watcher)
        self._restoring = True
        self.catch_up()


def _close_quietly(watcher: ChangeWatcher) -> None:
    try:
        watcher.close()
    except Exception:  # a dead connection may complain; it is gone
        log.debug("closing a change watcher failed", exc_info=True)
