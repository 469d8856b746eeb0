"""The main window: the ``orBoard`` view under its connection banner, assembled from its
parts (``ui/mainwindow/``: menus and actions, who is signed in, cases, dialogs, printing,
docks, status bar, wall display) and the live-board session it shares with the wall
(``ui/board/session.py``: the board's data, other PCs' changes, the outage).

Downtime (issue 6 item 4): when the live feed loses the database, the connection banner
above the board says since when, and the window turns read-only — the board keeps the
last known data (scroll and zoom still work), nothing that writes or needs the database
can be started, and the day list prints from what the board holds, marked as a downtime
copy. When the feed is back and caught up, ``_apply_access`` gives back exactly what the
actor's role allows and the saves that waited are retried once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from surgdesk.credentials import CredentialStore, database_key
from surgdesk.services.changes import Change
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.startup import describe
from surgdesk.ui.banner import ConnectionBanner
from surgdesk.ui.board.controller import BoardWindow
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.session import Frame, LiveBoardSession
from surgdesk.ui.board.view import BoardMode, BoardView
from surgdesk.ui.case.form import CaseFormDialog
from surgdesk.ui.mainwindow.actions import (
    NEEDS_DATABASE,
    WindowActions,
    store_lanes,
    stored_lanes,
)
from surgdesk.ui.mainwindow.cases import CaseCommands
from surgdesk.ui.mainwindow.dialogs import WindowDialogs
from surgdesk.ui.mainwindow.docks import WindowDocks
from surgdesk.ui.mainwindow.printing import WindowPrinting
from surgdesk.ui.mainwindow.session import UserSession
from surgdesk.ui.mainwindow.statusbar import WindowStatusBar
from surgdesk.ui.mainwindow.toolbar import WindowToolBar
from surgdesk.ui.mainwindow.wall_display import WallLauncher
from surgdesk.ui.runner import ServiceRunner

if TYPE_CHECKING:
    from surgdesk.ui.wall import WallWindow

__all__ = ["NEEDS_DATABASE", "MainWindow"]  # NEEDS_DATABASE: as tests knew it

NOW_LINE_INTERVAL_MS = 30_000

# (parent, case number or None for a new case) -> the case form dialog (ui/case).
CaseFormFactory = Callable[[QWidget, str | None], QDialog]


class MainWindow(QMainWindow):
    # The user chose another database (File > Database…) and confirmed: sign out and
    # connect there. ``run_gui`` closes this window and signs in on the new URL.
    switch_database = Signal(str)
    case_form: QDialog  # the case form opened last (none until one is)

    def __init__(self, services: Services, actor: Actor, *, database_url: str,
                 token: str | None = None, day: date | None = None,
                 owns_services: bool = True, store: CredentialStore | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        # Every service call of the board goes through this runner (off the GUI thread);
        # forms and docks get it too. Refusals nobody handled reach the status bar.
        self.runner = ServiceRunner(self)
        self.status = WindowStatusBar(self, describe(database_url))
        self.runner.busy_changed.connect(self.status.set_busy)
        self.runner.message.connect(self.show_message)
        self.services = services
        self.actor = actor
        self.database_url = database_url
        self.db_key = database_key(database_url)
        self.token = token
        self.store = store or CredentialStore()
        self.owns_services = owns_services
        self._closed = False
        self.case_form_factory: CaseFormFactory | None = None

        self.board = BoardView(self)
        area = QWidget(self)
        area.setObjectName("boardArea")
        column = QVBoxLayout(area)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banner = ConnectionBanner(area)
        column.addWidget(self.banner)
        column.addWidget(self.board, 1)
        self.setCentralWidget(area)
        # The board's data, the live feed and the outage: shared with the wall.
        self.session = LiveBoardSession(services, actor, self.runner,
                                        database_url=database_url, clock=services.clock,
                                        board=self.board, banner=self.banner,
                                        frame=self._frame, parent=self)
        self.controller = self.session.controller
        self.live = self.session.live
        self.session.message.connect(self.show_message)
        self.session.loaded.connect(self._loaded)
        self.session.load_failed.connect(lambda _error: self._keep_loaded_frame())
        self.session.offline_changed.connect(self._offline_changed)
        self.session.case_changed_elsewhere.connect(self._tell_case_form)
        self.board.status_message.connect(self._board_message)

        self.mode = BoardMode.DAY
        # Without a day given, the first load decides "today" in the department's zone
        # (read in the same call); until it lands, the PC's date stands in.
        self._day_known = day is not None
        self.day = day or services.clock.now().date()
        self._assemble()
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(NOW_LINE_INTERVAL_MS)
        self._now_timer.timeout.connect(self.board.update_now_line)
        self._now_timer.start()
        self.resize(1600, 900)
        self.set_lanes(stored_lanes(), store=False)  # before the first load: no second build
        self.docks.restore_layout()  # this person's size, place and docks, if saved
        self.apply_actor()
        self.session.start()  # the feed's position, the first load, then the feed

    def _assemble(self) -> None:
        """The window's parts (ui/mainwindow/), one job each; the menus come last: each
        action is wired to the part that does its job."""
        self.docks = WindowDocks(self)
        self.cases = CaseCommands(self)
        self.dialogs = WindowDialogs(self)
        self.printing = WindowPrinting(self)
        self.wall_display = WallLauncher(self)
        self.user_session = UserSession(self)
        self.menus = WindowActions(self)
        self.toolbar = WindowToolBar(self)  # the menus' actions, a date and find a case
        self.docks.wire()
        # The names tests, scripts and the other parts reach them by.
        self.queue_dock, self.pending_audits = self.docks.queue, self.printing.pending_audits
        self.lock_overlay = self.user_session.lock_overlay
        self.idle_watcher = self.user_session.idle_watcher
        self.undo_action, self.redo_action = self.menus.undo, self.menus.redo
        self.day_action, self.week_action = self.menus.day, self.menus.week
        self.new_case_action, self.status_menu = self.menus.new_case, self.menus.status_menu
        self.admin_menu, self.admin_actions = self.menus.admin_menu, self.menus.admin
        self.user_label, self.db_label = self.status.user_label, self.status.db_label
        # Asked before postponing or cancelling, and yes/no before a consequential step:
        # tests replace them to answer without a dialog.
        self.ask_reason: Callable[[str], str | None] = self.cases.ask_reason
        self.confirm: Callable[[str, str], bool] = self.user_session.confirm
        self.open_case, self.change_status = self.cases.open_case, self.cases.change_status
        self.build_context_menu = self.cases.build_context_menu
        self.show_case_table = self.docks.show_case_table
        self.export_daylist = self.printing.export_daylist
        self.open_wall = self.wall_display.open_wall
        session = self.user_session
        self.choose_database, self.adopt_login = session.choose_database, session.adopt_login
        self.switch_user, self.sign_out = session.switch_user, session.sign_out
        self.lock_screen, self.try_unlock = session.lock_screen, session.try_unlock
        self._unlock = session.unlock

    def apply_actor(self) -> None:
        """Everything that follows who is signed in: sign-in, switch user, unlock."""
        from surgdesk.ui.case import case_form_factory

        self.status.show_actor(self.actor)
        self.toolbar.forget()  # the last search was the previous person's
        # The forms' calls go through the window's runner: one outage, one busy indicator.
        self.case_form_factory = case_form_factory(self.services, self.actor,
                                                   runner=self.runner)
        self.menus.apply_actor()  # and what may be done now (``_apply_access``)
        self.user_session.apply_actor()
        self.docks.drop_side_docks()

    def _apply_access(self) -> None:
        """What may be done now: the role's rights, less what downtime takes away."""
        self.menus.update()

    @property
    def locked(self) -> bool:
        return self.user_session.locked

    @property
    def wall(self) -> WallWindow | None:
        return self.wall_display.wall

    @property
    def last_message(self) -> str:
        return self.status.last_message

    # -- helpers --------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.status.show_message(text)

    def timers(self) -> list[QTimer]:
        return [self._now_timer, self.idle_watcher.timer, self.live.timer]

    def _hm(self, moment: datetime) -> str:
        return f"{moment.astimezone(self.tz):%H:%M}"

    @property
    def offline(self) -> bool:
        """The database is unreachable: the window is read-only on its last known data."""
        return self.session.offline

    @property
    def unreachable_since(self) -> datetime | None:
        return self.session.unreachable_since

    @property
    def synced_at(self) -> datetime | None:
        """When the board was last in step with the database (the downtime copy's age)."""
        return self.session.synced_at

    @property
    def tz(self) -> ZoneInfo:
        """The department's zone, as the last load read it."""
        return self.session.tz

    def _offline_reason(self) -> str:
        return self.session.offline_reason()

    # -- other PCs' changes and the connection (the session) ------------------------------

    def report_unreachable(self, reason: str) -> None:
        """A read or write of this window found the database unreachable: the same
        outage as the live feed's (banner, read-only, reconnect by itself)."""
        self.session.report_unreachable(reason)

    def _offline_changed(self, offline: bool) -> None:
        """Downtime began (read-only on the last known data) or ended (the session has
        asked for the board again and handed the waiting saves over): the actions follow,
        then the audit records of downtime printouts are written."""
        if self._closed:
            return
        self._apply_access()
        if offline:
            # The banner gives the reason and the countdown; this stays short to read.
            self.show_message(f"Read-only — {self._offline_reason()}; reconnecting by itself")
            return
        self.show_message("Connected to the database again — live updates resumed")
        self.pending_audits.retry_all()

    def _board_message(self, text: str) -> None:
        if self.offline and not self.board.editable and self.controller.can_schedule:
            # The board is read-only because of the outage, not the role: say that.
            text = f"Cases cannot be moved now — {self._offline_reason()} (read-only)"
        self.show_message(text)

    def apply_remote_changes(self, changes: tuple[Change, ...]) -> None:
        """Other PCs' commits: the session updates the board in place."""
        self.session.apply_remote_changes(changes)

    def _tell_case_form(self, case_number: str, version: int, author: object) -> None:
        """A case changed elsewhere: an open form of it asks to reload or re-apply."""
        form = getattr(self, "case_form", None)
        if not isinstance(form, CaseFormDialog) or not shiboken6.isValid(form) \
                or not form.isVisible() or form.case_number != case_number:
            return
        form.changed_elsewhere(version, by=author if isinstance(author, str) else None)

    # -- loading ----------------------------------------------------------------------------

    def _frame(self) -> Frame:
        """The days on screen: the day, or the week (Monday first) around it."""
        if self.mode is BoardMode.DAY:
            return Frame(self.day if self._day_known else None, 1, BoardMode.DAY)
        return Frame(self.day - timedelta(days=self.day.weekday()), 7, BoardMode.WEEK)

    def load(self) -> None:
        """Load the frame off the GUI thread (the board says it is loading meanwhile; a
        later load supersedes it); ``_loaded`` follows."""
        self.session.load()

    def _loaded(self, window: BoardWindow) -> None:
        if not self._day_known:
            self.day, self._day_known = window.first_day, True
        first = window.first_day
        if window.days == 1:
            title = f"{first:%A %d %B %Y}"
        else:
            title = f"week of {first:%d %b} – {first + timedelta(days=6):%d %b %Y}"
        self.setWindowTitle(f"SurgDesk — {title}")

    def _keep_loaded_frame(self) -> None:
        """A load failed: the day and mode go back to what the board still shows, so a
        printed list is of the day on screen."""
        window = self.controller.window
        if window is None:
            return
        self.mode = BoardMode.DAY if window.days == 1 else BoardMode.WEEK
        if not window.first_day <= self.day < window.first_day + timedelta(days=window.days):
            self.day = window.first_day
        self.day_action.setChecked(self.mode is BoardMode.DAY)
        self.week_action.setChecked(self.mode is BoardMode.WEEK)

    def open_day(self, day: date) -> None:
        self.day = day
        self.load()

    def set_mode(self, mode: BoardMode) -> None:
        self.mode = mode
        self.day_action.setChecked(mode is BoardMode.DAY)
        self.week_action.setChecked(mode is BoardMode.WEEK)
        self.load()

    @property
    def lanes(self) -> LaneMode:
        return self.controller.model.lane_mode

    def set_lanes(self, mode: LaneMode, *, store: bool = True) -> None:
        """Rows by rooms, surgeons, anesthetists or equipment units: from what the board
        holds (no read), kept for the next start (``store``)."""
        self.controller.set_lane_mode(mode)
        self.menus.show_lanes(mode)
        self.toolbar.show_lanes(mode)
        if store:
            store_lanes(mode)

    def step(self, direction: int) -> None:
        self.open_day(self.day + timedelta(days=direction * (1 if self.mode is BoardMode.DAY
                                                             else 7)))

    # -- navigation and refresh -----------------------------------------------------------------

    def refresh(self) -> None:
        """The frame again, keeping scroll and zoom."""
        self.session.refresh()

    def go_today(self) -> None:
        self.open_day(self.services.clock.now().astimezone(self.tz).date())

    # -- closing --------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.user_session.fit_overlay()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self.docks.save_layout()  # for this person's next start
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop what this window started; dispose the engine if the window owns it."""
        if self._closed:
            return
        self._closed = True
        self.wall_display.close_wall()  # before the services it shares are disposed
        self.idle_watcher.stop()  # removes its application-wide event filter
        for timer in self.timers():
            timer.stop()
        self.session.shutdown()  # the feed stops; the undo history goes
        self.runner.shutdown()  # saves under way finish (or fail) before the engine goes
        if self.owns_services:
            self.services.close()

    @property
    def closed(self) -> bool:
        return self._closed
