"""Issue 7 item 5, shared desk PCs: "remember me" obeys the department setting (and this
PC's machine-wide config), and signing out removes the token from the keyring."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from surgdesk import app as app_module
from surgdesk import startup
from surgdesk.config import DepartmentConfig, SessionSection
from surgdesk.credentials import SERVICE, CredentialStore, database_key
from surgdesk.errors import DatabaseUnavailable, NotLoggedIn
from surgdesk.repository.connect import open_database
from surgdesk.services.registry import Services
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.main_window import MainWindow

from ..conftest import MemoryKeyring
from .conftest import DEMO_PASSWORD, open_window

FORBIDDEN_HERE = DepartmentConfig(session=SessionSection(remember_me="forbidden"))


@pytest.fixture
def services(demo_url: str) -> Iterator[Services]:
    opened = startup.open_services(demo_url)
    yield opened
    opened.close()


def forbid_in_department(services: Services) -> None:
    admin = services.auth.login("admin", DEMO_PASSWORD).actor
    services.settings.update(admin, remember_me_allowed=False)


def signs_in(username: str, *, tick_remember: bool) -> Callable[[LoginDialog], int]:
    """A user at the dialog; ticks "remember me" (even a disabled box, as a script could)."""
    def fill(dialog: LoginDialog) -> int:
        dialog.username.setText(username)
        dialog.password.setText(DEMO_PASSWORD)
        dialog.remember.setChecked(tick_remember)
        dialog.try_login()
        return int(dialog.result())

    return fill


def stored_sessions(keyring_backend: MemoryKeyring) -> list[str]:
    return [key for (service, key) in keyring_backend.store
            if service == SERVICE and key.startswith("session:")]


def test_the_department_forbids_remember_me_so_the_box_is_off_and_nothing_is_kept(
        qtbot: QtBot, services: Services, demo_url: str, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_in_department(services)
    dialog = LoginDialog(services, database_label="test.db")
    qtbot.addWidget(dialog)
    assert not dialog.remember.isEnabled()
    assert not dialog.remember.isChecked()
    assert "turned" in dialog.remember.toolTip()

    monkeypatch.setattr(LoginDialog, "exec", signs_in("scheduler1", tick_remember=True))
    result = app_module.sign_in(services, demo_url, CredentialStore())
    assert result is not None
    assert result.actor.username == "scheduler1"
    assert result.token is None
    assert stored_sessions(memory_keyring) == []


def test_this_pcs_config_forbids_remember_me_whatever_the_department_says(
        qtbot: QtBot, demo_url: str, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    services = Services.create(open_database(demo_url), machine=FORBIDDEN_HERE)
    try:
        assert services.settings.get(services.auth.login(
            "admin", DEMO_PASSWORD).actor).remember_me_allowed  # the department allows it
        dialog = LoginDialog(services, database_label="test.db")
        qtbot.addWidget(dialog)
        assert not dialog.remember.isEnabled()
        monkeypatch.setattr(LoginDialog, "exec", signs_in("scheduler1", tick_remember=True))
        result = app_module.sign_in(services, demo_url, CredentialStore())
        assert result is not None
        assert result.token is None
        assert stored_sessions(memory_keyring) == []
    finally:
        services.close()


def test_the_box_follows_this_pcs_config_when_the_department_cannot_be_read(
        qtbot: QtBot, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    services = Services.create(open_database(demo_url), machine=FORBIDDEN_HERE)
    try:
        def unreachable(_actor: object) -> None:
            raise DatabaseUnavailable("the database server cannot be reached")

        monkeypatch.setattr(services.settings, "session_policy", unreachable)
        dialog = LoginDialog(services, database_label="test.db")
        qtbot.addWidget(dialog)
        assert not dialog.remember.isEnabled()
    finally:
        services.close()


def test_allowed_remember_me_keeps_the_token_and_the_next_start_skips_the_dialog(
        qtbot: QtBot, services: Services, demo_url: str, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = LoginDialog(services, database_label="test.db")
    qtbot.addWidget(dialog)
    assert dialog.remember.isEnabled()
    assert not dialog.remember.isChecked()  # never ticked for the user
    monkeypatch.setattr(LoginDialog, "exec", signs_in("scheduler1", tick_remember=True))
    first = app_module.sign_in(services, demo_url, CredentialStore())
    assert first is not None
    assert first.token is not None
    assert stored_sessions(memory_keyring) == [f"session:{database_key(demo_url)}"]


def test_sign_out_removes_the_token_from_the_keyring_and_ends_it_on_the_server(
        qtbot: QtBot, demo_url: str, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window: MainWindow = open_window(qtbot, demo_url)
    login = window.services.auth.login("scheduler1", DEMO_PASSWORD, remember=True)
    window.adopt_login(login)
    assert login.token is not None
    assert stored_sessions(memory_keyring) == [f"session:{window.db_key}"]

    # Signed out; the next user (a nurse, not remembered) signs in at the same PC.
    monkeypatch.setattr(LoginDialog, "exec", signs_in("viewer", tick_remember=False))
    assert window.sign_out()
    assert window.actor.username == "viewer"
    assert stored_sessions(memory_keyring) == []
    assert window.runner.settle()  # the sign-out reached the database off the GUI thread
    with pytest.raises(NotLoggedIn):
        window.services.auth.resume(login.token)
    # Nothing to resume at the next start: the dialog comes.
    assert app_module.resume_session(window.services, demo_url, CredentialStore()) is None
    window.close()


def test_switch_user_replaces_the_remembered_token(
        qtbot: QtBot, demo_url: str, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window: MainWindow = open_window(qtbot, demo_url)
    first = window.services.auth.login("scheduler1", DEMO_PASSWORD, remember=True)
    window.adopt_login(first)
    monkeypatch.setattr(LoginDialog, "exec", signs_in("viewer", tick_remember=True))
    assert window.switch_user()
    stored = CredentialStore().load_session(window.db_key)
    assert stored is not None
    assert stored.username == "viewer"
    assert first.token is not None
    assert window.runner.settle()  # the sign-out reached the database off the GUI thread
    with pytest.raises(NotLoggedIn):
        window.services.auth.resume(first.token)
    window.close()


def test_a_token_remembered_before_the_department_forbade_it_is_not_resumed(
        services: Services, demo_url: str, memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    login = services.auth.login("scheduler1", DEMO_PASSWORD, remember=True)
    assert login.token is not None
    store.save_session(database_key(demo_url), "scheduler1", login.token, login.expires_at)
    forbid_in_department(services)
    assert app_module.resume_session(services, demo_url, store) is None
    assert stored_sessions(memory_keyring) == []
