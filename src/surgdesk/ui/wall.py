"""The wall display: today's board, full screen on the OR suite's wall, signed in as a device.

- The window reads everything as the *device* actor (a viewer): every case summary it
  receives has the patient masked, so no name or id ever reaches its model.
- A clock, the status legend, the now-line kept in view, and the day rolling over at
  midnight by itself: one ``QTimer`` calls ``tick()``, which asks the injectable clock the
  time (tests move a ``FakeClock`` and call ``tick()`` themselves).
- No menus, toolbars, docks or idle lock: a wall is not a desk.
- A scheduler unlocks editing for a few minutes with their own password
  (``services.auth.unlock_editing``); meanwhile drags are written as that scheduler, so the
  audit names them, and each written case is read back as the device (masked) before it
  enters the model. Then it locks again by itself.
- When the database cannot be reached (a restart, a network cut) a large banner says so
  and since when; the board stays as it was, editing pauses, and the live feed reconnects
  by itself. Once it is back the changes made meanwhile arrive, a day that could not be
  loaded (midnight passed during the outage) is loaded, and the banner goes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from surgdesk.config import DepartmentConfig
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.errors import SurgDeskError
from surgdesk.services.auth import LoginResult
from surgdesk.services.changes import Change
from surgdesk.services.context import Actor, Clock
from surgdesk.services.dto import CaseRights, CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.banner import ConnectionBanner
from surgdesk.ui.board.calls import Runner
from surgdesk.ui.board.controller import BoardController, BoardWindow, RemoteUpdate
from surgdesk.ui.board.session import Frame, LiveBoardSession
from surgdesk.ui.board.view import BoardMode
from surgdesk.ui.runner import ServiceRunner
from surgdesk.ui.wall_theme import CLOCK_PX, DATE_PX, LEGEND_PX, WallTheme, wall_font, wall_theme
from surgdesk.ui.wall_view import WallBoardView, WallLegend

log = logging.getLogger(__name__)

UNLOCK_MINUTES = 5
TICK_MS = 1000


# -- the controller: reads as the device, writes as the unlocking scheduler -------------------

class WallController(BoardController):
    """The board controller of the wall. ``actor`` stays the device (every read masked);
    ``editor`` is the scheduler who unlocked editing, or None while locked. Every write —
    a drop, an undo, a redo, back to the queue as requested or postponed — acts as the
    editor (``write_actor``), so the audit names the scheduler, never the device."""

    def __init__(self, services: Services, device: Actor, parent: QWidget | None = None, *,
                 runner: Runner | None = None) -> None:
        super().__init__(services, device, parent, runner=runner)
        self.editor: Actor | None = None

    def write_actor(self) -> Actor | None:
        if self.editor is None:
            self.message.emit("Editing is locked — tap “Unlock editing” first")
        return self.editor

    def result_case(self, case: CaseSummary) -> CaseSummary:
        """The case as the device sees it: the scheduler's result carries the patient
        (read again as the device, on the worker thread, before it reaches the model)."""
        fresh = self.services.cases.summaries_by_ids(self.actor, [case.id])
        if fresh:
            return fresh[0]
        return case.model_copy(update={"patient_masked": True, "patient_name": None,
                                       "patient_id": None, "patient_dob": None})

    masked = result_case


# -- dialogs -------------------------------------------------------------------------------------

class _CredentialsDialog(QDialog):
    """Username and password in large type (gloved fingers, a touch keyboard)."""

    def __init__(self, title: str, intro: str, submit: str, object_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.setStyleSheet(f"QWidget {{ font-size: {LEGEND_PX}px; }}")
        self.username = QLineEdit()
        self.username.setObjectName(f"{object_name}Username")
        self.password = QLineEdit()
        self.password.setObjectName(f"{object_name}Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName(f"{object_name}Error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #8b0000; font-weight: bold;")
        # A refusal appears in room kept for it (two lines): the fields and buttons do
        # not move, and the dialog does not grow under the finger about to retry.
        keep = self.error.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        keep.setVerticalPolicy(QSizePolicy.Policy.Fixed)
        self.error.setSizePolicy(keep)
        self.error.setFixedHeight(2 * (LEGEND_PX + 8))
        self.error.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.submit = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.submit.setText(submit)
        self.submit.setObjectName(f"{object_name}Submit")
        self.buttons.accepted.connect(self.try_submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.username.setFocus()

    def try_submit(self) -> bool:
        username = self.username.text().strip()
        if not username or not self.password.text():
            self.fail("Enter a username and a password.")
            return False
        try:
            self.submit_credentials(username, self.password.text())
        except SurgDeskError as exc:
            text = str(exc)
            self.fail(f"Refused — {text[:1].upper()}{text[1:]}.")
            return False
        self.password.clear()
        self.accept()
        return True

    def submit_credentials(self, username: str, password: str) -> None:
        raise NotImplementedError

    def fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.password.clear()
        self.password.setFocus()


class UnlockDialog(_CredentialsDialog):
    """A scheduler's own username and password unlock editing on the wall."""

    def __init__(self, window: WallWindow) -> None:
        super().__init__(
            "Unlock editing — SurgDesk wall",
            f"A scheduler unlocks editing for {window.unlock_minutes} minutes with their own "
            "password. Every change is recorded under their name.",
            "Unlock", "wallUnlock", window)
        self.window_ = window

    def try_submit(self) -> bool:
        """Check the password off the GUI thread (a slow hash and a database read): the
        wall keeps ticking; the dialog closes once editing is unlocked, or says why not."""
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self.fail("Enter a username and a password.")
            return False
        window = self.window_
        services, device = window.services, window.actor
        self.submit.setEnabled(False)

        def unlocked(editor: Actor) -> None:
            self.submit.setEnabled(True)
            if not self.isVisible():
                return  # cancelled meanwhile: the wall stays locked
            self.password.clear()
            window.take_editor(editor)
            self.accept()

        def refused(exc: SurgDeskError) -> None:
            self.submit.setEnabled(True)
            text = str(exc)
            self.fail(f"Refused — {text[:1].upper()}{text[1:]}.")

        window.runner.run(lambda: services.auth.unlock_editing(device, username, password),
                          done=unlocked, failed=refused, what="check the scheduler's password")
        return True

    def submit_credentials(self, username: str, password: str) -> None:
        self.window_.unlock(username, password)


class DeviceLoginDialog(_CredentialsDialog):
    """First start of a wall: the device account (set up by an administrator)."""

    def __init__(self, services: Services, *, database_label: str) -> None:
        super().__init__(
            "Wall display — SurgDesk",
            "Sign this display in with its <b>device account</b> (not a person's). It stays "
            f"signed in; patients are never shown.<br>Database: {database_label}",
            "Sign in", "wallDeviceLogin")
        self.services = services
        self.result_login: LoginResult | None = None

    def submit_credentials(self, username: str, password: str) -> None:
        self.result_login = self.services.auth.login_device(username, password)


def wall_session_key(database_url: str) -> str:
    """The wall's keyring entry: apart from a person's session on the same PC."""
    return f"wall:{database_key(database_url)}"


def resume_device_session(services: Services, database_url: str,
                          store: CredentialStore) -> LoginResult | None:
    key = wall_session_key(database_url)
    stored = store.load_session(key)
    if stored is None:
        return None
    try:
        actor = services.auth.resume(stored.token)
    except SurgDeskError as exc:
        log.info("remembered wall session not usable: %s", exc)
        store.clear_session(key)
        return None
    if not actor.is_device:
        store.clear_session(key)
        return None
    return LoginResult(actor=actor, token=stored.token, expires_at=None)


def sign_in_device(services: Services, database_url: str, store: CredentialStore, *,
                   database_label: str) -> LoginResult | None:
    """The kept device session, or (first start) the device login dialog; None on cancel."""
    resumed = resume_device_session(services, database_url, store)
    if resumed is not None:
        return resumed
    dialog = DeviceLoginDialog(services, database_label=database_label)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_login is None:
        return None
    result = dialog.result_login
    if result.token is not None:
        store.save_session(wall_session_key(database_url), result.actor.username, result.token,
                           None)
    return result


# -- the window ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class UnlockState:
    editor: Actor
    until: datetime


class WallWindow(QWidget):
    """Today's board for the wall. Object name ``wallWindow``."""

    locked_changed = Signal(bool)  # True when editing locks again

    def __init__(self, services: Services, device_actor: Actor, *, clock: Clock,
                 config: DepartmentConfig | None = None, database_url: str | None = None,
                 unlock_minutes: int = UNLOCK_MINUTES, parent: QWidget | None = None,
                 runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        if not device_actor.is_device:
            raise ValueError("the wall display signs in as a device account")
        self.setObjectName("wallWindow")
        self.setWindowTitle("SurgDesk — wall display")
        # Its own runner unless given one: the wall's reads never wait behind a desk's.
        self.runner = runner or ServiceRunner(self)
        self.services = services
        self.actor = device_actor
        self.clock = clock
        self.config = config or DepartmentConfig()
        self.database_url = database_url
        self.unlock_minutes = unlock_minutes
        self.owns_services = False
        self.theme: WallTheme = wall_theme(self.config.wall.high_contrast)
        self.unlocked: UnlockState | None = None
        self.unlock_dialog: UnlockDialog | None = None
        self.last_message = ""
        self._closed = False

        self.controller = WallController(services, device_actor, self, runner=self.runner)
        self.board = WallBoardView(self.theme, self)
        self.board.status_message.connect(self.show_message)
        self._build_strip()
        self.legend = WallLegend(self.theme, self)
        self.banner = ConnectionBanner(self, large=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.strip)
        layout.addWidget(self.banner)
        layout.addWidget(self.board, 1)
        layout.addWidget(self.legend)
        self.setStyleSheet(f"QWidget#wallWindow {{ background: {self.theme.header_bg.name()}; }}")

        # Loading, other PCs' changes and the outage: the same session as the desk's.
        self.session = LiveBoardSession(services, device_actor, self.runner,
                                        database_url=database_url, clock=clock,
                                        board=self.board, banner=self.banner,
                                        frame=self._frame, controller=self.controller,
                                        quiet=True, parent=self)
        self.live = self.session.live
        # The wall reads as the device (which may move nothing); while unlocked, what may
        # be moved is what the services allow the scheduler who unlocked it.
        self.editor_rights: dict[str, CaseRights] = {}
        self.board.may_move = self._editor_may_move
        self.session.case_changed_elsewhere.connect(
            lambda _number, _version, _author: self._read_editor_rights())
        self.session.message.connect(self.show_message)
        self.session.loaded.connect(self._loaded)
        self.session.offline_changed.connect(self._offline_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        # A wall runs for weeks: one started while the database is down keeps trying and
        # loads the day once it answers (the session's stale flag).
        self.session.start()
        self.tick()
        self.timer.start()

    # -- layout -------------------------------------------------------------------------------

    def _build_strip(self) -> None:
        theme = self.theme
        self.strip = QFrame(self)
        self.strip.setObjectName("wallStrip")
        self.date_label = QLabel()
        self.date_label.setObjectName("wallDate")
        self.date_label.setFont(wall_font(DATE_PX, bold=True))
        self.clock_label = QLabel()
        self.clock_label.setObjectName("wallClock")
        self.clock_label.setFont(wall_font(CLOCK_PX, bold=True))
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.unlock_button = QPushButton("Unlock editing")
        self.unlock_button.setObjectName("wallUnlockButton")
        self.unlock_button.setFont(wall_font(LEGEND_PX, bold=True))
        self.unlock_button.setMinimumHeight(64)  # a gloved finger
        self.unlock_button.clicked.connect(self.request_unlock)
        self.unlock_status = QLabel()
        self.unlock_status.setObjectName("wallUnlockStatus")
        self.unlock_status.setFont(wall_font(LEGEND_PX, bold=True))
        self.unlock_status.hide()
        self.lock_button = QPushButton("Lock now")
        self.lock_button.setObjectName("wallLockButton")
        self.lock_button.setFont(wall_font(LEGEND_PX, bold=True))
        self.lock_button.setMinimumHeight(64)
        self.lock_button.clicked.connect(self.lock)
        self.lock_button.hide()
        # Which page of rooms is on the wall ("1 / 2"); hidden when all fit one page.
        self.page_label = QLabel()
        self.page_label.setObjectName("wallPage")
        self.page_label.setFont(wall_font(LEGEND_PX, bold=True))
        self.page_label.hide()
        self.message_label = QLabel()
        self.message_label.setObjectName("wallMessage")
        self.message_label.setFont(wall_font(LEGEND_PX - 4))
        # A long message is cut, never widens the wall beyond its screen.
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                         QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self.strip)
        row.setContentsMargins(20, 6, 24, 6)
        row.setSpacing(24)
        row.addWidget(self.date_label)
        row.addWidget(self.page_label)
        row.addWidget(self.message_label, 1)
        row.addWidget(self.unlock_status)
        row.addWidget(self.lock_button)
        row.addWidget(self.unlock_button)
        row.addWidget(self.clock_label)
        text = theme.header_text.name()
        self.strip.setStyleSheet(
            f"QFrame#wallStrip {{ background: {theme.header_bg.name()}; }}"
            f"QFrame#wallStrip QLabel {{ color: {text}; }}"
            f"QLabel#wallUnlockStatus {{ background: {theme.unlocked_bg.name()};"
            f" color: {theme.unlocked_text.name()}; padding: 8px 14px; }}"
            f"QPushButton {{ padding: 6px 22px; }}")

    # -- loading and the clock ---------------------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        """The department's zone (UTC until the first load has read it)."""
        return self.session.tz

    @property
    def day(self) -> date:
        """The day on the wall (the clock's date until the first load landed)."""
        window = self.controller.window
        return window.first_day if window is not None else self.clock.now().astimezone(
            self.tz).date()

    @property
    def offline(self) -> bool:
        """The database cannot be reached (the live feed is reconnecting)."""
        return self.session.offline

    @property
    def reload_needed(self) -> bool:
        """The board could not be (re)loaded or a remote change could not be read while
        the database was away: it is loaded again once it is back."""
        return self.session.stale

    def _frame(self) -> Frame:
        """Today and the configured following days; "today" is decided by the load
        itself until the department's zone is known."""
        window = self.controller.window
        today = self.clock.now().astimezone(self.tz).date() if window is not None else None
        return Frame(today, self.config.wall.days, BoardMode.DAY)

    def load(self) -> None:
        """Today (and the configured following days) from the services, as the device."""
        self.session.load()

    def _loaded(self, window: BoardWindow) -> None:
        self.date_label.setText(f"{window.first_day:%A %d %B %Y}")
        self._read_editor_rights()
        self.tick()

    def _editor_may_move(self, case: CaseSummary) -> bool:
        rights = self.editor_rights.get(case.case_number)
        return rights is not None and rights.move

    def _read_editor_rights(self) -> None:
        """Ask the services what the scheduler who unlocked may do with the cases on the
        wall (off the GUI thread); nothing while locked."""
        editor = self.controller.editor
        if editor is None:
            return
        numbers = [c.case_number for c in self.controller.model.cases()]
        cases = self.services.cases

        def take(rights: dict[str, CaseRights]) -> None:
            if self.controller.editor is editor:
                self.editor_rights = rights

        self.runner.run(lambda: cases.rights_for(editor, numbers), done=take,
                        what="read what the scheduler may change")

    def tick(self) -> None:
        """Once a second: the clock, the day (rolls over at midnight), the now-line and the
        unlock countdown. Everything from ``clock.now()``, nothing from the system time."""
        if self._closed:
            return
        now = self.clock.now()
        local = now.astimezone(self.tz)
        window = self.controller.window
        if window is not None and local.date() != window.first_day \
                and not self.controller.loading:
            self.load()
        self.clock_label.setText(f"{local:%H:%M}")
        self.board.update_now_line()
        self.board.keep_now_in_view()
        self.board.page_rooms(now)
        page = self.board.page_text()
        self.page_label.setText(f"Rooms {page}" if page else "")
        self.page_label.setVisible(bool(page))
        self._update_unlock(now)

    def show_message(self, text: str) -> None:
        self.last_message = text
        self.message_label.setText(text)

    # -- other PCs' changes and the connection (the session) -------------------------------------

    def apply_remote_changes(self, changes: tuple[Change, ...]) -> None:
        self.session.apply_remote_changes(changes)

    def apply_update(self, update: RemoteUpdate) -> None:
        """Take what other PCs changed into the board, in place; changed bars flash."""
        self.session.apply_update(update)

    def _offline_changed(self, offline: bool) -> None:
        """The database went away (editing paused: nothing could be saved) or came back
        (the session has loaded the day it should show and handed waiting saves over)."""
        if self._closed:
            return
        self.unlock_button.setEnabled(not offline)  # checking a password needs the database
        if self.unlocked is None:
            return
        self.board.set_editable(not offline)
        if offline:
            self.show_message("Editing paused until the database is back")
        else:
            self.show_message(f"Editing resumed ({self.unlocked.editor.display_name})")
        self._update_unlock(self.clock.now())

    # -- unlocking ------------------------------------------------------------------------------

    @property
    def is_unlocked(self) -> bool:
        return self.unlocked is not None

    def request_unlock(self) -> UnlockDialog:
        """Open the unlock dialog (not modal to the event loop: the clock keeps ticking)."""
        if self.unlock_dialog is None:
            self.unlock_dialog = UnlockDialog(self)
        self.unlock_dialog.error.hide()
        self.unlock_dialog.username.clear()
        self.unlock_dialog.password.clear()
        self.unlock_dialog.open()
        return self.unlock_dialog

    def unlock(self, username: str, password: str) -> Actor:
        """Check a scheduler's password; editing is theirs for ``unlock_minutes``.

        Raises the services' ``AuthenticationFailed`` / ``AccountLocked`` /
        ``PermissionDenied`` (not a scheduler) and leaves the wall locked. Checks on the
        calling thread (scripts, tests); the unlock dialog checks through the runner."""
        editor = self.services.auth.unlock_editing(self.actor, username, password)
        self.take_editor(editor)
        return editor

    def take_editor(self, editor: Actor) -> None:
        """Editing is ``editor``'s (a scheduler whose password was just checked) for
        ``unlock_minutes``."""
        until = self.clock.now() + timedelta(minutes=self.unlock_minutes)
        self.unlocked = UnlockState(editor, until)
        self.controller.editor = editor
        self.controller.undo_stack.clear()
        self.board.set_editable(not self.offline)
        self._read_editor_rights()
        self.show_message(f"Editing unlocked by {editor.display_name}")
        self._update_unlock(self.clock.now())
        self.locked_changed.emit(False)

    def lock(self) -> None:
        """Back to the device: no editing, whoever unlocked it."""
        was = self.unlocked
        self.unlocked = None
        self.controller.editor = None
        self.editor_rights = {}
        self.controller.undo_stack.clear()
        self.board.set_editable(False)
        self.unlock_status.hide()
        self.lock_button.hide()
        self.unlock_button.show()
        if was is not None:
            self.show_message(f"Editing locked again ({was.editor.display_name} is signed out)")
            self.locked_changed.emit(True)

    def remaining(self) -> timedelta | None:
        if self.unlocked is None:
            return None
        return max(timedelta(0), self.unlocked.until - self.clock.now())

    def _update_unlock(self, now: datetime) -> None:
        state = self.unlocked
        if state is None:
            return
        if now >= state.until:
            if self.board.dragged_case() is not None:
                self.board.cancel_drag()
            self.lock()
            return
        left = int((state.until - now).total_seconds())
        what = "Editing paused" if self.offline else "Editing"
        self.unlock_status.setText(
            f"{what}: {state.editor.display_name} — {left // 60}:{left % 60:02d} left")
        self.unlock_status.show()
        self.lock_button.show()
        self.unlock_button.hide()

    # -- the wall's screen ----------------------------------------------------------------------

    def target_screen(self) -> QScreen:
        """The configured monitor (``[wall] monitor``), or the primary one if absent."""
        screens = QGuiApplication.screens()
        index = self.config.wall.monitor
        if 0 <= index < len(screens):
            return screens[index]
        log.warning("wall monitor %d not found (%d screens); using the primary screen",
                    index, len(screens))
        primary = QGuiApplication.primaryScreen()
        assert primary is not None
        return primary

    def show_on_wall(self) -> None:
        screen = self.target_screen()
        self.setScreen(screen)
        self.setGeometry(screen.geometry())
        self.showFullScreen()

    # -- closing --------------------------------------------------------------------------------

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        self.session.shutdown()
        self.runner.shutdown()  # writes under way end before the services may go
        if self.owns_services:
            self.services.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
