"""Signing a wall display in: the device account once, then its kept token."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from surgdesk import startup
from surgdesk.cli.main import _resolve, build_parser
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.services.context import FakeClock
from surgdesk.ui.wall import (
    DeviceLoginDialog,
    resume_device_session,
    sign_in_device,
    wall_session_key,
)

from .wall_helpers import MORNING, PASSWORD, fill_wall_demo


@pytest.fixture
def wall_url(sqlite_url: str) -> str:
    fill_wall_demo(sqlite_url)
    return sqlite_url


def test_first_start_asks_for_the_device_then_keeps_its_token(
        qtbot: QtBot, wall_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    services = startup.open_services(wall_url, clock=FakeClock(MORNING))
    store = CredentialStore()
    shown: list[DeviceLoginDialog] = []

    def fake_exec(dialog: DeviceLoginDialog) -> int:
        shown.append(dialog)
        dialog.username.setText("scheduler1")  # a person: refused
        dialog.password.setText(PASSWORD)
        assert not dialog.try_submit()
        assert "not a device account" in dialog.error.text()
        dialog.username.setText("wall.display")
        dialog.password.setText(PASSWORD)
        assert dialog.try_submit()
        return int(dialog.result())

    monkeypatch.setattr(DeviceLoginDialog, "exec", fake_exec)
    first = sign_in_device(services, wall_url, store, database_label="test")
    assert first is not None
    assert first.actor.is_device
    assert len(shown) == 1
    kept = store.load_session(wall_session_key(wall_url))
    assert kept is not None
    assert kept.expires_at is None  # a device session does not expire
    assert store.load_session(database_key(wall_url)) is None  # a person's slot untouched

    again = sign_in_device(services, wall_url, store, database_label="test")
    assert again is not None
    assert again.actor.username == "wall.display"
    assert len(shown) == 1  # no dialog the second time
    services.close()


def test_a_person_token_in_the_wall_slot_is_not_used(wall_url: str) -> None:
    services = startup.open_services(wall_url, clock=FakeClock(MORNING))
    store = CredentialStore()
    person = services.auth.login("viewer", PASSWORD, remember=True)
    assert person.token is not None
    store.save_session(wall_session_key(wall_url), "viewer", person.token, person.expires_at)
    assert resume_device_session(services, wall_url, store) is None
    assert store.load_session(wall_session_key(wall_url)) is None
    services.close()


def test_cli_wall_flag_opens_the_wall(monkeypatch: pytest.MonkeyPatch, wall_url: str) -> None:
    args = build_parser().parse_args(["--database", wall_url, "--wall"])
    assert args.wall is True
    opened: list[str] = []
    monkeypatch.setattr("surgdesk.app.run_wall", lambda url: opened.append(url) or 0)
    monkeypatch.setattr("surgdesk.app.run_gui", lambda url: pytest.fail("not the desk app"))
    assert _resolve(args.handler)(args) == 0  # the handler is named; resolved as main() does
    assert opened == [wall_url]
    assert isinstance(build_parser().parse_args([]), argparse.Namespace)
    assert build_parser().parse_args([]).wall is False


def test_demo_and_wall_together_open_the_wall_on_the_demo(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SURGDESK_DATA_DIR", str(tmp_path))
    args = build_parser().parse_args(["--demo", "--wall"])
    assert (args.demo, args.wall) == (True, True)
    opened: list[str] = []
    monkeypatch.setattr("surgdesk.app.run_wall", lambda url: opened.append(url) or 0)
    monkeypatch.setattr("surgdesk.app.run_gui", lambda url: pytest.fail("not the desk app"))
    monkeypatch.setattr("surgdesk.cli.commands._ensure_demo_database",
                        lambda: f"sqlite:///{tmp_path / 'demo.db'}")
    assert _resolve(args.handler)(args) == 0
    assert opened == [f"sqlite:///{tmp_path / 'demo.db'}"]


def test_a_refused_sign_in_keeps_the_dialog_s_layout(qtbot: QtBot, wall_url: str) -> None:
    services = startup.open_services(wall_url, clock=FakeClock(MORNING))
    dialog = DeviceLoginDialog(services, database_label="test")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    def places() -> list[object]:
        return [dialog.size(), dialog.username.geometry(), dialog.password.geometry(),
                dialog.buttons.geometry(), dialog.error.geometry()]

    before = places()
    dialog.username.setText("scheduler1")  # a person: refused
    dialog.password.setText(PASSWORD)
    assert not dialog.try_submit()
    qtbot.waitUntil(dialog.error.isVisible)
    assert "not a device account" in dialog.error.text()
    assert places() == before  # the refusal appears in room kept for it
    dialog.close()
    services.close()
