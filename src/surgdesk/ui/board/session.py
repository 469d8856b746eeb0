"""One live-board session: the board controller, the live feed and the connection state,
shared by the main window and the wall display.

The session owns what both windows did alike: loading a window of days (off the GUI
thread, through the window's ``ServiceRunner``; a later load supersedes an earlier one),
other PCs' changes applied in place (a changed bar flashes, a drag of it is cancelled),
the outage (banner, read-only flag, reconnecting by itself, the board read again and the
waiting saves retried once it is back), and when the board was last in step with the
database (``synced_at``, the downtime copy's "data as last synced").

A window keeps only what is its own: which days it shows (``frame``), its title or date
label, its rights, its menus. It reacts to the session's signals:

- ``loaded(BoardWindow)`` after a load landed and the board was laid out;
- ``load_failed(SurgDeskError)`` when it did not (the board keeps what it showed);
- ``offline_changed(bool)`` when an outage begins (True) or ends (False, after the board
  was asked to load again and the waiting saves were handed over);
- ``message(str)`` for the status bar;
- ``case_changed_elsewhere(case_number, version, author)`` for an open case form
  (``author`` the display name, or None when unknown).

Every ``DatabaseUnavailable`` of the runner, the controller and the live feed comes to
``report_unreachable``: one outage, one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from surgdesk.errors import BadInput, DatabaseUnavailable, SurgDeskError
from surgdesk.services.changes import Change, FeedPosition
from surgdesk.services.context import Actor, Clock
from surgdesk.services.registry import Services
from surgdesk.ui.banner import ConnectionBanner
from surgdesk.ui.board.controller import BoardController, BoardWindow, RemoteUpdate
from surgdesk.ui.board.view import BoardMode, BoardView
from surgdesk.ui.live import LiveFeed, LiveState
from surgdesk.ui.runner import ServiceRunner


@dataclass(frozen=True, slots=True)
class Frame:
    """The days a window wants on its board. ``first_day`` None: today in the
    department's zone (decided by the load itself, when the zone is not known yet)."""

    first_day: date | None
    days: int = 1
    mode: BoardMode = BoardMode.DAY


def changed_by(name: str | None) -> str:
    """Who changed a case elsewhere, as the change log names them (staff, never patients)."""
    return "on another PC" if name is None else f"by {name} on another PC"


@dataclass(frozen=True, slots=True)
class _ViewState:
    h: int
    v: int
    zoom: float


class LiveBoardSession(QObject):
    loaded = Signal(object)  # BoardWindow
    load_failed = Signal(object)  # SurgDeskError
    offline_changed = Signal(bool)
    message = Signal(str)
    case_changed_elsewhere = Signal(str, int, object)  # case number, version, author | None

    def __init__(self, services: Services, actor: Actor, runner: ServiceRunner, *,
                 database_url: str | None, clock: Clock, board: BoardView,
                 banner: ConnectionBanner, frame: Callable[[], Frame],
                 controller: BoardController | None = None, quiet: bool = False,
                 parent: QObject | None = None) -> None:
        """``quiet``: say nothing in ``message`` about other PCs' changes or a load the
        outage stopped (the wall: its banner says the outage, and nobody reads a strip
        of messages from across the room)."""
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.runner = runner
        self.database_url = database_url
        self.clock = clock
        self.board = board
        self.banner = banner
        self.frame = frame
        self.quiet = quiet
        self.controller = controller or BoardController(services, actor, self, runner=runner)
        # Downtime: since when the database is unreachable (None while it answers), and
        # when the board last was in step with it (the age of what it shows).
        self.unreachable_since: datetime | None = None
        self.synced_at: datetime | None = None
        self.stale = False  # a read failed: load the board again once it is back
        self.closed = False
        self._tz: ZoneInfo | None = None
        self._keep: _ViewState | None = None  # restore scroll and zoom after this load
        self._mode = BoardMode.DAY
        self._wire_board()
        self.live = LiveFeed(services.changes, self, clock=clock, runner=runner)
        self.live.open_off_thread = True  # connecting may wait: never on the GUI thread
        self._wire_live()

    def _wire_board(self) -> None:
        controller, board = self.controller, self.board
        board.setModel(controller.model)
        board.set_writer(controller)
        board.queue_lookup = controller.queue.case
        board.clock = self.clock.now
        controller.write_finished.connect(board.sync_item)
        controller.loading_changed.connect(board.set_loading)
        controller.loaded.connect(self._loaded)
        controller.load_failed.connect(self._load_failed)
        controller.message.connect(self.message)
        controller.stale.connect(lambda _number: self.refresh())
        controller.unreachable.connect(self.report_unreachable)
        controller.pending.changed.connect(self.banner.set_pending)
        controller.pending.message.connect(self.message)
        self.runner.unreachable.connect(self.report_unreachable)

    def _wire_live(self) -> None:
        live = self.live
        live.changes_arrived.connect(self.apply_remote_changes)
        live.lost.connect(self._lost)
        live.restored.connect(self._restored)
        live.retrying.connect(self.banner.set_retry_in)
        live.heartbeat.timeout.connect(self._heartbeat_ran)  # after the feed's own slot
        self.banner.retry_requested.connect(live.retry_now)

    # -- state ------------------------------------------------------------------------------

    @property
    def window(self) -> BoardWindow | None:
        return self.controller.window

    @property
    def tz(self) -> ZoneInfo:
        """The department's zone as last read (UTC until the first load landed)."""
        return self._tz or ZoneInfo("UTC")

    @property
    def offline(self) -> bool:
        """The database is unreachable: the board is read-only on its last known data."""
        return self.unreachable_since is not None

    def offline_reason(self) -> str:
        since = self.unreachable_since
        when = f" since {since.astimezone(self.tz):%H:%M}" if since is not None else ""
        return f"the database is unreachable{when}"

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        self.controller.set_actor(actor)

    # -- starting ---------------------------------------------------------------------------

    def start(self) -> None:
        """The feed's position, then the first load, then the feed. The position is
        taken before the load (the runner keeps the order): a change committed in between
        is read again (harmless: rows are re-read by id), never missed."""
        if self.database_url is None:
            self.load()
            return
        url = self.database_url

        def start_feed(position: FeedPosition | None) -> None:
            if self.closed:
                return
            try:
                # A database unreachable right now is an outage like any other: ``lost``.
                self.live.start(url, position)
            except BadInput as exc:  # an in-memory database: no other PC writes to it
                if not self.quiet:
                    return
                self.message.emit(f"Live updates are off — {exc}")

        def no_position(_exc: SurgDeskError) -> None:
            # Away right now: the feed takes a position once it gets through, and the
            # board is loaded again then.
            self.stale = True
            start_feed(None)

        self.runner.run(self.services.changes.start, done=start_feed, failed=no_position,
                        what="start live updates")
        self.load()

    # -- loading ----------------------------------------------------------------------------

    def load(self, *, keep_view: bool = False) -> None:
        """Load the window's frame (``keep_view``: the same scroll and zoom, a refresh).
        While the database is unreachable nothing is asked: the board is loaded once it
        is back."""
        if self.closed:
            return
        if self.offline:
            self.stale = True
            return
        board = self.board
        self._keep = _ViewState(board.horizontalScrollBar().value(),
                                board.verticalScrollBar().value(),
                                board.grid.px_per_minute) if keep_view else None
        frame = self.frame()
        self._mode = frame.mode
        board.begin_load()
        self.controller.load(frame.first_day, frame.days)

    def refresh(self) -> None:
        """The frame again, keeping scroll and zoom (nothing loaded yet: a first load)."""
        self.load(keep_view=self.controller.window is not None)

    def _loaded(self, window: BoardWindow) -> None:
        self.synced_at = self.clock.now()
        self.stale = False
        self._tz = window.tz
        keep, self._keep = self._keep, None
        board = self.board
        board.configure(tz=window.tz, start=window.visible_start, end=window.visible_end,
                        mode=self._mode, snap_minutes=window.snap_minutes,
                        day_start=window.day_start, day_end=window.day_end,
                        px_per_minute=keep.zoom if keep is not None else None)
        board.horizontalScrollBar().setValue(keep.h if keep is not None else 0)
        # The first row at the top, under the time header: the scene starts above y = 0
        # (the header's height), so the top is the bar's minimum, not 0.
        vbar = board.verticalScrollBar()
        vbar.setValue(keep.v if keep is not None else vbar.minimum())
        self.loaded.emit(window)

    def _load_failed(self, exc: SurgDeskError) -> None:
        self._keep = None
        self.board.configure_same()
        outage = isinstance(exc, DatabaseUnavailable)
        if outage:
            self.stale = True  # reported already (controller.unreachable)
        if not (outage and self.quiet):
            self.message.emit(f"Could not load the board — {exc}")
        self.load_failed.emit(exc)

    # -- other PCs' changes -------------------------------------------------------------------

    def apply_remote_changes(self, changes: tuple[Change, ...]) -> None:
        """Other PCs' commits: read what they mean for the board (off the GUI thread),
        then ``apply_update``."""
        if self.closed or self.controller.window is None:
            return
        self.controller.read_remote(changes, done=self.apply_update,
                                    failed=self._remote_failed)

    def _remote_failed(self, exc: SurgDeskError) -> None:
        if isinstance(exc, DatabaseUnavailable):
            self.stale = True  # the changes were read from the log, not applied
        elif not self.quiet:
            self.message.emit(f"Could not read other PCs' changes — {exc}")

    def apply_update(self, update: RemoteUpdate) -> None:
        """Update the board in place; a bar someone else changed flashes. A drag of a case
        that changed underneath is cancelled (nothing is written); an open case form for
        it hears ``case_changed_elsewhere``."""
        if self.closed or self.controller.window is None:
            return
        self.synced_at = self.clock.now()
        if update.empty:
            return
        board = self.board
        dragged = board.dragged_case()
        if update.reload:
            if dragged is not None:
                board.cancel_drag()
            self.refresh()  # rooms, closures or department settings: the frame changed
            if dragged is not None:
                self._say(f"Rooms, closures, hours or blocks were changed on another PC — "
                          f"drag of {dragged} cancelled")
            return
        changed = {c.case_number for c in update.changed} | set(update.gone)
        by = update.authors
        if dragged is not None and dragged in changed:
            board.cancel_drag()
            self._say(f"{dragged} was changed {changed_by(by.get(dragged))} — drag cancelled")
        elif len(changed) == 1 and (number := next(iter(changed))) in by:
            self._say(f"{number} was changed {changed_by(by[number])}")
        self.controller.apply_remote(update)
        for case in update.changed:
            board.flash(case.case_number)
        for case in update.changed:
            self.case_changed_elsewhere.emit(case.case_number, case.version,
                                             by.get(case.case_number))

    def _say(self, text: str) -> None:
        if not self.quiet:
            self.message.emit(text)

    # -- the connection -----------------------------------------------------------------------

    def report_unreachable(self, reason: str) -> None:
        """A read or write found the database unreachable: the same outage as the live
        feed's (banner, read-only, reconnecting by itself)."""
        self.live.report_failure(reason)

    def _lost(self, reason: str) -> None:
        """Downtime begins: banner, read-only board on the last known data."""
        if self.closed:
            return
        since = self.live.lost_since or self.clock.now()
        self.unreachable_since = since
        if self.board.dragged_case() is not None:
            self.board.cancel_drag()  # it could not be saved
        self.banner.show_lost(since, self.tz, reason)
        self.banner.set_pending(len(self.controller.pending))
        self.offline_changed.emit(True)

    def _restored(self) -> None:
        """Back and caught up (the backlog is on the board): the board read again when a
        read failed meanwhile or the frame moved on (midnight on the wall), then each
        save that waited is retried once, then the windows hear it."""
        if self.closed:
            return
        self.unreachable_since = None
        self.banner.show_restored()
        window = self.controller.window
        frame = self.frame()
        same = window is not None and frame.days == window.days and (
            frame.first_day is None or frame.first_day == window.first_day)
        if self.stale or not same:
            self.load(keep_view=same)
        else:
            self.synced_at = self.clock.now()
        self.controller.pending.retry_all()
        self.offline_changed.emit(False)

    def _heartbeat_ran(self) -> None:
        """The feed's heartbeat just ran. A ping goes out only when none is outstanding,
        so a fresh one means the last was answered: the board, fed by the live feed, was
        in step with the database within the last interval."""
        watcher = self.live.watcher
        if self.live.state is not LiveState.LIVE or watcher is None or self.stale \
                or self.controller.window is None:
            return
        interval = self.live.heartbeat.interval() / 1000
        if watcher.unanswered_seconds() < interval / 2:
            moment = self.clock.now() - timedelta(seconds=interval)
            if self.synced_at is None or moment > self.synced_at:
                self.synced_at = moment

    # -- closing ------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop the feed and forget the history (the runner is the window's to stop)."""
        if self.closed:
            return
        self.closed = True
        self.live.stop()
        self.controller.undo_stack.clear()
