"""The main window: the ``orBoard`` view, the ``unscheduledQueue`` dock, menus, status bar.

Hooks for later screens: ``case_form_factory`` (the case form of ``ui/case/``) replaces the
read-only details dialog and enables Case > New; ``admin_menu`` is where ``ui/manage/``
adds its actions.

Downtime (issue 6 item 4): when the live feed loses the database, the connection banner
above the board says since when, and the window turns read-only — the board keeps the
last known data (scroll and zoom still work), nothing that writes or needs the database
can be started, and the day list prints from what the board holds, marked as a downtime
copy. When the feed is back and caught up, ``_apply_access`` gives back exactly what the
actor's role allows and the saves that waited are retried once.
"""

from __future__ import annotations

import html
import platform
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import PySide6
import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer, Signal, qVersion
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from surgdesk import __version__
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.domain.enums import CaseStatus
from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.timezones import zone
from surgdesk.errors import DatabaseUnavailable, SurgDeskError
from surgdesk.services.auth import LoginResult, PasswordCheck
from surgdesk.services.changes import Change
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.startup import describe
from surgdesk.ui.banner import ConnectionBanner
from surgdesk.ui.board import palette
from surgdesk.ui.board.controller import BoardWindow
from surgdesk.ui.board.model import on_board
from surgdesk.ui.board.session import Frame, LiveBoardSession
from surgdesk.ui.board.view import BoardMode, BoardView
from surgdesk.ui.case.form import CaseFormDialog
from surgdesk.ui.idle_lock import IdleWatcher, LockOverlay
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.pending import PendingSaves
from surgdesk.ui.queue import QueueDock
from surgdesk.ui.runner import ServiceRunner

if TYPE_CHECKING:
    from surgdesk.config import DepartmentConfig
    from surgdesk.ui.connection import ConnectionDialog
    from surgdesk.ui.printing.daylist import DayList
    from surgdesk.ui.wall import WallWindow

NOW_LINE_INTERVAL_MS = 30_000
STATUS_TIMEOUT_MS = 10_000
ZOOM_STEP = 1.25

STATUS_VERBS: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "Send back to the queue",
    CaseStatus.SCHEDULED: "Schedule again",
    CaseStatus.IN_PROGRESS: "Start (in progress)",
    CaseStatus.COMPLETED: "Complete",
    CaseStatus.POSTPONED: "Postpone…",
    CaseStatus.CANCELLED: "Cancel case…",
}


Shortcut = QKeySequence | QKeySequence.StandardKey | str | None
# (parent, case number or None for a new case) -> the case form dialog (ui/case).
CaseFormFactory = Callable[[QWidget, str | None], QDialog]

# Actions that read the database: off while it is unreachable (the board keeps its data).
NEEDS_DATABASE = ("dayView", "weekView", "previous", "next", "today", "goToDate", "zoomFit",
                  "refresh", "exportBoard", "showMyCases", "showCaseTable", "switchUser",
                  "wallDisplay")


def _by(name: str | None) -> str:
    """Who changed a case elsewhere, as the change log names them (staff, never patients)."""
    return "on another PC" if name is None else f"by {name} on another PC"


class MainWindow(QMainWindow):
    # The user chose another database (File > Database…) and confirmed: sign out and
    # connect there. ``run_gui`` closes this window and signs in on the new URL.
    switch_database = Signal(str)

    def __init__(self, services: Services, actor: Actor, *, database_url: str,
                 token: str | None = None, day: date | None = None,
                 owns_services: bool = True, store: CredentialStore | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        # Every service call of the board goes through this runner (off the GUI thread);
        # forms and docks get it too. Refusals nobody handled reach the status bar.
        self.runner = ServiceRunner(self)
        self.runner.message.connect(self.show_message)
        self.services = services
        self.actor = actor
        self.database_url = database_url
        self.db_key = database_key(database_url)
        self.token = token
        self.store = store or CredentialStore()
        self.owns_services = owns_services
        self._closed = False
        self.last_message = ""
        self.case_form_factory: CaseFormFactory | None = None
        self.side_docks: dict[str, QDockWidget] = {}
        # Asked before postponing or cancelling; tests replace it to answer without a dialog.
        self.ask_reason: Callable[[str], str | None] = self._ask_reason
        # Yes/no before a consequential step (title, question); tests replace it.
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.wall: WallWindow | None = None
        self.locked = False
        self._lock_follows_live = False  # the idle lock listens to the live feed once locked

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
        self.queue_dock = QueueDock(self.controller.queue, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.queue_dock)
        self.board.queue_target = self.queue_dock

        self.board.status_message.connect(self._board_message)
        self.board.case_activated.connect(self.open_case)
        self.board.context_menu_requested.connect(self._context_menu)
        self.queue_dock.list.case_activated.connect(self.open_case)

        self.mode = BoardMode.DAY
        # Without a day given, the first load decides "today" in the department's zone
        # (read in the same call); until it lands, the PC's date stands in.
        self._day_known = day is not None
        self.day = day or services.clock.now().date()
        self._build_status_bar()
        self._build_menus()
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(NOW_LINE_INTERVAL_MS)
        self._now_timer.timeout.connect(self.board.update_now_line)
        self._now_timer.start()
        self._locked_actions: list[QAction] = []
        self.lock_overlay = LockOverlay(self)
        self.lock_overlay.unlock_requested.connect(self.try_unlock)
        self.lock_overlay.switch_requested.connect(self._switch_from_lock)
        idle_minutes = services.settings.session_policy(actor).idle_lock_minutes
        self.idle_watcher = IdleWatcher(idle_minutes, self)
        self.idle_watcher.idle.connect(self.lock_screen)
        self.resize(1600, 900)
        # Audit records of downtime printouts, written once the database is back. Apart
        # from the user's saves: each carries the user who printed, so it outlives a
        # sign-out (a paper copy with patients on it went round; the record must not).
        self.pending_audits = PendingSaves(self, runner=self.runner)
        self.pending_audits.message.connect(self.show_message)
        self.pending_audits.unreachable.connect(self.report_unreachable)
        self._apply_actor()
        self.session.start()  # the feed's position, the first load, then the feed

    # -- helpers --------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        return zone(self.services.settings.get(self.actor).time_zone)

    def show_message(self, text: str) -> None:
        self.last_message = text
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

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

    def step(self, direction: int) -> None:
        self.open_day(self.day + timedelta(days=direction * (1 if self.mode is BoardMode.DAY
                                                             else 7)))

    # -- menus ---------------------------------------------------------------------------------

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object],
                shortcut: Shortcut = None, name: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        if name:
            action.setObjectName(name)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setToolTipsVisible(True)  # a disabled action says why
        self._action(file_menu, "&Export board…", self.export_board, "Ctrl+E", "exportBoard")
        self._action(file_menu, "&Print day list…", self.print_daylist,
                     QKeySequence.StandardKey.Print, "printDaylist")
        self._action(file_menu, "Day list as P&DF…", self.export_daylist, None,
                     "exportDaylist")
        file_menu.addSeparator()
        self._action(file_menu, "&Database…", self.choose_database, None, "connectionSettings")
        file_menu.addSeparator()
        self._action(file_menu, "S&witch user…", self.switch_user, None, "switchUser")
        self._action(file_menu, "Sign &out", self.sign_out, None, "signOut")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "quit")

        edit = bar.addMenu("&Edit")
        stack = self.controller.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setObjectName("undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setObjectName("redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        # After the actions' own connections: the stack enables them, this takes downtime
        # into account.
        stack.canUndoChanged.connect(self._sync_undo)
        stack.canRedoChanged.connect(self._sync_undo)

        view = bar.addMenu("&View")
        view.setToolTipsVisible(True)
        group = QActionGroup(self)
        self.day_action = self._action(view, "&Day", lambda: self.set_mode(BoardMode.DAY),
                                       "Ctrl+1", "dayView")
        self.week_action = self._action(view, "&Week", lambda: self.set_mode(BoardMode.WEEK),
                                        "Ctrl+2", "weekView")
        for action in (self.day_action, self.week_action):
            action.setCheckable(True)
            group.addAction(action)
        self.day_action.setChecked(True)
        view.addSeparator()
        self._action(view, "&Previous", lambda: self.step(-1), "Alt+Left", "previous")
        self._action(view, "&Next", lambda: self.step(1), "Alt+Right", "next")
        self._action(view, "&Today", self.go_today, "Ctrl+T", "today")
        self._action(view, "Go to &date…", self.go_to_date, "Ctrl+G", "goToDate")
        view.addSeparator()
        self._action(view, "Zoom &in", lambda: self.board.zoom_by(ZOOM_STEP),
                     QKeySequence.StandardKey.ZoomIn, "zoomIn")
        self._action(view, "Zoom &out", lambda: self.board.zoom_by(1 / ZOOM_STEP),
                     QKeySequence.StandardKey.ZoomOut, "zoomOut")
        self._action(view, "&Fit to window", self.load, "Ctrl+0", "zoomFit")
        self._action(view, "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh, "refresh")
        view.addSeparator()
        view.addAction(self.queue_dock.toggleViewAction())
        self._action(view, "&My cases", self.show_my_cases, "Ctrl+M", "showMyCases")
        self._action(view, "&Case list", self.show_case_table, "Ctrl+L", "showCaseTable")
        view.addSeparator()
        self._action(view, "&Wall display…", self.open_wall, None, "wallDisplay")

        self.case_menu = bar.addMenu("&Case")
        self.case_menu.setToolTipsVisible(True)
        self.new_case_action = self._action(self.case_menu, "&New case…", self.new_case,
                                            QKeySequence.StandardKey.New, "newCase")
        self.open_action = self._action(self.case_menu, "&Open", self._open_selected, None,
                                        "openCase")
        self.status_menu = self.case_menu.addMenu("Change &status")
        self.status_menu.aboutToShow.connect(self._fill_status_menu)

        self.admin_menu = bar.addMenu("&Admin")
        self.admin_menu.setObjectName("adminMenu")
        self.admin_menu.setToolTipsVisible(True)
        self.admin_actions: list[tuple[QAction, Action]] = []
        for text, guard, opener, name in (
            ("&Rooms and closures…", Action.MANAGE_ROOMS, self.open_rooms, "manageRooms"),
            ("&Users…", Action.MANAGE_USERS, self.open_users, "manageUsers"),
            ("Checklist &templates…", Action.MANAGE_TEMPLATES, self.open_templates,
             "manageTemplates"),
            ("Department &settings…", Action.MANAGE_SETTINGS, self.open_settings,
             "manageSettings"),
        ):
            self.admin_actions.append((self._action(self.admin_menu, text, opener, None, name),
                                       guard))
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "Board &legend", self.show_legend, None, "legend")
        self._action(help_menu, "&About SurgDesk", self.show_about, None, "about")
        self.database_actions = [a for a in self.findChildren(QAction)
                                 if a.objectName() in NEEDS_DATABASE]

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.user_label = QLabel()
        self.user_label.setObjectName("statusUser")
        self.db_label = QLabel(describe(self.database_url))
        self.db_label.setObjectName("statusDatabase")
        self.db_label.setToolTip("The database this window works on")
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.db_label)

    def _apply_actor(self) -> None:
        actor = self.actor
        role = actor.role.value if actor.role else "no role"
        device = " · device" if actor.is_device else ""
        self.user_label.setText(f"{actor.display_name} ({actor.username}) · {role}{device}")
        from surgdesk.ui.case import case_form_factory
        from surgdesk.ui.manage import may_open

        self.case_form_factory = case_form_factory(self.services, actor,
                                                   on_unreachable=self.report_unreachable)
        self._apply_access()
        for admin_action, guard in self.admin_actions:
            admin_action.setVisible(may_open(actor, guard))
        self.admin_menu.menuAction().setVisible(
            any(may_open(actor, guard) for _a, guard in self.admin_actions))
        if actor.is_device:
            self.idle_watcher.stop()  # a wall display never locks
        else:
            self.idle_watcher.set_minutes(
                self.services.settings.session_policy(actor).idle_lock_minutes)
            self.idle_watcher.start()
        # Screens built for the previous user go; they are rebuilt on demand.
        for dock in self.side_docks.values():
            self.removeDockWidget(dock)
            dock.deleteLater()
        self.side_docks.clear()

    def _apply_access(self) -> None:
        """What may be done now: the actor's role, less — while the database is
        unreachable — everything that writes or reads it. The one place both decide
        (sign-in, unlock, downtime and its end all come here). Scroll and zoom in place
        always work; the idle lock disables everything on its own meanwhile."""
        if self.locked:
            return  # the idle lock holds every action; unlocking comes back here
        online = not self.offline
        actor = self.actor
        can_schedule = self.controller.can_schedule and online
        self.board.set_editable(can_schedule)
        self.queue_dock.list.setDragEnabled(can_schedule)
        self.new_case_action.setEnabled(allowed(actor.role, Action.REQUEST_CASE)
                                        and not actor.is_device and online)
        self.status_menu.menuAction().setEnabled(online)
        why = "" if online else f"Not available: {self._offline_reason()}"
        for admin_action, _guard in self.admin_actions:
            admin_action.setEnabled(online)  # every admin screen writes
            admin_action.setToolTip(why)
        for action in self.database_actions:
            action.setEnabled(online)
            action.setToolTip(why)
        self.status_menu.menuAction().setToolTip(why)
        self.new_case_action.setToolTip(why)
        self._sync_undo()

    def _sync_undo(self) -> None:
        if self.locked:
            return
        stack = self.controller.undo_stack
        self.undo_action.setEnabled(stack.canUndo() and not self.offline)
        self.redo_action.setEnabled(stack.canRedo() and not self.offline)

    # -- cases -------------------------------------------------------------------------------

    def open_case(self, case_number: str) -> None:
        """Enter or double-click on a case. The case form (issue 4) plugs in here."""
        if self.offline:
            self.show_message(f"Cannot open {case_number} — {self._offline_reason()}; the "
                              "board shows the last known data (read-only)")
            return
        if self.case_form_factory is not None:
            self._show_form(self.case_form_factory(self, case_number))

    def new_case(self) -> None:
        if self.offline:
            self.show_message(f"Cannot create a case — {self._offline_reason()}")
            return
        if self.case_form_factory is not None:
            self._show_form(self.case_form_factory(self, None))

    def _show_form(self, form: QDialog) -> None:
        """Open a case screen without blocking; the board follows what it changes."""
        changed = getattr(form, "caseChanged", None)
        if changed is not None:
            changed.connect(self._case_changed)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        form.open()
        self.case_form = form

    def _case_changed(self, _case_number: str) -> None:
        self.refresh()

    def _reload_after_stale(self, _case_number: str) -> None:
        message = self.last_message
        self.refresh()
        self.show_message(message)  # keep the reason, not "loaded"

    def _open_selected(self) -> None:
        number = self.board.selected_case()
        if number:
            self.open_case(number)

    def _fill_status_menu(self) -> None:
        self.status_menu.clear()
        number = self.board.selected_case()
        case = self.controller.case(number) if number else None
        if case is None:
            self.status_menu.addAction("Select a case first").setEnabled(False)
            return
        self._add_status_actions(self.status_menu, case)

    def _add_status_actions(self, menu: QMenu, case: CaseSummary) -> None:
        if self.offline:
            menu.addAction(f"No status change: {self._offline_reason()}").setEnabled(False)
            return
        # The services decided what this actor may do with this case now (the role, the
        # care team, the status machine); the menu only offers it.
        targets = case.rights.status_targets
        if not targets:
            menu.addAction("No status change allowed for your role").setEnabled(False)
        for target in targets:
            action = menu.addAction(STATUS_VERBS.get(target, target.value))
            action.setObjectName(f"status_{target.value}")
            action.triggered.connect(
                lambda _c=False, n=case.case_number, t=target: self.change_status(n, t))

    def build_context_menu(self, case_number: str) -> QMenu:
        menu = QMenu(self)
        menu.setObjectName("caseContextMenu")
        # Each right-click builds a menu: it goes once hidden, chosen or dismissed (a
        # chosen action runs first: the deletion is deferred to the event loop).
        menu.aboutToHide.connect(menu.deleteLater)
        case = self.controller.case(case_number)
        open_action = menu.addAction(f"Open {case_number}")
        open_action.triggered.connect(lambda _c=False: self.open_case(case_number))
        open_action.setEnabled(not self.offline)
        if case is not None:
            menu.addSeparator()
            self._add_status_actions(menu, case)
        return menu

    def _context_menu(self, case_number: str, global_pos: QPoint) -> None:
        menu = self.build_context_menu(case_number)
        menu.popup(global_pos)

    def change_status(self, case_number: str, target: CaseStatus) -> bool:
        if self.offline:
            self.show_message(f"{case_number} not changed — {self._offline_reason()}")
            return False
        case = self.controller.case(case_number)
        if target is CaseStatus.REQUESTED and case is not None and on_board(case):
            return self.controller.return_to_queue(case_number)  # undoable, like a drag
        if case is None:
            self.show_message(f"{case_number} not changed — it is not on the board; refresh")
            return False
        reason = None
        if target in case.rights.needs_reason:
            reason = self.ask_reason(f"Why is {case_number} {target.value}?")
            if not reason:
                self.show_message("Not changed — a reason is required")
                return False
        return self.controller.set_status(case_number, target, reason)

    def _ask_reason(self, question: str) -> str | None:
        text, ok = QInputDialog.getText(self, "Reason", question)
        return text.strip() if ok else None

    # -- other screens (ui/manage, ui/case, ui/printing) ---------------------------------

    def _run_admin(self, factory: Callable[[], QDialog]) -> None:
        if self.offline:
            self.show_message(f"Not available — {self._offline_reason()}")
            return
        try:
            dialog = factory()
        except SurgDeskError as exc:
            self.show_message(f"Not allowed — {exc}")
            return
        dialog.exec()
        self.refresh()  # rooms, closures and settings all show on the board

    def open_rooms(self) -> None:
        from surgdesk.ui.manage import RoomsDialog

        self._run_admin(lambda: RoomsDialog(self.services, self.actor, self))

    def open_users(self) -> None:
        from surgdesk.ui.manage import UsersDialog

        self._run_admin(lambda: UsersDialog(self.services, self.actor, self))

    def open_templates(self) -> None:
        from surgdesk.ui.manage import TemplatesDialog

        self._run_admin(lambda: TemplatesDialog(self.services, self.actor, self))

    def open_settings(self) -> None:
        from surgdesk.ui.manage import DepartmentSettingsDialog

        self._run_admin(lambda: DepartmentSettingsDialog(self.services, self.actor, self))

    def _side_dock(self, key: str, title: str, build: Callable[[], QWidget]) -> QDockWidget:
        dock = self.side_docks.get(key)
        if dock is None:
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{key}Dock")
            widget = build()
            activated = getattr(widget, "caseActivated", None)
            if activated is not None:
                activated.connect(self.open_case)
            changed = getattr(widget, "caseChanged", None)
            if changed is not None:
                changed.connect(self._case_changed)
            unreachable = getattr(widget, "unreachable", None)
            if unreachable is not None:
                unreachable.connect(self.report_unreachable)
            dock.setWidget(widget)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            self.tabifyDockWidget(self.queue_dock, dock)
            self.side_docks[key] = dock
        dock.show()
        dock.raise_()
        return dock

    def show_my_cases(self) -> QDockWidget:
        from surgdesk.ui.case import MyCasesWidget

        return self._side_dock("myCases", "My cases",
                               lambda: MyCasesWidget(self.services, self.actor, self))

    def show_case_table(self) -> QDockWidget:
        from surgdesk.ui.manage import CaseTableWidget

        return self._side_dock("caseTable", "Case list",
                               lambda: CaseTableWidget(self.services, self.actor, self))

    def current_daylist(self) -> DayList:
        """The day list of the day on screen: read from the database, or — while it is
        unreachable — the downtime copy of what the board holds (no database call).

        Raises ``SurgDeskError`` when neither can be had."""
        from surgdesk.ui.printing.daylist import build_daylist

        if not self.offline:
            try:
                return build_daylist(self.services, self.actor, self.day)
            except DatabaseUnavailable as exc:
                self.report_unreachable(str(exc))
                if not self.offline:
                    raise
        return self.downtime_daylist()

    def downtime_daylist(self) -> DayList:
        """The day list from the board's last known data: rooms, closures and the cases
        it holds, as the actor saw them (the services masked them when handing them out)."""
        from surgdesk.ui.printing.daylist import build_downtime_daylist

        window = self.controller.window
        if window is None:
            raise DatabaseUnavailable("nothing loaded to print from; the day list needs "
                                      "the database")
        model = self.controller.model
        rooms = model.rooms()
        return build_downtime_daylist(
            self.day, window.tz, rooms=rooms,
            closures={room.id: model.closures(room.id) for room in rooms},
            cases=self.controller.held_cases().values(), actor=self.actor,
            now=self.services.clock.now(),
            unreachable_since=self.unreachable_since or self.services.clock.now(),
            synced_at=self.synced_at)

    def print_daylist(self) -> None:
        from surgdesk.ui.printing.daylist import print_built_daylist

        copies: list[DayList] = []

        def build() -> DayList:
            copies.append(self.current_daylist())
            return copies[-1]

        try:
            if print_built_daylist(build, self.day, self):
                downtime = " (downtime copy from the last known data)" if any(
                    c.downtime is not None for c in copies) else ""
                self._audit_downtime(copies)
                self.show_message(f"Day list of {self.day} sent to the printer{downtime}")
        except (SurgDeskError, OSError) as exc:
            self.show_message(f"Printing failed — {exc}")

    def export_daylist(self) -> None:
        from surgdesk.ui.printing.daylist import write_daylist_pdf

        path, _ = QFileDialog.getSaveFileName(self, "Day list as PDF",
                                              f"daylist-{self.day}.pdf", "PDF (*.pdf)")
        if not path:
            return
        try:
            daylist = self.current_daylist()
            written = write_daylist_pdf(daylist, Path(path))
        except (SurgDeskError, OSError) as exc:
            self.show_message(f"Export failed — {exc}")
            return
        downtime = " (downtime copy from the last known data)" if daylist.downtime else ""
        self._audit_downtime([daylist])
        self.show_message(f"Wrote {written}{downtime}")

    def _audit_downtime(self, copies: list[DayList]) -> None:
        """Keep the audit record of each downtime copy until the database takes it (a
        live list was audited by the service as it was read)."""
        from surgdesk.ui.printing.daylist import queue_downtime_audit

        for copy in copies:
            queue_downtime_audit(self.pending_audits, self.services, self.actor, copy)
        if not self.offline:  # the connection came back while the dialog was open
            self.pending_audits.retry_all()

    # -- navigation and refresh -----------------------------------------------------------------

    def refresh(self) -> None:
        """The frame again, keeping scroll and zoom."""
        self.session.refresh()

    def go_today(self) -> None:
        self.open_day(self.services.clock.now().astimezone(self.tz).date())

    def go_to_date(self) -> None:
        text, ok = QInputDialog.getText(self, "Go to date", "Date (YYYY-MM-DD):",
                                        text=self.day.isoformat())
        if not ok:
            return
        try:
            self.open_day(date.fromisoformat(text.strip()))
        except ValueError:
            self.show_message(f"date: {text!r} is not YYYY-MM-DD")

    def export_board(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export board", f"board-{self.day}.png",
                                              "PNG image (*.png);;PDF document (*.pdf)")
        if not path:
            return
        from surgdesk.ui.board.export import render_board_file

        days = 1 if self.mode is BoardMode.DAY else 7
        first = self.day if days == 1 else self.day - timedelta(days=self.day.weekday())
        try:
            written = render_board_file(self.services, self.actor, Path(path), day=first,
                                        days=days)
        except (SurgDeskError, OSError) as exc:
            self.show_message(f"Export failed — {exc}")
            return
        self.show_message(f"Wrote {written}")

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About SurgDesk",
            f"<h3>SurgDesk {__version__}</h3>"
            "<p>Operating-room scheduling: the OR board, WHO Surgical Safety Checklists "
            "and the wall display.</p>"
            f"<p>Database: {html.escape(describe(self.database_url))}<br>"
            f"Qt {qVersion()} · PySide6 {PySide6.__version__} · "
            f"Python {platform.python_version()}</p>")

    def show_legend(self) -> None:
        rows = "".join(
            f"<tr><td style='background:{s.fill.name()};border:1px solid {s.border.name()}'>"
            f"&nbsp;&nbsp;&nbsp;&nbsp;</td><td>{s.label}</td></tr>"
            for s in palette.STATUS_STYLES.values())
        QMessageBox.information(
            self, "Board legend",
            "<p>Each status has its own colour <b>and</b> glyph: ◇ requested, clock scheduled, "
            "✓ pre-op ready, ▶ in progress (striped), ■ completed, ❚❚ postponed.</p>"
            f"<table>{rows}</table>"
            "<p>A vermillion band, thick border and EMERG badge mark emergencies; URG marks "
            "urgent cases. A yellow triangle is a soft conflict (hover for details). The "
            "hatched strip after a case is the room's turnover. Chevrons at a bar's end: the "
            "case continues on the previous or next day.</p>")

    # -- the database and the wall display ---------------------------------------------------

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def connection_dialog(self) -> ConnectionDialog:
        from surgdesk.ui.connection import ConnectionDialog

        return ConnectionDialog(self.database_url, self, store=self.store)

    def choose_database(self) -> str | None:
        """File > Database…: the connection settings on the current database; another one,
        once confirmed, signs out here and emits ``switch_database`` (None otherwise)."""
        dialog = self.connection_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        chosen = getattr(dialog, "chosen_url", None)
        if not isinstance(chosen, str) or not chosen:
            return None
        if database_key(chosen) == self.db_key:
            self.show_message(f"Still connected to {describe(chosen)}")
            return None
        if not self.confirm("Connect to another database",
                            f"Sign out and connect to {describe(chosen)}?\n\nThis window "
                            "closes; you sign in again on that database."):
            # The dialog saved the choice and the password already: put both back.
            dialog.revert()
            self.show_message("Database not changed")
            return None
        self._end_session()
        self.switch_database.emit(chosen)
        return chosen

    def open_wall(self) -> WallWindow | None:
        """View > Wall display…: the wall for this database on its configured monitor,
        signed in as a device (the kept device session, or its credentials asked once).
        It shares this window's services and closes with it; a second call raises it."""
        wall = self.wall
        if wall is not None and shiboken6.isValid(wall) and wall.isVisible():
            wall.raise_()
            wall.activateWindow()
            return wall
        from surgdesk.ui.wall import WallWindow, sign_in_device

        try:
            config = self._wall_config()
            if config is None:
                return None
            result = sign_in_device(self.services, self.database_url, self.store,
                                    database_label=describe(self.database_url))
            if result is None:
                return None
            wall = WallWindow(self.services, result.actor, clock=self.services.clock,
                              config=config, database_url=self.database_url)
        except SurgDeskError as exc:
            self.show_message(f"Wall display not opened — {exc}")
            return None
        wall.owns_services = False  # the services are this window's: it disposes them
        self.wall = wall
        wall.show_on_wall()
        self.show_message(f"Wall display opened as {result.actor.display_name}")
        return wall

    def _wall_config(self) -> DepartmentConfig | None:
        """The department's wall settings; with several monitors, the one the user picks
        (the configured one offered first). None when the user cancels."""
        from surgdesk.config import DepartmentConfig, load_department_config

        config = load_department_config() or DepartmentConfig()
        screens = QGuiApplication.screens()
        if len(screens) < 2:
            return config
        names = [f"{n + 1}: {screen.name()} ({screen.geometry().width()}×"
                 f"{screen.geometry().height()})" for n, screen in enumerate(screens)]
        current = config.wall.monitor if config.wall.monitor < len(screens) else 0
        chosen, ok = QInputDialog.getItem(self, "Wall display", "Show the wall display on:",
                                          names, current, False)
        if not ok or chosen not in names:
            return None
        wall = config.wall.model_copy(update={"monitor": names.index(chosen)})
        return config.model_copy(update={"wall": wall})

    def _close_wall(self) -> None:
        wall, self.wall = self.wall, None
        if wall is not None and shiboken6.isValid(wall):
            wall.shutdown()  # stops its feed and timers even if it is hidden
            wall.close()

    # -- who is signed in -------------------------------------------------------------------------

    def login_dialog(self) -> LoginDialog:
        return LoginDialog(self.services, database_label=describe(self.database_url),
                           username=self.actor.username, parent=self)

    def adopt_login(self, result: LoginResult) -> None:
        """Take over a new login: keep its token if remembered, reload as that user."""
        self.actor = result.actor
        self.token = result.token
        if result.token is not None:
            self.store.save_session(self.db_key, result.actor.username, result.token,
                                    result.expires_at)
        else:
            self.store.clear_session(self.db_key)
        self.controller.set_actor(result.actor)
        self._apply_actor()
        self.load()
        self.show_message(f"Signed in as {result.actor.display_name}")

    def _end_session(self, *, next_actor: Actor | None = None) -> None:
        # The leaving user's password, kept in memory for unlocking during an outage,
        # must not open the next session's lock (unless the next user is the same one,
        # whose sign-in just kept it afresh).
        if next_actor is None or next_actor.user_id != self.actor.user_id:
            self.services.auth.forget_password(self.actor)
        waiting = self.controller.pending.descriptions()
        if waiting:
            # Their retries would write as the user who is leaving: they are dropped, and
            # whether the database got them is unknown — say so.
            self.controller.pending.clear()
            self.show_message(f"Not confirmed, and no longer retried: {'; '.join(waiting)} — "
                              "check the board once the database is back")
        if self.token is not None and self.offline:
            # The server cannot be told now (a call would wait for the deadline); the
            # session ends there when its token expires.
            self.show_message("Signed out on this PC; the database is unreachable, so the "
                              "session ends there when it expires")
        elif self.token is not None:
            try:
                self.services.auth.logout(self.token)
            except SurgDeskError as exc:
                self.show_message(f"Sign-out could not reach the database — {exc}")
        self.token = None
        self.store.clear_session(self.db_key)

    def switch_user(self) -> bool:
        dialog = self.login_dialog()
        dialog.username.clear()
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_login is None:
            return False
        self._close_user_windows()
        self._end_session(next_actor=dialog.result_login.actor)
        self.adopt_login(dialog.result_login)
        return True

    def _close_user_windows(self) -> None:
        """The leaving user's forms and dialogs go with them (including those the idle lock
        hid): the next person must not find the first one's open case."""
        self.lock_overlay.discard_covered()
        for widget in self.findChildren(QWidget):
            # Docks stay (the queue is the board's; side docks are rebuilt per user).
            if widget.isWindow() and widget.isVisible() and widget is not self.wall \
                    and not isinstance(widget, QDockWidget):
                widget.close()

    def sign_out(self) -> bool:
        """End the session; the login dialog comes back, and cancelling it quits."""
        self._close_user_windows()
        self._end_session()
        self.controller.model.load_empty()
        self.controller.queue.load([])
        self.controller.window = None  # nothing loaded: live changes are not applied either
        self.hide()
        dialog = self.login_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_login is not None:
            self.adopt_login(dialog.result_login)
            self.show()
            return True
        self.close()
        return False

    # -- the idle lock -----------------------------------------------------------------

    def lock_screen(self) -> None:
        """Hide everything behind the password prompt (after the department's idle time)."""
        if self.locked or self.actor.is_device or self._closed:
            return
        self.locked = True
        self.board.set_editable(False)
        self._locked_actions = [a for a in self.findChildren(QAction) if a.isEnabled()]
        for action in self._locked_actions:
            action.setEnabled(False)
        self.lock_overlay.lock(self.actor.display_name)
        if not self._lock_follows_live:
            # An outage that begins or ends while the screen is locked changes what the
            # prompt can promise (after the window's own slots: offline is up to date).
            self._lock_follows_live = True
            self.live.lost.connect(self._show_lock_outage)
            self.live.restored.connect(self._show_lock_outage)
        self._show_lock_outage()

    def _show_lock_outage(self) -> None:
        """While locked during an outage, the prompt says plainly whether the password
        can be checked (on this PC) or not until the database is back; switching user
        is not offered then (signing in needs the database)."""
        if not self.locked:
            return
        overlay = self.lock_overlay
        if not self.offline:
            overlay.show_note("")
            overlay.allow_switch(True)
            return
        reason = self._offline_reason()
        reason = f"{reason[:1].upper()}{reason[1:]}"
        if self.services.auth.can_check_on_this_pc(self.actor):
            overlay.show_note(f"{reason}: your password is checked on this PC, and the "
                              "board stays read-only until the database is back.")
        else:
            overlay.show_note(f"{reason}: your password cannot be checked until it is back.")
        overlay.allow_switch(False, f"Not available: {self._offline_reason()} "
                                    "(signing in needs the database)")

    def try_unlock(self, password: str) -> bool:
        known_down = self.offline  # then the database is not asked (it could hold us ~15 s)
        try:
            check = self.services.auth.verify_password(self.actor, password,
                                                       database_down=known_down)
        except SurgDeskError as exc:
            # The service names the outage it found as the cause of its refusal (or, for
            # "cannot be checked", of its own DatabaseUnavailable).
            outage = exc if isinstance(exc, DatabaseUnavailable) else exc.__cause__
            if isinstance(outage, DatabaseUnavailable) and not known_down:
                if isinstance(outage.__cause__, DatabaseUnavailable):
                    outage = outage.__cause__
                # This check was the first to find the database gone: the outage begins.
                self.report_unreachable(str(outage))
            self._show_lock_outage()
            text = str(exc)
            self.lock_overlay.error.setText(f"{text[:1].upper()}{text[1:]}.")
            return False
        if check is PasswordCheck.THIS_PC and not known_down:
            self.report_unreachable("the password check could not reach the database")
        self._unlock()
        if check is PasswordCheck.THIS_PC:
            self.show_message("Unlocked — the database is unreachable; your password was "
                              "checked on this PC (read-only until it is back)")
        return True

    def _unlock(self) -> None:
        self.locked = False
        self.lock_overlay.hide()
        for action in self._locked_actions:
            action.setEnabled(True)
        self._locked_actions = []
        self._apply_access()  # the role's rights, less what downtime takes away
        self.idle_watcher.start()

    def _switch_from_lock(self) -> None:
        if self.offline:
            # The button is off meanwhile; the signal may still come (keyboard, tests).
            self.lock_overlay.error.setText(
                f"Switching user needs the database — {self._offline_reason()}.")
            return
        if self.switch_user():
            self._unlock()
            self._apply_actor()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.lock_overlay.isVisible():
            self.lock_overlay.setGeometry(self.rect())

    # -- closing --------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop what this window started; dispose the engine if the window owns it."""
        if self._closed:
            return
        self._closed = True
        self._close_wall()  # before the services it shares are disposed
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
