"""The login dialog: username, password, "remember me"; says plainly what went wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from surgdesk.errors import AccountLocked, AuthenticationFailed, SurgDeskError
from surgdesk.services.auth import LoginResult
from surgdesk.services.context import ANONYMOUS
from surgdesk.services.registry import Services


class LoginDialog(QDialog):
    def __init__(self, services: Services, *, database_label: str, username: str = "",
                 database_url: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.setWindowTitle("Sign in — SurgDesk")
        self.services = services
        self.result_login: LoginResult | None = None

        self.username = QLineEdit(username)
        self.username.setObjectName("loginUsername")
        self.username.setAutoFillBackground(True)
        self.password = QLineEdit()
        self.password.setObjectName("loginPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember me on this computer (12 hours)")
        self.remember.setObjectName("loginRemember")
        try:
            allowed = services.settings.session_policy(ANONYMOUS).remember_me_allowed
        except SurgDeskError:
            # The department's setting cannot be read (the sign-in will say why); this
            # PC's own config still decides. The service checks again at sign-in anyway.
            machine = services.settings.machine
            allowed = machine is None or machine.remember_me_allowed
        if not allowed:
            self.remember.setChecked(False)
            self.remember.setEnabled(False)
            self.remember.setToolTip("The department or this PC's configuration has turned "
                                     "this off (shared PCs)")
        self.error = QLabel()
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #a40000; font-weight: bold;")
        self.error.hide()

        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        form.addRow("", self.remember)
        where = QLabel(f"Database: {database_label}")
        where.setObjectName("loginDatabase")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setStyleSheet("color: #555555;")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Sign in")
        ok.setObjectName("loginSubmit")
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        # New staff ask for an account here; an admin grants the role (Admin > Users).
        self.request_access = self.buttons.addButton(
            "Request &access…", QDialogButtonBox.ButtonRole.ActionRole)
        self.request_access.setObjectName("loginRequestAccess")
        self.request_access.setAutoDefault(False)
        self.request_access.clicked.connect(self.open_access_request)
        # Another database: the dialog closes and the app reopens on the chosen one.
        self.database_url = database_url
        self.new_database_url: str | None = None
        self.database_button = self.buttons.addButton(
            "&Database…", QDialogButtonBox.ButtonRole.ActionRole)
        self.database_button.setObjectName("loginDatabaseSettings")
        self.database_button.setAutoDefault(False)
        self.database_button.clicked.connect(self.open_connection_settings)

        layout = QVBoxLayout(self)
        title = QLabel("<h2>SurgDesk</h2>Operating-room scheduling")
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(where)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        (self.password if username else self.username).setFocus()

    def try_login(self) -> bool:
        username = self.username.text().strip()
        if not username or not self.password.text():
            self._fail("Enter your username and password.")
            return False
        try:
            self.result_login = self.services.auth.login(
                username, self.password.text(), remember=self.remember.isChecked())
        except AccountLocked as exc:
            self._fail(f"This account is locked — {exc}.")
            return False
        except AuthenticationFailed as exc:
            text = str(exc)
            self._fail(f"{text[:1].upper()}{text[1:]}.")
            return False
        except SurgDeskError as exc:
            self._fail(str(exc))
            return False
        self.password.clear()
        self.accept()
        return True

    def open_connection_settings(self) -> None:
        from surgdesk.ui.connection import ConnectionDialog

        dialog = ConnectionDialog(self.database_url, self)
        if dialog.exec() and dialog.chosen_url and dialog.chosen_url != self.database_url:
            self.new_database_url = dialog.chosen_url
            self.reject()

    def open_access_request(self) -> None:
        from surgdesk.ui.manage.users import AccessRequestDialog

        dialog = AccessRequestDialog(self.services, self)
        if dialog.exec() and dialog.requested is not None:
            self.username.setText(dialog.requested.username)
            self.error.setText(
                "Request sent. An administrator will grant you a role; then sign in here.")
            self.error.setStyleSheet("color: #1a5e1a; font-weight: bold;")
            self.error.show()

    def _fail(self, message: str) -> None:
        self.error.setStyleSheet("color: #a40000; font-weight: bold;")
        self.error.setText(message)
        self.error.show()
        self.password.clear()
        self.password.setFocus()
