"""Login dialog (right, wrong, locked, remembered), sign out / switch user, window lifecycle."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from surgdesk import app as app_module
from surgdesk import startup
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.errors import AuthenticationFailed
from surgdesk.services.registry import Services
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.main_window import MainWindow

from .conftest import DEMO_PASSWORD, open_window


@pytest.fixture
def services(demo_url: str) -> Iterator[Services]:
    opened = startup.open_services(demo_url)
    yield opened
    opened.close()


def fill(qtbot: QtBot, dialog: LoginDialog, username: str, password: str, *,
         remember: bool = False) -> None:
    dialog.username.setText(username)
    dialog.password.setText(password)
    dialog.remember.setChecked(remember)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


def test_right_password_signs_in(qtbot: QtBot, services: Services) -> None:
    dialog = LoginDialog(services, database_label="test.db")
    qtbot.addWidget(dialog)
    fill(qtbot, dialog, "scheduler1", DEMO_PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_login is not None
    assert dialog.result_login.actor.username == "scheduler1"
    assert dialog.result_login.token is None  # not remembered


def test_wrong_password_says_so_plainly(qtbot: QtBot, services: Services) -> None:
    dialog = LoginDialog(services, database_label="test.db")
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, "scheduler1", "not the password")
    assert dialog.result_login is None
    assert dialog.error.isVisible()
    assert dialog.error.text() == "Wrong username or password."
    assert dialog.password.text() == ""


def test_five_wrong_passwords_lock_the_account(qtbot: QtBot, services: Services) -> None:
    dialog = LoginDialog(services, database_label="test.db")
    qtbot.addWidget(dialog)
    dialog.show()
    for _ in range(5):
        fill(qtbot, dialog, "scheduler1", "not the password")
    assert "locked" in dialog.error.text().lower()
    fill(qtbot, dialog, "scheduler1", DEMO_PASSWORD)  # even the right password now
    assert dialog.result_login is None
    assert "locked" in dialog.error.text().lower()


def test_remembered_login_skips_the_dialog_next_time(
        qtbot: QtBot, services: Services, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CredentialStore()

    def sign_in_with_dialog(dialog: LoginDialog) -> int:
        fill(qtbot, dialog, "scheduler1", DEMO_PASSWORD, remember=True)
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", sign_in_with_dialog)
    first = app_module.sign_in(services, demo_url, store)
    assert first is not None
    assert first.token is not None
    stored = store.load_session(database_key(demo_url))
    assert stored is not None
    assert stored.token == first.token

    def no_dialog(_dialog: LoginDialog) -> int:
        raise AssertionError("the dialog must not show while the session is remembered")

    monkeypatch.setattr(LoginDialog, "exec", no_dialog)
    again = app_module.sign_in(services, demo_url, store)
    assert again is not None
    assert again.actor.username == "scheduler1"


def test_create_main_window_refuses_a_wrong_password(qtbot: QtBot, demo_url: str) -> None:
    with pytest.raises(AuthenticationFailed):
        app_module.create_main_window(demo_url, username="scheduler1", password="nope")


def test_status_bar_shows_user_role_and_database(board_window: MainWindow,
                                                 demo_url: str) -> None:
    assert "scheduler1" in board_window.user_label.text()
    assert "scheduler" in board_window.user_label.text()
    assert board_window.db_label.text().endswith("demo.db")


def test_switch_user_reloads_as_the_new_role(qtbot: QtBot, board_window: MainWindow,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def as_viewer(dialog: LoginDialog) -> int:
        fill(qtbot, dialog, "viewer", DEMO_PASSWORD)
        return int(dialog.result())

    monkeypatch.setattr(LoginDialog, "exec", as_viewer)
    assert board_window.switch_user()
    assert board_window.runner.settle()  # the board is read again off the GUI thread
    assert board_window.actor.username == "viewer"
    assert not board_window.board.editable
    cases = board_window.controller.model.cases()
    assert cases
    assert all(c.patient_name is None for c in cases)


def test_sign_out_forgets_the_session_and_cancel_closes(
        qtbot: QtBot, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_url)
    store = window.store
    login = window.services.auth.login("scheduler1", DEMO_PASSWORD, remember=True)
    window.adopt_login(login)
    assert store.load_session(window.db_key) is not None
    monkeypatch.setattr(LoginDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected))
    assert not window.sign_out()
    assert store.load_session(window.db_key) is None
    assert window.controller.model.cases() == []
    assert window.closed


def test_closing_stops_timers_and_disposes_the_engine(
        qtbot: QtBot, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_url)
    closed: list[Services] = []
    original = Services.close
    monkeypatch.setattr(Services, "close", lambda self: (closed.append(self), original(self)))
    assert all(t.isActive() for t in window.timers())
    window.close()
    assert window.closed
    assert not any(t.isActive() for t in window.timers())
    assert closed == [window.services]


def test_run_gui_signs_in_then_shows_the_board(
        qtbot: QtBot, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QApplication

    def sign_in_with_dialog(dialog: LoginDialog) -> int:
        fill(qtbot, dialog, "scheduler1", DEMO_PASSWORD, remember=True)
        return int(dialog.result())

    seen: list[MainWindow] = []

    def fake_exec(_self: object = None) -> int:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(windows)
        for window in windows:
            window.close()
        return 0

    monkeypatch.setattr(LoginDialog, "exec", sign_in_with_dialog)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert app_module.run_gui(demo_url) == 0
    assert len(seen) == 1
    assert seen[0].actor.username == "scheduler1"
    assert seen[0].closed
    # Remembered: the next start resumes without the dialog.
    assert CredentialStore().load_session(database_key(demo_url)) is not None


def test_run_gui_cancelled_login_exits_cleanly(demo_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LoginDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected))
    assert app_module.run_gui(demo_url) == 0


def test_idle_lock_hides_the_board_until_the_password(qtbot: QtBot,
                                                      board_window: MainWindow) -> None:
    watcher = board_window.idle_watcher
    watcher.timer.setInterval(50)
    watcher.start()
    qtbot.waitUntil(lambda: board_window.locked, timeout=10_000)
    overlay = board_window.lock_overlay
    assert overlay.isVisible()
    assert overlay.geometry() == board_window.rect()
    assert not board_window.board.editable
    assert not board_window.undo_action.isEnabled()
    assert not board_window.findChild(QAction, "weekView").isEnabled()  # type: ignore[union-attr]

    assert not board_window.try_unlock("not the password")
    assert "wrong" in overlay.error.text().lower()
    assert board_window.locked

    overlay.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(overlay.findChild(QPushButton, "idleLockUnlock"),  # type: ignore[arg-type]
                     Qt.MouseButton.LeftButton)
    assert not board_window.locked
    assert not overlay.isVisible()
    assert board_window.board.editable
    assert board_window.findChild(QAction, "weekView").isEnabled()  # type: ignore[union-attr]


def test_a_wall_display_never_locks(qtbot: QtBot, demo_url: str) -> None:
    from surgdesk.services.context import Actor

    window = open_window(qtbot, demo_url, username="viewer")
    device = Actor(user_id=window.actor.user_id, username="wall", role=window.actor.role,
                   display_name="Wall", is_device=True)
    window.actor = device
    window.lock_screen()
    assert not window.locked
    window.close()


def test_request_access_button_creates_a_pending_request(sqlite_url: str, qtbot: QtBot,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The login dialog's "Request access" opens the request form; what it files shows up
    for the admin as a pending request, and the username comes back to the login form."""
    from surgdesk.repository.connect import open_database
    from surgdesk.services.context import ANONYMOUS
    from surgdesk.ui.manage import users as users_ui

    services = Services.create(open_database(sqlite_url))
    admin = services.users.add_user(ANONYMOUS, username="boss", role="admin",
                                    display_name="Boss", email="boss@or.hospital.local",
                                    password="correct-horse-battery")
    dialog = LoginDialog(services, database_label="test")
    qtbot.addWidget(dialog)

    def fill_and_accept(self: users_ui.AccessRequestDialog) -> int:
        self.username.setText("new.nurse")
        self.display_name.setText("New Nurse")
        self.email.setText("new.nurse@or.hospital.local")
        self.password.setText("a-long-password-1")
        self.repeat.setText("a-long-password-1")
        self.buttons.accepted.emit()
        return int(QDialog.DialogCode.Accepted) if self.requested else 0

    monkeypatch.setattr(users_ui.AccessRequestDialog, "exec", fill_and_accept)
    dialog.request_access.click()
    assert dialog.username.text() == "new.nurse"
    actor = services.auth.login("boss", "correct-horse-battery").actor
    assert admin.username == "boss"
    assert [u.username for u in services.users.pending_requests(actor)] == ["new.nurse"]
    services.close()


def test_help_about_names_the_version_and_the_app_has_its_icon(
    qtbot: QtBot, board_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from surgdesk import __version__

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about",
                        lambda _parent, _title, text: shown.append(text))
    about = board_window.findChild(QAction, "about")
    assert about is not None
    about.trigger()
    assert shown
    assert __version__ in shown[0]
    assert not QApplication.windowIcon().isNull()
