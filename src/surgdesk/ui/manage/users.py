"""Users (admin) with its "Access requests" tab, and the "Request access" form.

An access request is an inactive account without a role (``UserService.request_access``):
the login dialog opens ``AccessRequestDialog``; admins see the request here, approve it
with a role (a surgeon also needs a specialty) or refuse it (the row goes, so the name and
email are free again).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import Role
from surgdesk.domain.permissions import Action
from surgdesk.domain.timezones import zone
from surgdesk.errors import BadInput, FieldProblem, SurgDeskError
from surgdesk.services.context import Actor
from surgdesk.services.dto import UserView
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import (
    Column,
    FieldErrors,
    RowsModel,
    ServiceDialog,
    filter_box,
    fit_columns,
    on_select,
    require_screen,
    select_key,
    selected_row,
    table_view,
)
from surgdesk.ui.runner import ServiceRunner

ROLE_TEXT = {
    Role.ADMIN: "Admin",
    Role.SCHEDULER: "Scheduler",
    Role.SURGEON: "Surgeon",
    Role.ANESTHESIOLOGIST: "Anesthesiologist",
    Role.NURSE: "Nurse",
    Role.VIEWER: "Viewer",
}
OK_STYLE = "color: #1d6b1d;"


def _locked(user: UserView, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def user_columns(now: datetime) -> list[Column[UserView]]:
    def state(u: UserView) -> str:
        if not u.active:
            return "inactive"
        if _locked(u, now):
            return "locked"
        return "device" if u.is_device else "active"

    return [
        Column("Username", lambda u: u.username),
        Column("Name", lambda u: u.display_name),
        Column("Role", lambda u: ROLE_TEXT[u.role] if u.role else "—"),
        Column("Specialty", lambda u: u.specialty or ""),
        Column("Email", lambda u: u.email),
        Column("Phone", lambda u: u.phone or ""),
        Column("State", state, muted=lambda u: not u.active),
    ]


def request_columns() -> list[Column[UserView]]:
    return [
        Column("Username", lambda u: u.username),
        Column("Name", lambda u: u.display_name),
        Column("Email", lambda u: u.email),
    ]


def _role_combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    for role in Role:
        combo.addItem(ROLE_TEXT[role], role)
    return combo


def _password(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class UsersDialog(ServiceDialog):
    """Users and access requests, read and changed through a ``ServiceRunner`` (off the GUI
    thread); the department's zone (lock times) comes with the first read."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        require_screen(actor, Action.MANAGE_USERS, "users screen")
        super().__init__(parent)
        self.setObjectName("usersDialog")
        self.setWindowTitle("Users and access requests — SurgDesk")
        self._init_calls(runner)
        self.services = services
        self.actor = actor
        self.current: UserView | None = None
        self.tz = ZoneInfo("UTC")  # the department's, once read

        self.tabs = QTabWidget()
        self.tabs.setObjectName("usersTabs")
        self.tabs.addTab(self._users_tab(), "Users")
        self.tabs.addTab(self._requests_tab(), "Access requests")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1240, 700)
        self.busy_widgets = [self.save_button, self.reset_button, self.approve_button,
                             self.refuse_button]
        self.read(lambda: (zone(services.settings.get(actor).time_zone),
                           self._read_lists()), self._opened, self.user_errors.show,
                  "list the users")

    def _opened(self, answer: tuple[ZoneInfo, tuple[list[UserView], list[UserView]]]) -> None:
        self.tz, lists = answer
        self._show_lists(lists, None)
        fit_columns(self.users_view, self.users_splitter, self)
        if self.users.rowCount():
            self.users_view.selectRow(0)

    # -- building ---------------------------------------------------------------------

    def _users_tab(self) -> QWidget:
        self.users = RowsModel(user_columns(self.services.clock.now()),
                               key=lambda u: u.username, parent=self)
        self.users_view = table_view("usersTable", self.users)
        on_select(self.users_view, UserView, self.show_user)
        new_user = QPushButton("New user")
        new_user.setObjectName("userNew")
        new_user.clicked.connect(self.new_user)
        # 50-odd people: find one by any part of their name, username, email or role.
        self.user_search = filter_box(self.users_view, "usersSearch",
                                      "Search name, username, email, role…")
        self.users_count = QLabel()
        self.users_count.setObjectName("usersCount")
        self.user_search.textChanged.connect(self._update_count)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.user_search)
        left_layout.addWidget(self.users_view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.users_count, 1)
        bottom.addWidget(new_user)
        left_layout.addLayout(bottom)

        self.user_box = QGroupBox("User")
        self.username = QLineEdit()
        self.username.setObjectName("userUsername")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("userDisplayName")
        self.email = QLineEdit()
        self.email.setObjectName("userEmail")
        self.phone = QLineEdit()
        self.phone.setObjectName("userPhone")
        self.role = _role_combo("userRole")
        self.role.currentIndexChanged.connect(self._role_changed)
        self.specialty = QLineEdit()
        self.specialty.setObjectName("userSpecialty")
        self.specialty.setPlaceholderText("surgeons only, e.g. orthopedics")
        self.active = QCheckBox("Active (may sign in)")
        self.active.setObjectName("userActive")
        self.password = _password("userPassword")
        self.password.setPlaceholderText("new users only")
        self.user_error = QLabel()
        self.user_error.setObjectName("userError")
        self.user_errors = FieldErrors(self.user_error)
        e = self.user_errors
        form = QFormLayout()
        form.addRow("&Username", e.bind("username", self.username))
        form.addRow("&Name", e.bind("display_name", self.display_name))
        form.addRow("&Email", e.bind("email", self.email))
        form.addRow("P&hone", e.bind("phone", self.phone))
        form.addRow("&Role", e.bind("role", self.role))
        form.addRow("&Specialty", e.bind("specialty", self.specialty))
        form.addRow("", e.bind("active", self.active))
        form.addRow("&Password", e.bind("password", self.password))
        self.save_button = QPushButton("Save user")
        self.save_button.setObjectName("userSave")
        self.save_button.clicked.connect(self.save_user)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)

        self.account_box = QGroupBox("Sign-in")
        self.lock_state = QLabel()
        self.lock_state.setObjectName("userLockState")
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("userUnlock")
        self.unlock_button.clicked.connect(self.unlock)
        self.new_password = _password("userNewPassword")
        self.new_password.setPlaceholderText("new password")
        self.reset_button = QPushButton("Reset password")
        self.reset_button.setObjectName("userResetPassword")
        self.reset_button.clicked.connect(self.reset_password)
        self.account_error = QLabel()
        self.account_error.setObjectName("accountError")
        self.account_errors = FieldErrors(self.account_error)
        self.account_done = QLabel()
        self.account_done.setObjectName("accountDone")
        self.account_done.setStyleSheet(OK_STYLE)
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.lock_state, 1)
        lock_row.addWidget(self.unlock_button)
        reset_row = QHBoxLayout()
        reset_row.addWidget(self.account_errors.bind("password", self.new_password), 1)
        reset_row.addWidget(self.reset_button)
        account_layout = QVBoxLayout(self.account_box)
        account_layout.addLayout(lock_row)
        account_layout.addLayout(reset_row)
        account_layout.addWidget(self.account_error)
        account_layout.addWidget(self.account_done)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        box_layout = QVBoxLayout(self.user_box)
        box_layout.addLayout(form)
        box_layout.addWidget(self.user_error)
        box_layout.addLayout(save_row)
        right_layout.addWidget(self.user_box)
        right_layout.addWidget(self.account_box)
        right_layout.addStretch(1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 480])
        self.users_splitter = splitter
        return splitter

    def _requests_tab(self) -> QWidget:
        self.requests = RowsModel(request_columns(), key=lambda u: u.username, parent=self)
        self.requests_view = table_view("accessRequestsTable", self.requests)
        self.request_role = _role_combo("requestRole")
        self.request_role.setCurrentIndex(self.request_role.findData(Role.VIEWER))
        self.request_specialty = QLineEdit()
        self.request_specialty.setObjectName("requestSpecialty")
        self.request_specialty.setPlaceholderText("surgeons only")
        self.request_error = QLabel()
        self.request_error.setObjectName("requestError")
        self.request_errors = FieldErrors(self.request_error)
        self.approve_button = approve = QPushButton("Approve")
        approve.setObjectName("requestApprove")
        approve.clicked.connect(self.approve)
        self.refuse_button = refuse = QPushButton("Refuse")
        refuse.setObjectName("requestRefuse")
        refuse.clicked.connect(self.refuse)
        form = QFormLayout()
        form.addRow("Approve as", self.request_errors.bind("role", self.request_role))
        form.addRow("Specialty", self.request_errors.bind("specialty", self.request_specialty))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(refuse)
        row.addWidget(approve)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("People who asked for an account from the sign-in window. "
                                "They cannot sign in until approved."))
        layout.addWidget(self.requests_view, 1)
        layout.addLayout(form)
        layout.addWidget(self.request_error)
        layout.addLayout(row)
        return tab

    # -- loading ----------------------------------------------------------------------

    def _read_lists(self) -> tuple[list[UserView], list[UserView]]:
        """On the worker thread: the users (not devices) and the pending requests."""
        users = [u for u in self.services.users.list_users(self.actor) if u.role is not None]
        return users, self.services.users.pending_requests(self.actor)

    def reload(self, select: str | None = None) -> None:
        self.read(self._read_lists, lambda lists: self._show_lists(lists, select),
                  self.user_errors.show, "list the users")

    def _show_lists(self, lists: tuple[list[UserView], list[UserView]],
                    select: str | None) -> None:
        users, pending = lists
        self.users.set_rows(users)
        self.users_view.resizeColumnsToContents()
        self._update_count()
        self.requests.set_rows(pending)
        self.requests_view.resizeColumnsToContents()
        self.tabs.setTabText(1, f"Access requests ({len(pending)})" if pending
                             else "Access requests")
        if select is not None:
            select_key(self.users_view, select)

    def _update_count(self) -> None:
        shown, total = self.users_view.model().rowCount(), self.users.rowCount()
        self.users_count.setText(f"{shown} of {total} users" if shown != total
                                 else f"{total} users")

    def show_user(self, user: UserView) -> None:
        self.current = user
        self.user_box.setTitle(f"User {user.username}")
        self.username.setText(user.username)
        self.username.setReadOnly(True)
        self.display_name.setText(user.display_name)
        self.email.setText(user.email)
        self.phone.setText(user.phone or "")
        self.role.setCurrentIndex(max(0, self.role.findData(user.role)))
        self.specialty.setText(user.specialty or "")
        self.active.setChecked(user.active)
        self.active.setEnabled(True)
        self.password.clear()
        self.password.setEnabled(False)
        self.save_button.setText("Save user")
        self.account_box.setEnabled(True)
        now = self.services.clock.now()
        if user.locked_until is not None and user.locked_until > now:
            until = user.locked_until.astimezone(self.tz)
            self.lock_state.setText(f"Locked until {until:%H:%M} ({self.tz.key}) "
                                    "after too many wrong passwords.")
        else:
            self.lock_state.setText("Not locked.")
        self.unlock_button.setEnabled(_locked(user, now))
        self.user_errors.clear()
        self.account_errors.clear()
        self.account_done.clear()
        self._role_changed()

    def new_user(self) -> None:
        self.current = None
        self.users_view.clearSelection()
        self.user_box.setTitle("New user")
        for edit in (self.username, self.display_name, self.email, self.phone,
                     self.specialty, self.password):
            edit.clear()
        self.username.setReadOnly(False)
        self.role.setCurrentIndex(self.role.findData(Role.NURSE))
        self.active.setChecked(True)
        self.active.setEnabled(False)
        self.password.setEnabled(True)
        self.save_button.setText("Add user")
        self.account_box.setEnabled(False)
        self.user_errors.clear()
        self.username.setFocus()

    def _role_changed(self) -> None:
        self.specialty.setEnabled(self.role.currentData() == Role.SURGEON)

    # -- changing ---------------------------------------------------------------------

    def save_user(self) -> bool:
        role = Role(self.role.currentData())
        specialty = self.specialty.text().strip() or None
        specialty = specialty if role is Role.SURGEON else None
        username, display_name = self.username.text(), self.display_name.text()
        email, phone = self.email.text(), self.phone.text()
        current = self.current
        if current is None:
            password = self.password.text() or None
            return self.write(lambda: self.services.users.add_user(
                self.actor, username=username, role=role, display_name=display_name,
                email=email, password=password, phone=phone or None, specialty=specialty),
                self._user_saved, self.user_errors.show, "add the user")
        active = self.active.isChecked()
        return self.write(lambda: self.services.users.update_user(
            self.actor, current.username, role=role, display_name=display_name,
            email=email, phone=phone, active=active, specialty=specialty,
            expected_version=current.version),
            self._user_saved, self.user_errors.show, "save the user")

    def _user_saved(self, user: UserView, done: str = "") -> None:
        self.reload(select=user.username)
        self.show_user(user)
        if done:
            self.account_done.setText(done)

    def unlock(self) -> bool:
        if self.current is None:
            return False
        username = self.current.username
        return self.write(lambda: self.services.users.unlock(self.actor, username),
                          lambda user: self._user_saved(user, f"{user.username} is unlocked."),
                          self.account_errors.show, "unlock the user")

    def reset_password(self) -> bool:
        if self.current is None:
            return False
        username, password = self.current.username, self.new_password.text()

        def reset(user: UserView) -> None:
            self.new_password.clear()
            self._user_saved(user, f"New password set for {user.username}; "
                                   "their open sessions were ended.")

        return self.write(lambda: self.services.users.reset_password(self.actor, username,
                                                                     password),
                          reset, self.account_errors.show, "reset the password")

    # -- access requests --------------------------------------------------------------

    def _selected_request(self) -> UserView | None:
        request = selected_row(self.requests_view)
        if isinstance(request, UserView):
            return request
        self.request_errors.say("Select a request first.")
        return None

    def approve(self) -> bool:
        request = self._selected_request()
        if request is None:
            return False
        role = Role(self.request_role.currentData())
        specialty = self.request_specialty.text().strip() or None
        username = request.username

        def approved(_result: object) -> None:
            self.request_errors.clear()
            self.request_specialty.clear()
            self.reload(select=username)

        return self.write(lambda: self.services.users.approve_request(
            self.actor, username, role, specialty if role is Role.SURGEON else None),
            approved, self.request_errors.show, "approve the request")

    def refuse(self) -> bool:
        request = self._selected_request()
        if request is None:
            return False
        username = request.username

        def refused(_result: object) -> None:
            self.request_errors.clear()
            self.reload()

        return self.write(lambda: self.services.users.refuse_request(self.actor, username),
                          refused, self.request_errors.show, "refuse the request")


class AccessRequestDialog(QDialog):
    """"Request access", opened from the login dialog: asks for an account, signs nobody in."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accessRequestDialog")
        self.setWindowTitle("Request access — SurgDesk")
        self.services = services
        self.requested: UserView | None = None

        self.username = QLineEdit()
        self.username.setObjectName("requestUsername")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("requestDisplayName")
        self.email = QLineEdit()
        self.email.setObjectName("requestEmail")
        self.email.setPlaceholderText("name@or.hospital.local")
        self.password = _password("requestPassword")
        self.repeat = _password("requestRepeat")
        self.error = QLabel()
        self.error.setObjectName("requestFormError")
        self.errors = FieldErrors(self.error)
        e = self.errors
        form = QFormLayout()
        form.addRow("&Username", e.bind("username", self.username))
        form.addRow("Your &name", e.bind("display_name", self.display_name))
        form.addRow("&Email", e.bind("email", self.email))
        form.addRow("&Password", e.bind("password", self.password))
        form.addRow("&Repeat password", e.bind("repeat", self.repeat))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        submit = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        submit.setText("Send request")
        submit.setObjectName("requestSubmit")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("An administrator approves the request and gives you a role; "
                                "until then you cannot sign in."))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> bool:
        if self.password.text() != self.repeat.text():
            self.errors.show(BadInput(FieldProblem("repeat", "the two passwords differ")))
            return False
        try:
            self.requested = self.services.users.request_access(
                username=self.username.text(), display_name=self.display_name.text(),
                email=self.email.text(), password=self.password.text())
        except SurgDeskError as exc:
            self.errors.show(exc)
            return False
        self.password.clear()
        self.repeat.clear()
        self.accept()
        return True
