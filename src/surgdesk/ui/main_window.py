"""The main window: the ``orBoard`` view, the ``unscheduledQueue`` dock, menus, status bar.

Hooks for later screens: ``case_form_factory`` (the case form of ``ui/case/``) replaces the
read-only details dialog and enables Case > New; ``admin_menu`` is where ``ui/manage/``
adds its actions.
"""

from __future__ import annotations

import html
import platform
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import PySide6
import shiboken6
from PySide6.QtCore import QPoint, Qt, QTimer, qVersion
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from surgdesk import __version__
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.domain.enums import CaseStatus, Role
from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.status_machine import (
    ALLOWED_TRANSITIONS,
    AUTOMATIC_TRANSITIONS,
    CLINICAL_TARGETS,
    NEEDS_REASON,
)
from surgdesk.domain.timezones import zone
from surgdesk.errors import BadInput, DatabaseUnavailable, SurgDeskError
from surgdesk.repository.connect import describe
from surgdesk.services.auth import LoginResult
from surgdesk.services.changes import Change, FeedPosition
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.board import palette
from surgdesk.ui.board.controller import BoardController
from surgdesk.ui.board.model import on_board
from surgdesk.ui.board.view import BoardMode, BoardView
from surgdesk.ui.case.form import CaseFormDialog
from surgdesk.ui.case_details import CaseDetailsDialog
from surgdesk.ui.idle_lock import IdleWatcher, LockOverlay
from surgdesk.ui.live import LiveFeed
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.queue import QueueDock

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


class MainWindow(QMainWindow):
    def __init__(self, services: Services, actor: Actor, *, database_url: str,
                 token: str | None = None, day: date | None = None,
                 owns_services: bool = True, store: CredentialStore | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
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

        self.controller = BoardController(services, actor, self)
        self.board = BoardView(self)
        self.board.setModel(self.controller.model)
        self.board.set_writer(self.controller)
        self.board.queue_lookup = self.controller.queue.case
        self.board.clock = services.clock.now
        self.setCentralWidget(self.board)
        self.queue_dock = QueueDock(self.controller.queue, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.queue_dock)
        self.board.queue_target = self.queue_dock

        self.controller.message.connect(self.show_message)
        self.controller.stale.connect(self._reload_after_stale)
        self.board.status_message.connect(self.show_message)
        self.board.case_activated.connect(self.open_case)
        self.board.context_menu_requested.connect(self._context_menu)
        self.queue_dock.list.case_activated.connect(self.open_case)

        self.mode = BoardMode.DAY
        self.day = day or services.clock.now().astimezone(self._zone()).date()
        self._build_status_bar()
        self._build_menus()
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(NOW_LINE_INTERVAL_MS)
        self._now_timer.timeout.connect(self.board.update_now_line)
        self._now_timer.start()
        self.locked = False
        self._locked_actions: list[QAction] = []
        self.lock_overlay = LockOverlay(self)
        self.lock_overlay.unlock_requested.connect(self.try_unlock)
        self.lock_overlay.switch_requested.connect(self._switch_from_lock)
        idle_minutes = services.settings.session_policy(actor).idle_lock_minutes
        self.idle_watcher = IdleWatcher(idle_minutes, self)
        self.idle_watcher.idle.connect(self.lock_screen)
        self.resize(1600, 900)
        self._apply_actor()
        self.live = LiveFeed(services.changes, self)
        self.live.changes_arrived.connect(self.apply_remote_changes)
        self.live.lost.connect(self._live_lost)
        # The position comes before the first load: a change committed in between is read
        # again (harmless: rows are re-read by id), never missed.
        position = self._feed_start()
        self.load()
        if position is not None:
            self._start_live(position)

    # -- helpers --------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo:
        return zone(self.services.settings.get(self.actor).time_zone)

    def show_message(self, text: str) -> None:
        self.last_message = text
        self.statusBar().showMessage(text, STATUS_TIMEOUT_MS)

    def timers(self) -> list[QTimer]:
        return [self._now_timer, self.idle_watcher.timer, self.live.timer]

    # -- other PCs' changes ---------------------------------------------------------------

    def _feed_start(self) -> FeedPosition | None:
        try:
            return self.services.changes.start()
        except SurgDeskError as exc:
            self.show_message(f"Live updates are off — {exc}")
            return None

    def _start_live(self, position: FeedPosition) -> None:
        try:
            self.live.start(self.database_url, position)
        except BadInput:
            return  # an in-memory database: no other PC can write to it
        except DatabaseUnavailable as exc:
            self._live_lost(str(exc))

    def _live_lost(self, reason: str) -> None:
        # Issue 6 item 4 (a banner saying since when, read-only board, reconnect with
        # back-off and catch-up from the kept position) is a later session's work; for now
        # the feed stops and the status bar says so until the window is opened again.
        self.show_message(f"Live updates stopped: the database cannot be reached ({reason}). "
                          "Changes from other PCs no longer show — Refresh (F5) to retry.")

    def apply_remote_changes(self, changes: tuple[Change, ...]) -> None:
        """Other PCs' commits: update the board in place; a bar they changed flashes.

        A drag of a case that changed underneath is cancelled (nothing is written) and an
        open case form for it is told, so its Save asks to reload or re-apply.
        """
        if self._closed or self.controller.window is None:
            return
        try:
            update = self.controller.remote_update(changes)
        except SurgDeskError as exc:
            self.show_message(f"Could not read other PCs' changes — {exc}")
            return
        if update.empty:
            return
        dragged = self.board.dragged_case()
        if update.reload:
            if dragged is not None:
                self.board.cancel_drag()
            self.refresh()  # rooms, closures or department settings: the frame changed
            if dragged is not None:
                self.show_message(f"Rooms, closures or hours were changed on another PC — "
                                  f"drag of {dragged} cancelled")
            return
        changed = {c.case_number for c in update.changed} | set(update.gone)
        if dragged is not None and dragged in changed:
            self.board.cancel_drag()
            self.show_message(f"{dragged} was changed on another PC — drag cancelled")
        self.controller.apply_remote(update)
        for case in update.changed:
            self.board.flash(case.case_number)
        self._tell_case_form(update.changed)

    def _tell_case_form(self, changed: tuple[CaseSummary, ...]) -> None:
        form = getattr(self, "case_form", None)
        if not isinstance(form, CaseFormDialog) or not shiboken6.isValid(form) \
                or not form.isVisible():
            return
        for case in changed:
            if case.case_number == form.case_number:
                form.changed_elsewhere(case.version)

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        first = self.day if self.mode is BoardMode.DAY else self.day - timedelta(
            days=self.day.weekday())
        days = 1 if self.mode is BoardMode.DAY else 7
        self.board.begin_load()
        try:
            window = self.controller.load(first, days)
        except SurgDeskError as exc:
            self.board.configure_same()
            self.show_message(f"Could not load the board — {exc}")
            return
        self.board.configure(tz=window.tz, start=window.visible_start, end=window.visible_end,
                             mode=self.mode, snap_minutes=window.snap_minutes,
                             day_start=window.day_start, day_end=window.day_end)
        if self.mode is BoardMode.DAY:
            title = f"{first:%A %d %B %Y}"
        else:
            title = f"week of {first:%d %b} – {first + timedelta(days=6):%d %b %Y}"
        self.setWindowTitle(f"SurgDesk — {title}")
        self.board.horizontalScrollBar().setValue(0)
        self.board.verticalScrollBar().setValue(0)

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
        self._action(file_menu, "&Export board…", self.export_board, "Ctrl+E", "exportBoard")
        self._action(file_menu, "&Print day list…", self.print_daylist,
                     QKeySequence.StandardKey.Print, "printDaylist")
        self._action(file_menu, "Day list as P&DF…", self.export_daylist, None,
                     "exportDaylist")
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

        view = bar.addMenu("&View")
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

        self.case_menu = bar.addMenu("&Case")
        self.new_case_action = self._action(self.case_menu, "&New case…", self.new_case,
                                            QKeySequence.StandardKey.New, "newCase")
        self.open_action = self._action(self.case_menu, "&Open", self._open_selected, None,
                                        "openCase")
        self.status_menu = self.case_menu.addMenu("Change &status")
        self.status_menu.aboutToShow.connect(self._fill_status_menu)

        self.admin_menu = bar.addMenu("&Admin")
        self.admin_menu.setObjectName("adminMenu")
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
        can_schedule = self.controller.can_schedule
        self.board.set_editable(can_schedule)
        self.queue_dock.list.setDragEnabled(can_schedule)
        from surgdesk.ui.case import case_form_factory
        from surgdesk.ui.manage import may_open

        self.case_form_factory = case_form_factory(self.services, actor)
        self.new_case_action.setEnabled(allowed(actor.role, Action.REQUEST_CASE)
                                        and not actor.is_device)
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

    # -- cases -------------------------------------------------------------------------------

    def open_case(self, case_number: str) -> None:
        """Enter or double-click on a case. The case form (issue 4) plugs in here."""
        if self.case_form_factory is not None:
            self._show_form(self.case_form_factory(self, case_number))
            return
        try:
            detail = self.services.cases.open_case(self.actor, case_number)
        except SurgDeskError as exc:
            self.show_message(f"Cannot open {case_number} — {exc}")
            return
        dialog = CaseDetailsDialog(detail, self._zone(), self)
        dialog.setModal(True)
        dialog.open()
        self.details_dialog = dialog

    def new_case(self) -> None:
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

    def status_targets(self, case: CaseSummary) -> list[CaseStatus]:
        """The status changes the actor's role allows for this case (services still check)."""
        role = self.actor.role
        on_team = self.actor.user_id is not None and self.actor.user_id in (
            case.lead_surgeon_user_id, case.anesthetist_user_id)
        targets = []
        for target in sorted(ALLOWED_TRANSITIONS[case.status], key=list(CaseStatus).index):
            if (case.status, target) in AUTOMATIC_TRANSITIONS:
                continue
            if target is CaseStatus.SCHEDULED and not on_board(case):
                continue  # a queued case is scheduled by dropping it on the board
            if target in CLINICAL_TARGETS:
                ok = allowed(role, Action.SIGN_OFF, on_care_team=on_team or role is Role.ADMIN)
            else:
                ok = self.controller.can_schedule
            if ok:
                targets.append(target)
        return targets

    def _fill_status_menu(self) -> None:
        self.status_menu.clear()
        number = self.board.selected_case()
        case = self.controller.case(number) if number else None
        if case is None:
            self.status_menu.addAction("Select a case first").setEnabled(False)
            return
        self._add_status_actions(self.status_menu, case)

    def _add_status_actions(self, menu: QMenu, case: CaseSummary) -> None:
        targets = self.status_targets(case)
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
        case = self.controller.case(case_number)
        open_action = menu.addAction(f"Open {case_number}")
        open_action.triggered.connect(lambda _c=False: self.open_case(case_number))
        if case is not None:
            menu.addSeparator()
            self._add_status_actions(menu, case)
        return menu

    def _context_menu(self, case_number: str, global_pos: QPoint) -> None:
        menu = self.build_context_menu(case_number)
        menu.popup(global_pos)

    def change_status(self, case_number: str, target: CaseStatus) -> bool:
        case = self.controller.case(case_number)
        if target is CaseStatus.REQUESTED and case is not None and on_board(case):
            return self.controller.return_to_queue(case_number)  # undoable, like a drag
        reason = None
        if target in NEEDS_REASON:
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

    def print_daylist(self) -> None:
        from surgdesk.ui.printing.daylist import print_daylist

        try:
            if print_daylist(self.services, self.actor, self.day, self):
                self.show_message(f"Day list of {self.day} sent to the printer")
        except SurgDeskError as exc:
            self.show_message(f"Printing failed — {exc}")

    def export_daylist(self) -> None:
        from surgdesk.ui.printing.daylist import render_daylist_pdf

        path, _ = QFileDialog.getSaveFileName(self, "Day list as PDF",
                                              f"daylist-{self.day}.pdf", "PDF (*.pdf)")
        if not path:
            return
        try:
            written = render_daylist_pdf(self.services, self.actor, self.day, Path(path))
        except (SurgDeskError, OSError) as exc:
            self.show_message(f"Export failed — {exc}")
            return
        self.show_message(f"Wrote {written}")

    # -- navigation and refresh -----------------------------------------------------------------

    def refresh(self) -> None:
        h = self.board.horizontalScrollBar().value()
        v = self.board.verticalScrollBar().value()
        zoom = self.board.grid.px_per_minute
        self.board.begin_load()
        try:
            window = self.controller.reload()
        except SurgDeskError as exc:
            self.board.configure_same()
            self.show_message(f"Could not refresh the board — {exc}")
            return
        if window is None:
            self.board.configure_same()
            return
        self.board.configure(tz=window.tz, start=window.visible_start, end=window.visible_end,
                             mode=self.mode, snap_minutes=window.snap_minutes,
                             day_start=window.day_start, day_end=window.day_end,
                             px_per_minute=zoom)
        self.board.horizontalScrollBar().setValue(h)
        self.board.verticalScrollBar().setValue(v)

    def go_today(self) -> None:
        self.open_day(self.services.clock.now().astimezone(self._zone()).date())

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

    def _end_session(self) -> None:
        if self.token is not None:
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
        self._end_session()
        self.adopt_login(dialog.result_login)
        return True

    def sign_out(self) -> bool:
        """End the session; the login dialog comes back, and cancelling it quits."""
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

    def try_unlock(self, password: str) -> bool:
        try:
            self.services.auth.verify_password(self.actor, password)
        except SurgDeskError as exc:
            text = str(exc)
            self.lock_overlay.error.setText(f"{text[:1].upper()}{text[1:]}.")
            return False
        self._unlock()
        return True

    def _unlock(self) -> None:
        self.locked = False
        self.lock_overlay.hide()
        for action in self._locked_actions:
            action.setEnabled(True)
        self._locked_actions = []
        stack = self.controller.undo_stack
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self.board.set_editable(self.controller.can_schedule)
        self.idle_watcher.start()

    def _switch_from_lock(self) -> None:
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
        self.idle_watcher.stop()  # removes its application-wide event filter
        for timer in self.timers():
            timer.stop()
        self.live.stop()
        self.controller.undo_stack.clear()
        if self.owns_services:
            self.services.close()

    @property
    def closed(self) -> bool:
        return self._closed
