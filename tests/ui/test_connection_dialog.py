"""The connection settings dialog: test, save (URL per user, password in the keyring), and
switching database from the login dialog."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from surgdesk import app as app_module
from surgdesk.connection import ConnectionSpec
from surgdesk.credentials import CredentialStore
from surgdesk.repository.connect import open_database
from surgdesk.services.registry import Services
from surgdesk.ui.connection import ConnectionDialog, saved_url
from surgdesk.ui.login import LoginDialog
from tests.conftest import MemoryKeyring


def fill_shared(dialog: ConnectionDialog, url: str, password: str = "") -> None:
    spec = ConnectionSpec.from_url(url)
    dialog.shared.setChecked(True)
    dialog.host.setText(spec.host)
    dialog.port.setValue(spec.port)
    dialog.database.setText(spec.database)
    dialog.user.setText(spec.user)
    dialog.password.setText(password)
    dialog.sslmode.setCurrentText("disable")


@pytest.mark.postgres
def test_test_and_save_a_shared_database(qtbot: QtBot, postgres_url: str,
                                         memory_keyring: MemoryKeyring) -> None:
    dialog = ConnectionDialog(None)
    qtbot.addWidget(dialog)
    assert dialog.local.isChecked()
    fill_shared(dialog, postgres_url, password="pg-Passw0rd-1")
    assert "verify-full" in [dialog.sslmode.itemText(i) for i in range(dialog.sslmode.count())]
    check = dialog.test()
    assert check is not None
    assert check.state == "ok"
    assert "matches" in dialog.outcome_label.text()
    dialog.save()
    assert dialog.chosen_url is not None
    assert dialog.chosen_url.endswith("?sslmode=disable")
    assert "pg-Passw0rd-1" not in dialog.chosen_url
    assert saved_url() == dialog.chosen_url
    assert "pg-Passw0rd-1" in memory_keyring.store.values()


def test_missing_fields_are_said_and_nothing_saved(qtbot: QtBot) -> None:
    dialog = ConnectionDialog(None)
    qtbot.addWidget(dialog)
    dialog.shared.setChecked(True)
    dialog.host.setText("db.or.hospital.local")
    dialog.save()
    assert "database" in dialog.outcome_label.text()
    assert dialog.chosen_url is None
    assert saved_url() is None


def test_an_unreachable_database_asks_before_saving(qtbot: QtBot,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = ConnectionDialog(None)
    qtbot.addWidget(dialog)
    fill_shared(dialog, "postgresql://sched@127.0.0.1:1/surgdesk")
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.No)
    dialog.save()
    assert "cannot connect" in dialog.outcome_label.text()
    assert saved_url() is None


def test_login_dialog_switches_to_the_chosen_database(
    qtbot: QtBot, sqlite_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"

    def choose(self: ConnectionDialog) -> int:
        self.chosen_url = other
        return 1

    monkeypatch.setattr(ConnectionDialog, "exec", choose)
    monkeypatch.setattr(LoginDialog, "exec",
                        lambda self: (self.database_button.click(), self.result())[1])
    services = Services.create(open_database(sqlite_url))
    with pytest.raises(app_module.SwitchDatabase) as switch:
        app_module.sign_in(services, sqlite_url, CredentialStore())
    assert switch.value.url == other
    services.close()


def test_a_new_local_file_chosen_here_is_created_private_with_the_schema(
    qtbot: QtBot, tmp_path  # type: ignore[no-untyped-def]
) -> None:
    from surgdesk.repository.connect import schema_state

    target = tmp_path / "ward" / "surgdesk.db"
    target.parent.mkdir()
    dialog = ConnectionDialog(None)
    qtbot.addWidget(dialog)
    dialog.local.setChecked(True)
    dialog.path.setText(str(target))
    check = dialog.test()
    assert check is not None
    assert check.state == "new_file"
    assert not target.exists()  # testing changes nothing
    dialog.save()
    assert dialog.chosen_url == f"sqlite:///{target}"
    assert target.stat().st_mode & 0o077 == 0
    assert schema_state(dialog.chosen_url)[0] == "ok"
