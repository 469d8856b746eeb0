"""Users and access requests: a request becomes a working login once an admin approves it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.errors import AccountLocked, AuthenticationFailed
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import select_key
from surgdesk.ui.manage.users import AccessRequestDialog, UsersDialog
from tests.services.factories import Kit
from tests.ui.manage.fixtures import kit_services, settled, sqlite_db

__all__ = ["kit_services", "sqlite_db"]

PASSWORD = "a long enough passphrase"


def _request(qtbot: QtBot, services: Services, username: str = "new.nurse",
             email: str = "new.nurse@or.hospital.local", repeat: str = PASSWORD
             ) -> AccessRequestDialog:
    form = AccessRequestDialog(services)
    qtbot.add_widget(form)
    form.username.setText(username)
    form.display_name.setText("New Nurse")
    form.email.setText(email)
    form.password.setText(PASSWORD)
    form.repeat.setText(repeat)
    form.submit()
    return form


def _admin_dialog(qtbot: QtBot, kit: Kit, services: Services) -> UsersDialog:
    dialog = settled(UsersDialog)(services, kit["admin"])
    qtbot.add_widget(dialog)
    return dialog


def _audit_actions(kit: Kit) -> list[str]:
    with kit.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))


def test_access_request_appears_for_the_admin_and_becomes_a_working_login(
    qtbot: QtBot, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    form = _request(qtbot, services)
    assert form.result() == AccessRequestDialog.DialogCode.Accepted
    assert form.requested is not None
    assert form.requested.role is None
    with pytest.raises(AuthenticationFailed, match="not active"):
        services.auth.login("new.nurse", PASSWORD)

    dialog = _admin_dialog(qtbot, kit, services)
    assert dialog.tabs.tabText(1) == "Access requests (1)"
    assert [u.username for u in dialog.requests.rows()] == ["new.nurse"]
    assert "new.nurse" not in [u.username for u in dialog.users.rows()]
    assert select_key(dialog.requests_view, "new.nurse")
    dialog.request_role.setCurrentIndex(dialog.request_role.findData(Role.NURSE))
    assert dialog.approve()

    assert dialog.requests.rowCount() == 0
    assert dialog.tabs.tabText(1) == "Access requests"
    assert "new.nurse" in [u.username for u in dialog.users.rows()]
    login = services.auth.login("new.nurse", PASSWORD)
    assert login.actor.role is Role.NURSE
    assert {"request_access", "approve_request"} <= set(_audit_actions(kit))


def test_approving_a_surgeon_needs_a_specialty_beside_the_field(
    qtbot: QtBot, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    _request(qtbot, services, "dr.new", "dr.new@or.hospital.local")
    dialog = _admin_dialog(qtbot, kit, services)
    select_key(dialog.requests_view, "dr.new")
    dialog.request_role.setCurrentIndex(dialog.request_role.findData(Role.SURGEON))
    assert not dialog.approve()
    assert "specialty" in dialog.request_errors.message("specialty")
    assert dialog.requests.rowCount() == 1
    dialog.request_specialty.setText("vascular")
    assert dialog.approve()
    assert services.users.get_user(kit["admin"], "dr.new").specialty == "vascular"


def test_refusing_a_request_removes_it(qtbot: QtBot, kit_services: tuple[Kit, Services]
                                       ) -> None:
    kit, services = kit_services
    _request(qtbot, services)
    dialog = _admin_dialog(qtbot, kit, services)
    assert not dialog.refuse()  # nothing selected
    assert dialog.request_error.text() == "Select a request first."
    select_key(dialog.requests_view, "new.nurse")
    assert dialog.refuse()
    assert services.users.pending_requests(kit["admin"]) == []
    assert "refuse_request" in _audit_actions(kit)


def test_request_form_names_the_bad_field_and_writes_nothing(
    qtbot: QtBot, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    form = _request(qtbot, services, repeat="something else")
    assert form.errors.message("repeat") == "The two passwords differ"
    form = _request(qtbot, services, email="not-an-email")
    assert "email" in form.errors.message("email")
    form = _request(qtbot, services, username="admin", email="x@or.hospital.local")
    assert "already taken" in form.errors.message("username")
    assert form.result() != AccessRequestDialog.DialogCode.Accepted
    assert services.users.pending_requests(kit["admin"]) == []


def test_admin_creates_changes_deactivates_unlocks_and_resets(
    qtbot: QtBot, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    dialog = _admin_dialog(qtbot, kit, services)
    dialog.new_user()
    dialog.username.setText("dr.neu")
    dialog.display_name.setText("Dr. Neu")
    dialog.email.setText("dr.neu@or.hospital.local")
    dialog.password.setText(PASSWORD)
    dialog.role.setCurrentIndex(dialog.role.findData(Role.SURGEON))
    assert not dialog.save_user()
    assert dialog.user_errors.message("specialty") == "A surgeon needs a specialty"
    dialog.specialty.setText("trauma")
    assert dialog.save_user()
    assert dialog.current is not None
    assert dialog.current.specialty == "trauma"

    dialog.role.setCurrentIndex(dialog.role.findData(Role.ANESTHESIOLOGIST))
    assert dialog.save_user()
    assert services.users.get_user(kit["admin"], "dr.neu").role is Role.ANESTHESIOLOGIST

    for _ in range(4):
        with pytest.raises(AuthenticationFailed):
            services.auth.login("dr.neu", "wrong password!")
    with pytest.raises(AccountLocked):  # the fifth wrong password locks the account
        services.auth.login("dr.neu", "wrong password!")
    with pytest.raises(AccountLocked):
        services.auth.login("dr.neu", PASSWORD)
    dialog.reload(select="dr.neu")
    assert dialog.unlock_button.isEnabled()
    assert dialog.lock_state.text().startswith("Locked until 06:15 (Europe/Berlin)")
    assert dialog.unlock()
    assert services.auth.login("dr.neu", PASSWORD).actor.username == "dr.neu"

    dialog.new_password.setText("short")
    assert not dialog.reset_password()
    assert dialog.account_errors.message("password")
    dialog.new_password.setText("another long passphrase")
    assert dialog.reset_password()
    assert services.auth.login("dr.neu", "another long passphrase")

    dialog.active.setChecked(False)
    assert dialog.save_user()
    with pytest.raises(AuthenticationFailed, match="not active"):
        services.auth.login("dr.neu", "another long passphrase")
    actions = _audit_actions(kit)
    for action in ("add_user", "update_user", "unlock_user", "reset_password"):
        assert action in actions


def test_bad_edit_shows_beside_the_field_and_changes_nothing(
    qtbot: QtBot, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    dialog = _admin_dialog(qtbot, kit, services)
    select_key(dialog.users_view, "nurse1")
    dialog.email.setText("nurse2@or.hospital.local")
    assert not dialog.save_user()
    assert "already taken" in dialog.user_errors.message("email")
    dialog.email.setText("broken@")
    assert not dialog.save_user()
    assert dialog.user_errors.message("email") == "Not a valid email address"
    assert services.users.get_user(kit["admin"], "nurse1").email == "nurse1@or.hospital.local"


def test_users_can_be_searched_and_every_column_is_shown_whole(
        qtbot: QtBot, kit_services: tuple[Kit, Services],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A desk PC's full-HD screen (the offscreen platform's own is 800 x 600).
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(0, 0, 1920, 1040))
    kit, services = kit_services
    for n in range(45):
        services.users.add_user(
            kit["admin"], username=f"staff.member{n:02d}", role=Role.NURSE,
            display_name=f"Staff Member With A Long Name {n:02d}",
            email=f"staff.member.{n:02d}@operating-theatres.hospital.example.org",
            phone="+49 30 1234 5678", password=PASSWORD)
    dialog = _admin_dialog(qtbot, kit, services)
    dialog.show()
    qtbot.waitExposed(dialog)
    view = dialog.users_view
    total = dialog.users.rowCount()
    assert total > 45
    assert dialog.users_count.text() == f"{total} users"
    # Every column fits in the list's pane: nothing is cut at its edge.
    header = view.horizontalHeader()
    assert header.length() <= view.viewport().width()
    for column in range(dialog.users.columnCount()):
        assert view.columnWidth(column) >= view.sizeHintForColumn(column)

    qtbot.keyClicks(dialog.user_search, "MEMBER.0")  # any column, any case
    shown = [view.model().index(r, 0).data() for r in range(view.model().rowCount())]
    assert shown == [f"staff.member{n:02d}" for n in range(10)]
    assert dialog.users_count.text() == f"10 of {total} users"
    view.selectRow(2)
    assert dialog.username.text() == "staff.member02"  # the filtered row's user
    dialog.user_search.clear()
    assert view.model().rowCount() == total
