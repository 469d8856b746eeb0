"""Issue 7 item 5, the idle lock on a shared desk PC: after the department's idle minutes
the board is out of sight (nothing of a patient shows, not even in another window of the
app), the lock asks the same user's password (a wrong one counts like a failed login),
and "switch user" hands the PC to someone else."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from surgdesk.credentials import CredentialStore
from surgdesk.domain.enums import CaseStatus
from surgdesk.errors import NotLoggedIn
from surgdesk.ui.case.form import CaseFormDialog
from surgdesk.ui.idle_lock import LockOverlay
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.main_window import MainWindow

from .conftest import DEMO_PASSWORD, open_window

LOCK_BACKGROUND = QColor("#2b2f36")


@pytest.fixture
def window(qtbot: QtBot, demo_url: str) -> Iterator[MainWindow]:
    opened = open_window(qtbot, demo_url)
    yield opened
    opened.close()


def go_idle(qtbot: QtBot, window: MainWindow) -> None:
    """The department's idle time, shortened: the watcher's own timer runs out."""
    window.idle_watcher.timer.setInterval(30)
    window.idle_watcher.start()
    qtbot.waitUntil(lambda: window.locked, timeout=10_000)


def visible_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def patient_names(window: MainWindow) -> set[str]:
    names = {c.patient_name for c in window.controller.model.cases() if c.patient_name}
    assert names, "the scheduler sees patient names on the board"
    return names


def outside_the_prompt(window: MainWindow, overlay: LockOverlay) -> QImage:
    """A grab of the whole window with the lock's own fields painted over in the lock's
    colour: what is left is everything that could show through."""
    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    scale = image.width() / window.width()
    painter = QPainter(image)
    for child in overlay.findChildren(QWidget):
        if child.isVisible():
            top_left = child.mapTo(window, child.rect().topLeft())
            painter.fillRect(QRect(int(top_left.x() * scale), int(top_left.y() * scale),
                                   int(child.width() * scale) + 1,
                                   int(child.height() * scale) + 1), LOCK_BACKGROUND)
    painter.end()
    return image


def test_the_watcher_waits_the_departments_idle_minutes(qtbot: QtBot, demo_url: str) -> None:
    first = open_window(qtbot, demo_url, username="admin")
    first.services.settings.update(first.actor, idle_lock_minutes=7)
    first.close()
    window = open_window(qtbot, demo_url)
    assert window.idle_watcher.timer.interval() == 7 * 60_000
    assert window.idle_watcher.timer.isActive()
    assert window.idle_watcher.timer.isSingleShot()
    window.close()


def test_idle_lock_hides_the_board_so_no_patient_shows(qtbot: QtBot,
                                                       window: MainWindow) -> None:
    names = patient_names(window)
    go_idle(qtbot, window)
    overlay = window.lock_overlay
    assert overlay.isVisible()
    assert overlay.geometry() == window.rect()
    # Nothing but the lock's colour outside its own prompt: the board, the queue, the
    # menus and the status bar are all behind it.
    image = outside_the_prompt(window, overlay)
    uniform = QImage(image.size(), QImage.Format.Format_RGB32)
    uniform.fill(LOCK_BACKGROUND)
    assert image == uniform
    shown = " ".join(label.text() for label in overlay.findChildren(QWidget)
                     if hasattr(label, "text") and callable(label.text))
    assert not any(name in shown for name in names)
    assert visible_windows() == [window]


def test_tab_stays_on_the_lock(qtbot: QtBot, window: MainWindow) -> None:
    go_idle(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=10_000)
    overlay = window.lock_overlay
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Tab, Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, key)
        now = QApplication.focusWidget()
        assert now is not None
        assert overlay.isAncestorOf(now), now


def test_an_open_case_form_is_hidden_and_comes_back_with_its_input(
        qtbot: QtBot, window: MainWindow) -> None:
    case = next(c for c in window.controller.model.cases()
                if c.status is CaseStatus.SCHEDULED)
    window.open_case(case.case_number)
    form = window.case_form
    qtbot.waitUntil(form.isVisible, timeout=10_000)
    assert isinstance(form, CaseFormDialog)
    field = form.procedure
    qtbot.waitUntil(field.isEnabled, timeout=10_000)  # the case is read off the GUI thread
    assert not field.isReadOnly()
    field.setText("typed before the lock")

    go_idle(qtbot, window)
    assert not form.isVisible()
    assert visible_windows() == [window]

    assert window.try_unlock(DEMO_PASSWORD)
    assert form.isVisible()
    assert field.text() == "typed before the lock"


def test_a_blocking_question_is_cancelled_by_the_lock(qtbot: QtBot, window: MainWindow) -> None:
    """A dialog run with exec() would keep the password field from any input."""
    question = QDialog(window)
    results: list[int] = []
    question.finished.connect(results.append)
    question.setWindowModality(Qt.WindowModality.ApplicationModal)
    question.show()
    go_idle(qtbot, window)
    assert results == [int(QDialog.DialogCode.Rejected)]
    assert not question.isVisible()
    assert window.try_unlock(DEMO_PASSWORD)
    assert not question.isVisible()  # cancelled, not brought back


def test_the_lock_wants_the_same_users_password(qtbot: QtBot, window: MainWindow) -> None:
    go_idle(qtbot, window)
    overlay = window.lock_overlay
    assert window.actor.display_name in overlay.title.text()
    # Another user's right password does not open this user's screen.
    other = window.services.auth.login("viewer", DEMO_PASSWORD).actor
    assert other.username != window.actor.username
    overlay.password.setText("not the password")
    qtbot.keyClick(overlay.password, Qt.Key.Key_Return)
    assert window.locked
    assert "wrong" in overlay.error.text().lower()
    assert overlay.password.text() == ""
    overlay.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(overlay.findChild(QPushButton, "idleLockUnlock"),  # type: ignore[arg-type]
                     Qt.MouseButton.LeftButton)
    assert not window.locked
    assert not overlay.isVisible()
    assert window.idle_watcher.timer.isActive()  # and it locks again after the next idle time


def test_wrong_passwords_at_the_lock_count_like_failed_logins(qtbot: QtBot,
                                                              window: MainWindow) -> None:
    go_idle(qtbot, window)
    overlay = window.lock_overlay
    for _ in range(4):
        assert not window.try_unlock("not the password")
        assert "wrong" in overlay.error.text().lower()
    assert not window.try_unlock("not the password")  # the fifth locks the account
    assert "locked" in overlay.error.text().lower()
    assert not window.try_unlock(DEMO_PASSWORD)  # even the right one, for 15 minutes
    assert window.locked
    assert overlay.isVisible()
    # The same counter as the login dialog: the account is locked there too.
    dialog = LoginDialog(window.services, database_label="test")
    qtbot.addWidget(dialog)
    dialog.username.setText(window.actor.username)
    dialog.password.setText(DEMO_PASSWORD)
    assert not dialog.try_login()
    assert "locked" in dialog.error.text().lower()


def _sign_in_as(username: str, *, remember: bool = False) -> Callable[[LoginDialog], int]:
    def fill(dialog: LoginDialog) -> int:
        dialog.username.setText(username)
        dialog.password.setText(DEMO_PASSWORD)
        dialog.remember.setChecked(remember)
        dialog.try_login()
        return int(dialog.result())

    return fill


def test_switch_user_from_the_lock_signs_the_first_user_out(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CredentialStore()
    first = window.services.auth.login("scheduler1", DEMO_PASSWORD, remember=True)
    window.adopt_login(first)
    assert first.token is not None
    assert store.load_session(window.db_key) is not None
    go_idle(qtbot, window)

    monkeypatch.setattr(LoginDialog, "exec", _sign_in_as("viewer"))
    qtbot.mouseClick(window.lock_overlay.findChild(QPushButton, "idleLockSwitch"),  # type: ignore[arg-type]
                     Qt.MouseButton.LeftButton)
    assert window.runner.settle()  # the board is read again off the GUI thread
    assert window.actor.username == "viewer"
    assert not window.locked
    assert not window.lock_overlay.isVisible()
    # The first user is signed out: their token is gone from the keyring and ended on
    # the server, so nobody can resume it.
    assert store.load_session(window.db_key) is None
    with pytest.raises(NotLoggedIn):
        window.services.auth.resume(first.token)
    # The viewer sees the board masked, and cannot edit.
    assert not window.board.editable
    assert window.controller.model.cases()
    assert all(c.patient_name is None for c in window.controller.model.cases())
    assert not window.new_case_action.isEnabled()


def test_cancelling_switch_user_keeps_the_lock(qtbot: QtBot, window: MainWindow,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    go_idle(qtbot, window)
    monkeypatch.setattr(LoginDialog, "exec", lambda _d: int(QDialog.DialogCode.Rejected))
    window.lock_overlay.switch_requested.emit()
    assert window.locked
    assert window.lock_overlay.isVisible()
    assert window.actor.username == "scheduler1"


def test_switch_user_from_the_lock_closes_the_first_users_case_form(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    case = window.controller.model.cases()[0]
    window.open_case(case.case_number)
    form = window.case_form
    qtbot.waitUntil(form.isVisible, timeout=10_000)
    go_idle(qtbot, window)
    monkeypatch.setattr(LoginDialog, "exec", _sign_in_as("viewer"))
    window.lock_overlay.switch_requested.emit()
    assert window.actor.username == "viewer"
    assert visible_windows() == [window]

