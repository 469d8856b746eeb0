"""Who is signed in at the main window: sign-in, switch user, sign-out, the idle lock and
switching database.

A shared PC passes from one person to the next: whatever the leaving person had open
(forms, dialogs, those the idle lock hid included), their remembered session, the saves
still waiting to be retried in their name and the password kept for unlocking during an
outage all go with them. The window keeps ``actor`` and ``token``; this part changes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDockWidget, QMessageBox, QWidget

from surgdesk.config import DEFAULT_IDLE_LOCK_MINUTES
from surgdesk.credentials import database_key
from surgdesk.errors import DatabaseUnavailable, SurgDeskError
from surgdesk.services.auth import LoginResult, PasswordCheck
from surgdesk.services.context import Actor
from surgdesk.startup import describe
from surgdesk.ui.idle_lock import IdleWatcher, LockOverlay
from surgdesk.ui.login import LoginDialog

if TYPE_CHECKING:
    from surgdesk.ui.connection import ConnectionDialog
    from surgdesk.ui.main_window import MainWindow


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}"


class UserSession(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.locked = False
        self._locked_actions: list[QAction] = []
        self.lock_overlay = LockOverlay(window)
        self.lock_overlay.unlock_requested.connect(self.try_unlock)
        self.lock_overlay.switch_requested.connect(self.switch_from_lock)
        # The department's idle time is read when the actor is applied (``apply_actor``,
        # straight after the window's parts are built): one read, not two.
        self.idle_watcher = IdleWatcher(DEFAULT_IDLE_LOCK_MINUTES, window)
        self.idle_watcher.idle.connect(self.lock_screen)
        # An outage that begins or ends while the screen is locked changes what the
        # prompt can promise (the live-board session's state is up to date by then).
        window.session.offline_changed.connect(lambda _offline: self.show_lock_outage())

    def apply_actor(self) -> None:
        """The department's idle time for this actor; a wall display never locks."""
        w = self.window
        if w.actor.is_device:
            self.idle_watcher.stop()
            return
        self.idle_watcher.set_minutes(
            w.services.settings.session_policy(w.actor).idle_lock_minutes)
        self.idle_watcher.start()

    # -- who is signed in -------------------------------------------------------------------

    def login_dialog(self) -> LoginDialog:
        w = self.window
        return LoginDialog(w.services, database_label=describe(w.database_url),
                           username=w.actor.username, parent=w)

    def adopt_login(self, result: LoginResult) -> None:
        """Take over a new login: keep its token if remembered, reload as that user."""
        w = self.window
        w.docks.save_layout()  # the leaving user's docks, as they left them
        w.actor = result.actor
        w.token = result.token
        if result.token is not None:
            w.store.save_session(w.db_key, result.actor.username, result.token,
                                 result.expires_at)
        else:
            w.store.clear_session(w.db_key)
        w.session.set_actor(result.actor)
        w.apply_actor()
        w.docks.restore_layout(geometry=False)
        w.load()
        w.show_message(f"Signed in as {result.actor.display_name}")

    def end_session(self, *, next_actor: Actor | None = None) -> None:
        w = self.window
        # The leaving user's password, kept in memory for unlocking during an outage,
        # must not open the next session's lock (unless the next user is the same one,
        # whose sign-in just kept it afresh).
        if next_actor is None or next_actor.user_id != w.actor.user_id:
            w.services.auth.forget_password(w.actor)
        pending = w.controller.pending
        waiting = pending.descriptions()
        if waiting:
            # Their retries would write as the user who is leaving: they are dropped, and
            # whether the database got them is unknown — say so.
            pending.clear()
            w.show_message(f"Not confirmed, and no longer retried: {'; '.join(waiting)} — "
                           "check the board once the database is back")
        if w.token is not None and w.offline:
            # The server cannot be told now (a call would wait for the deadline); the
            # session ends there when its token expires.
            w.show_message("Signed out on this PC; the database is unreachable, so the "
                           "session ends there when it expires")
        elif w.token is not None:
            # Off the GUI thread, like every call: the next person's sign-in does not
            # wait for it (the runner keeps the order, so it reaches the database first).
            token, auth = w.token, w.services.auth
            w.runner.run(lambda: auth.logout(token), what="end the session on the database",
                         failed=lambda exc: w.show_message(
                             f"Sign-out could not reach the database — {exc}"))
        w.token = None
        w.store.clear_session(w.db_key)

    def switch_user(self) -> bool:
        dialog = self.login_dialog()
        dialog.username.clear()
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_login is None:
            return False
        self.close_user_windows()
        self.end_session(next_actor=dialog.result_login.actor)
        self.adopt_login(dialog.result_login)
        return True

    def close_user_windows(self) -> None:
        """The leaving user's forms and dialogs go with them (including those the idle lock
        hid): the next person must not find the first one's open case."""
        w = self.window
        self.lock_overlay.discard_covered()
        for widget in w.findChildren(QWidget):
            # Docks stay (the queue is the board's; side docks are rebuilt per user).
            if widget.isWindow() and widget.isVisible() and widget is not w.wall \
                    and not isinstance(widget, QDockWidget):
                widget.close()

    def sign_out(self) -> bool:
        """End the session; the login dialog comes back, and cancelling it quits."""
        w = self.window
        self.close_user_windows()
        self.end_session()
        controller = w.controller
        controller.model.load_empty()
        controller.queue.load([])
        controller.window = None  # nothing loaded: live changes are not applied either
        w.hide()
        dialog = self.login_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result_login is not None:
            self.adopt_login(dialog.result_login)
            w.show()
            return True
        w.close()
        return False

    # -- the idle lock ----------------------------------------------------------------------

    def lock_screen(self) -> None:
        """Hide everything behind the password prompt (after the department's idle time)."""
        w = self.window
        if self.locked or w.actor.is_device or w.closed:
            return
        self.locked = True
        w.board.set_editable(False)
        self._locked_actions = [a for a in w.findChildren(QAction) if a.isEnabled()]
        for action in self._locked_actions:
            action.setEnabled(False)
        self.lock_overlay.lock(w.actor.display_name)
        self.show_lock_outage()

    def show_lock_outage(self) -> None:
        """While locked during an outage, the prompt says plainly whether the password
        can be checked (on this PC) or not until the database is back; switching user
        is not offered then (signing in needs the database)."""
        if not self.locked:
            return
        w = self.window
        overlay = self.lock_overlay
        if not w.offline:
            overlay.show_note("")
            overlay.allow_switch(True)
            return
        reason = w.session.offline_reason()
        if w.services.auth.can_check_on_this_pc(w.actor):
            overlay.show_note(f"{_sentence(reason)}: your password is checked on this PC, "
                              "and the board stays read-only until the database is back.")
        else:
            overlay.show_note(f"{_sentence(reason)}: your password cannot be checked until "
                              "it is back.")
        overlay.allow_switch(False, f"Not available: {reason} (signing in needs the database)")

    def try_unlock(self, password: str) -> bool:
        w = self.window
        known_down = w.offline  # then the database is not asked (it could hold us ~15 s)
        try:
            check = w.services.auth.verify_password(w.actor, password,
                                                    database_down=known_down)
        except SurgDeskError as exc:
            # The service names the outage it found as the cause of its refusal (or, for
            # "cannot be checked", of its own DatabaseUnavailable).
            outage = exc if isinstance(exc, DatabaseUnavailable) else exc.__cause__
            if isinstance(outage, DatabaseUnavailable) and not known_down:
                if isinstance(outage.__cause__, DatabaseUnavailable):
                    outage = outage.__cause__
                # This check was the first to find the database gone: the outage begins.
                w.report_unreachable(str(outage))
            self.show_lock_outage()
            self.lock_overlay.error.setText(f"{_sentence(str(exc))}.")
            return False
        if check is PasswordCheck.THIS_PC and not known_down:
            w.report_unreachable("the password check could not reach the database")
        self.unlock()
        if check is PasswordCheck.THIS_PC:
            w.show_message("Unlocked — the database is unreachable; your password was "
                           "checked on this PC (read-only until it is back)")
        return True

    def unlock(self) -> None:
        self.locked = False
        self.lock_overlay.hide()
        for action in self._locked_actions:
            action.setEnabled(True)
        self._locked_actions = []
        self.window.menus.update()  # the role's rights, less what downtime takes away
        self.idle_watcher.start()

    def switch_from_lock(self) -> None:
        w = self.window
        if w.offline:
            # The button is off meanwhile; the signal may still come (keyboard, tests).
            self.lock_overlay.error.setText(
                f"Switching user needs the database — {w.session.offline_reason()}.")
            return
        if self.switch_user():
            self.unlock()
            w.apply_actor()

    def fit_overlay(self) -> None:
        """The window was resized: the lock keeps covering all of it."""
        if self.lock_overlay.isVisible():
            self.lock_overlay.setGeometry(self.window.rect())

    # -- another database -------------------------------------------------------------------

    def confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self.window, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def connection_dialog(self) -> ConnectionDialog:
        from surgdesk.ui.connection import ConnectionDialog

        w = self.window
        return ConnectionDialog(w.database_url, w, store=w.store)

    def choose_database(self) -> str | None:
        """File > Database…: the connection settings on the current database; another one,
        once confirmed, signs out here and emits ``switch_database`` (None otherwise)."""
        w = self.window
        dialog = self.connection_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        chosen = dialog.chosen_url
        if not chosen:
            return None
        if database_key(chosen) == w.db_key:
            w.show_message(f"Still connected to {describe(chosen)}")
            return None
        if not w.confirm("Connect to another database",
                         f"Sign out and connect to {describe(chosen)}?\n\nThis window "
                         "closes; you sign in again on that database."):
            # The dialog saved the choice and the password already: put both back.
            dialog.revert()
            w.show_message("Database not changed")
            return None
        self.end_session()
        w.switch_database.emit(chosen)
        return chosen
