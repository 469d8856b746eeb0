"""The idle lock during a database outage: the user who signed in (or unlocked) in this
program can still unlock on this PC — the prompt says so — and gets the read-only downtime
board; a wrong password keeps the screen locked; without a password checked in this program
the prompt says plainly that it cannot be checked until the database is back. The outage is
the window's own report (SQLite, quick), as in test_main_window_offline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from surgdesk.errors import DatabaseUnavailable
from surgdesk.services.auth import MAX_FAILED_LOGINS
from surgdesk.ui.live import LiveState
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.main_window import MainWindow
from surgdesk.ui.mainwindow.actions import NEEDS_DATABASE

from .conftest import DEMO_PASSWORD, open_window

WRONG = "not the password at all"


@pytest.fixture
def window(qtbot: QtBot, demo_url: str) -> Iterator[MainWindow]:
    opened = open_window(qtbot, demo_url)  # signed in with the password in this program
    # No reconnect by itself here: "Retry now" brings the database back.
    opened.live.backoff_s = (3600.0,)
    yield opened
    opened.close()


class _Unreachable:
    """A unit of work whose database cannot be reached."""

    def __enter__(self) -> None:
        raise DatabaseUnavailable("the database cannot be reached (test)")

    def __exit__(self, *_exc: object) -> None:
        return None


def _database_gone_for_auth(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(window.services.auth, "uow", lambda **_k: _Unreachable())


def _unlock_with(qtbot: QtBot, window: MainWindow, password: str) -> None:
    overlay = window.lock_overlay
    qtbot.keyClicks(overlay.password, password)
    qtbot.keyClick(overlay.password, Qt.Key.Key_Return)


def _action(window: MainWindow, name: str) -> QAction:
    action = window.findChild(QAction, name)
    assert action is not None, name
    return action


def _assert_read_only(window: MainWindow) -> None:
    assert window.offline
    assert not window.board.editable
    assert not window.queue_dock.list.dragEnabled()
    assert not window.new_case_action.isEnabled()
    for name in NEEDS_DATABASE:
        assert not _action(window, name).isEnabled(), name
    for name in ("zoomIn", "zoomOut", "printDaylist", "exportDaylist"):
        assert _action(window, name).isEnabled(), name


def test_unlocking_during_an_outage_checks_the_password_on_this_pc_and_stays_read_only(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.report_unreachable("test: the database cannot be reached")
    window.lock_screen()
    overlay = window.lock_overlay
    assert overlay.note.isVisible()
    assert "your password is checked on this PC" in overlay.note.text()
    assert "unreachable" in overlay.note.text()
    assert not overlay.switch.isEnabled()  # signing in as someone else needs the database
    # The window knows the database is down: the check does not wait for it.
    monkeypatch.setattr(window.services.auth, "uow",
                        lambda **_k: pytest.fail("the database was asked during the outage"))

    _unlock_with(qtbot, window, DEMO_PASSWORD)

    assert not window.locked
    assert not overlay.isVisible()
    assert "the database is unreachable; your password was checked on this PC" \
        in window.last_message
    _assert_read_only(window)


def test_a_wrong_password_during_an_outage_keeps_the_screen_locked(
        qtbot: QtBot, window: MainWindow) -> None:
    window.report_unreachable("test")
    window.lock_screen()
    overlay = window.lock_overlay
    _unlock_with(qtbot, window, WRONG)
    assert window.locked
    assert overlay.isVisible()
    assert overlay.error.text() == "Wrong username or password."
    for _ in range(MAX_FAILED_LOGINS - 1):
        _unlock_with(qtbot, window, WRONG)
    assert "Too many wrong passwords on this PC" in overlay.error.text()
    _unlock_with(qtbot, window, DEMO_PASSWORD)  # refused until the database is back
    assert window.locked
    assert "wait for the database" in overlay.error.text()


def test_without_a_password_checked_in_this_program_the_lock_says_it_cannot_be_checked(
        qtbot: QtBot, window: MainWindow) -> None:
    # As after a start that resumed the session from the keyring: no password typed.
    window.services.auth.forget_password(window.actor)
    window.report_unreachable("test")
    window.lock_screen()
    overlay = window.lock_overlay
    assert "your password cannot be checked until it is back" in overlay.note.text()
    _unlock_with(qtbot, window, DEMO_PASSWORD)
    assert window.locked
    assert "cannot be checked until it is back" in overlay.error.text()
    assert "switch" not in overlay.error.text().lower()
    window.lock_overlay.switch_requested.emit()  # not offered; the signal is refused too
    assert window.locked
    assert "Switching user needs the database" in overlay.error.text()


def test_an_outage_while_locked_updates_the_prompt_and_its_end_clears_it(
        qtbot: QtBot, window: MainWindow) -> None:
    window.lock_screen()
    overlay = window.lock_overlay
    assert not overlay.note.isVisible()
    assert overlay.switch.isEnabled()
    window.report_unreachable("test")
    assert "checked on this PC" in overlay.note.text()
    assert not overlay.switch.isEnabled()
    with qtbot.waitSignal(window.live.restored, timeout=10_000):
        window.live.retry_now()
    assert window.locked
    assert not overlay.note.isVisible()
    assert overlay.switch.isEnabled()
    _unlock_with(qtbot, window, DEMO_PASSWORD)  # checked by the database again
    assert not window.locked
    assert "checked on this PC" not in window.last_message
    assert window.board.editable


def test_an_unlock_that_finds_the_database_gone_starts_the_outage(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.live.state is LiveState.LIVE
    window.lock_screen()
    _database_gone_for_auth(window, monkeypatch)
    _unlock_with(qtbot, window, DEMO_PASSWORD)
    assert not window.locked
    assert window.live.state is LiveState.LOST
    assert "checked on this PC" in window.last_message
    _assert_read_only(window)


def test_a_wrong_unlock_that_finds_the_database_gone_starts_the_outage_and_stays_locked(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.lock_screen()
    _database_gone_for_auth(window, monkeypatch)
    _unlock_with(qtbot, window, WRONG)
    assert window.locked
    assert window.offline
    assert window.live.last_reason == "the database cannot be reached (test)"
    assert "checked on this PC" in window.lock_overlay.note.text()


def test_signing_out_forgets_the_password_kept_for_outages(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    actor = window.actor
    auth = window.services.auth
    assert auth.can_check_on_this_pc(actor)
    monkeypatch.setattr(LoginDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected))
    assert not window.sign_out()
    assert not auth.can_check_on_this_pc(actor)


def test_switching_user_to_oneself_keeps_the_password_checkable_on_this_pc(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    me = window.actor.username

    def sign_in_again(dialog: LoginDialog) -> int:
        dialog.username.setText(me)
        dialog.password.setText(DEMO_PASSWORD)
        return int(QDialog.DialogCode.Accepted) if dialog.try_login() \
            else int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(LoginDialog, "exec", sign_in_again)
    assert window.switch_user()
    assert window.actor.username == me
    assert window.services.auth.can_check_on_this_pc(window.actor)
