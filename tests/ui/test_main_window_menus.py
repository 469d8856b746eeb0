"""File > Database… and View > Wall display… of the main window."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog
from pytestqt.qtbot import QtBot

from surgdesk import app as app_module
from surgdesk.app import create_main_window
from surgdesk.connection import ConnectionCheck
from surgdesk.credentials import database_key
from surgdesk.services.auth import LoginResult
from surgdesk.services.context import FakeClock
from surgdesk.services.registry import Services
from surgdesk.ui import connection as connection_module
from surgdesk.ui.connection import SETTINGS_KEY, ConnectionDialog, saved_url
from surgdesk.ui.live import LiveState
from surgdesk.ui.main_window import MainWindow
from surgdesk.ui.wall import DeviceLoginDialog, WallWindow, wall_session_key
from tests.conftest import MemoryKeyring

from .conftest import BOARD_DAY, DEMO_PASSWORD, open_window
from .test_connection_dialog import fill_shared
from .wall_helpers import MORNING, PASSWORD, WALL_DEMO_START, fill_wall_demo


def _trigger(window: MainWindow, name: str) -> None:
    action = window.findChild(QAction, name)
    assert action is not None, name
    assert action.isEnabled(), name
    action.trigger()


@pytest.fixture
def other_database(demo_url: str, tmp_path: Path) -> str:
    other = tmp_path / "other.db"
    shutil.copyfile(demo_url.removeprefix("sqlite:///"), other)
    return f"sqlite:///{other}"


def _choose_in_dialog(monkeypatch: pytest.MonkeyPatch, url: str | None,
                      opened: list[ConnectionDialog]) -> None:
    """The connection dialog picks ``url`` (and saves it, as its Save does); None: Cancel."""
    def fake_exec(dialog: ConnectionDialog) -> int:
        opened.append(dialog)
        if url is None:
            return int(QDialog.DialogCode.Rejected)
        dialog.chosen_url = url
        QSettings().setValue(SETTINGS_KEY, url)
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(ConnectionDialog, "exec", fake_exec)


# ---- File > Database… ---------------------------------------------------------------------


def test_choosing_another_database_asks_then_signs_out_and_emits_switch_database(
        qtbot: QtBot, demo_url: str, other_database: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_url)
    opened: list[ConnectionDialog] = []
    _choose_in_dialog(monkeypatch, other_database, opened)
    asked: list[str] = []
    window.confirm = lambda _title, question: asked.append(question) or True
    with qtbot.waitSignal(window.switch_database, timeout=10_000) as switched:
        _trigger(window, "connectionSettings")
    assert switched.args == [other_database]
    assert len(opened) == 1
    assert opened[0].local.isChecked()  # opened on the current database
    assert opened[0].path.text() == demo_url.removeprefix("sqlite:///")
    assert asked
    assert "Sign out and connect to" in asked[0]
    assert window.token is None
    assert saved_url() == other_database  # the next start opens it too
    window.close()


def test_declining_keeps_the_database_and_its_saved_choice(
        qtbot: QtBot, demo_url: str, other_database: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_url)
    _choose_in_dialog(monkeypatch, other_database, [])
    window.confirm = lambda _title, _question: False
    emitted: list[str] = []
    window.switch_database.connect(emitted.append)
    assert window.choose_database() is None
    assert emitted == []
    assert saved_url() is None  # as before the dialog
    assert "not changed" in window.last_message
    assert not window.closed
    window.close()


def test_declining_forgets_the_password_saved_for_the_other_database(
        qtbot: QtBot, demo_url: str, monkeypatch: pytest.MonkeyPatch,
        memory_keyring: MemoryKeyring) -> None:
    """The dialog's Save keeps the Postgres password in the keyring; declining the switch
    must take it out again (a password for a database not chosen stays nowhere)."""
    window = open_window(qtbot, demo_url)
    shared = "postgresql://desk@db.example:5432/or?sslmode=disable"
    key = database_key(shared)
    window.store.save_db_password(database_key(demo_url), "kept")  # not touched

    def fake_exec(dialog: ConnectionDialog) -> int:
        fill_shared(dialog, shared, password="n3w-Passw0rd")
        dialog.save()
        return int(dialog.result())

    monkeypatch.setattr(ConnectionDialog, "exec", fake_exec)
    monkeypatch.setattr(connection_module, "check",
                        lambda _spec, _password=None: ConnectionCheck("ok", "connected"))
    window.confirm = lambda _title, _question: False
    assert window.choose_database() is None
    assert window.store.load_db_password(key) is None
    assert "n3w-Passw0rd" not in memory_keyring.store.values()
    assert window.store.load_db_password(database_key(demo_url)) == "kept"
    assert saved_url() is None

    # A password kept before for that database comes back as it was.
    window.store.save_db_password(key, "old-Passw0rd")
    assert window.choose_database() is None
    assert window.store.load_db_password(key) == "old-Passw0rd"
    window.close()


def test_cancel_or_the_same_database_changes_nothing(
        qtbot: QtBot, demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, demo_url)
    emitted: list[str] = []
    window.switch_database.connect(emitted.append)
    window.confirm = lambda _title, _question: pytest.fail("nothing to confirm")
    _choose_in_dialog(monkeypatch, None, [])
    assert window.choose_database() is None
    _choose_in_dialog(monkeypatch, demo_url, [])
    assert window.choose_database() is None
    assert "Still connected" in window.last_message
    assert emitted == []
    window.close()


def test_run_gui_closes_the_window_and_signs_in_on_the_new_database(
        qtbot: QtBot, demo_url: str, other_database: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    urls: list[str] = []

    def sign_in(services: Services, url: str, _store: object) -> LoginResult | None:
        urls.append(url)
        if len(urls) == 1:
            return services.auth.login("scheduler1", DEMO_PASSWORD)
        return None  # cancelled on the second database: run_gui ends

    windows: list[MainWindow] = []

    def fake_exec(_self: object = None) -> int:
        # The event loop, as far as this test needs it: the user picks another database.
        shown = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, MainWindow) and w.isVisible()]
        windows.extend(shown)
        for window in shown:
            window.switch_database.emit(other_database)
        return 0

    monkeypatch.setattr(app_module, "sign_in", sign_in)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert app_module.run_gui(demo_url, day=BOARD_DAY) == 0
    assert urls == [demo_url, other_database]
    assert len(windows) == 1
    assert windows[0].closed


# ---- View > Wall display… -----------------------------------------------------------------


@pytest.fixture
def wall_url(sqlite_url: str) -> str:
    fill_wall_demo(sqlite_url)
    return sqlite_url


@pytest.fixture
def desk(qtbot: QtBot, wall_url: str) -> Iterator[MainWindow]:
    window = create_main_window(wall_url, username="scheduler1", password=PASSWORD,
                                day=WALL_DEMO_START, clock=FakeClock(MORNING))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.runner.settle(), "the first load did not land"
    yield window
    window.close()


def _device_dialog(monkeypatch: pytest.MonkeyPatch) -> list[DeviceLoginDialog]:
    shown: list[DeviceLoginDialog] = []

    def fake_exec(dialog: DeviceLoginDialog) -> int:
        shown.append(dialog)
        dialog.username.setText("wall.display")
        dialog.password.setText(PASSWORD)
        assert dialog.try_submit()
        return int(dialog.result())

    monkeypatch.setattr(DeviceLoginDialog, "exec", fake_exec)
    return shown


def test_the_wall_opens_as_the_device_sharing_the_window_s_services(
        qtbot: QtBot, desk: MainWindow, wall_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    shown = _device_dialog(monkeypatch)
    _trigger(desk, "wallDisplay")
    wall = desk.wall
    assert isinstance(wall, WallWindow)
    qtbot.waitExposed(wall)
    assert wall.actor.is_device
    assert wall.actor.username == "wall.display"
    assert wall.services is desk.services
    assert not wall.owns_services
    qtbot.waitUntil(lambda: bool(wall.controller.model.cases()), timeout=10_000)
    assert all(c.patient_masked for c in wall.controller.model.cases())
    assert len(shown) == 1
    assert desk.store.load_session(wall_session_key(wall_url)) is not None
    assert desk.actor.username == "scheduler1"  # the desk's own login is untouched

    _trigger(desk, "wallDisplay")  # a second time: the same wall, raised
    assert desk.wall is wall
    assert len(shown) == 1
    assert len([w for w in QApplication.topLevelWidgets()
                if isinstance(w, WallWindow) and w.isVisible()]) == 1

    # Closing the wall leaves the desk's services open; the next wall resumes the device.
    wall.close()
    assert wall.live.state is LiveState.OFF
    desk.refresh()
    assert desk.runner.settle()
    assert "Could not" not in desk.last_message
    assert desk.controller.model.cases()
    _trigger(desk, "wallDisplay")
    again = desk.wall
    assert isinstance(again, WallWindow)
    assert again is not wall
    assert len(shown) == 1  # the kept device session, no dialog


def test_closing_the_desk_closes_its_wall(qtbot: QtBot, desk: MainWindow,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _device_dialog(monkeypatch)
    wall = desk.open_wall()
    assert wall is not None
    live = wall.live
    desk.close()
    assert live.state is LiveState.OFF
    assert not shiboken6.isValid(wall) or not wall.isVisible()


def test_cancelling_the_device_sign_in_opens_no_wall(
        desk: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DeviceLoginDialog, "exec",
                        lambda _dialog: int(QDialog.DialogCode.Rejected))
    assert desk.open_wall() is None
    assert desk.wall is None


def test_with_two_monitors_the_user_picks_where_the_wall_goes(
        desk: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    _device_dialog(monkeypatch)
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    monkeypatch.setattr(QGuiApplication, "screens", staticmethod(lambda: [screen, screen]))
    offered: list[tuple[list[str], int]] = []

    def pick(_parent: object, _title: str, _label: str, items: list[str], current: int,
             _editable: bool) -> tuple[str, bool]:
        offered.append((items, current))
        return items[1], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    wall = desk.open_wall()
    assert wall is not None
    assert offered
    assert offered[0][1] == 0  # the configured monitor first
    assert len(offered[0][0]) == 2
    assert wall.config.wall.monitor == 1
    desk.close()
    assert not wall.isVisible()
