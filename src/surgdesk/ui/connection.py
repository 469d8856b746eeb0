"""Connection settings: a local file, or the department's shared Postgres.

The URL (no password) is kept per user in QSettings; the Postgres password only in the OS
keyring. "Test connection" says whether SurgDesk can use the database as it is, and when
its schema is empty or older an administrator can upgrade it from here.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from surgdesk.connection import (
    SSL_MODES,
    ConnectionCheck,
    ConnectionSpec,
    check,
    create_local_database,
    save_password,
    upgrade_schema,
)
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.errors import BadInput, SurgDeskError

SETTINGS_KEY = "connection/url"


def saved_url() -> str | None:
    """This user's chosen database (None: not chosen, use the department's default)."""
    value = QSettings().value(SETTINGS_KEY)
    return value if isinstance(value, str) and value else None


class ConnectionDialog(QDialog):
    def __init__(self, initial_url: str | None = None, parent: QWidget | None = None, *,
                 store: CredentialStore | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionDialog")
        self.setWindowTitle("Database connection — SurgDesk")
        self.chosen_url: str | None = None
        self.last_check: ConnectionCheck | None = None
        self.store = store or CredentialStore()
        # What Save overwrites, so that ``revert`` can put it back: the saved choice
        # (read now: a caller may check the dialog's outcome after it saved) and the
        # keyring entry of the database saved to (database key, password before).
        saved = QSettings().value(SETTINGS_KEY)
        self._url_before = saved if isinstance(saved, str) and saved else None
        self._password_before: tuple[str, str | None] | None = None

        self.local = QRadioButton("&Local file on this PC")
        self.shared = QRadioButton("&Shared department database (Postgres)")
        kinds = QButtonGroup(self)
        kinds.addButton(self.local)
        kinds.addButton(self.shared)
        self.path = QLineEdit()
        self.path.setObjectName("connectionPath")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.file_box = QGroupBox()
        file_form = QFormLayout(self.file_box)
        file_form.addRow("&File", file_row)

        self.host = QLineEdit()
        self.host.setObjectName("connectionHost")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit()
        self.database.setObjectName("connectionDatabase")
        self.user = QLineEdit()
        self.user.setObjectName("connectionUser")
        self.password = QLineEdit()
        self.password.setObjectName("connectionPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the OS keyring, never in a file")
        self.sslmode = QComboBox()
        self.sslmode.setObjectName("connectionSslMode")
        self.sslmode.addItems(list(SSL_MODES))
        self.server_box = QGroupBox()
        server = QFormLayout(self.server_box)
        server.addRow("&Host", self.host)
        server.addRow("P&ort", self.port)
        server.addRow("&Database", self.database)
        server.addRow("&User", self.user)
        server.addRow("&Password", self.password)
        server.addRow("&TLS", self.sslmode)

        self.outcome_label = QLabel()
        self.outcome_label.setObjectName("connectionResult")
        self.outcome_label.setWordWrap(True)
        self.test_button = QPushButton("Test &connection")
        self.test_button.setObjectName("connectionTest")
        self.test_button.clicked.connect(self.test)
        self.upgrade_button = QPushButton("&Upgrade schema…")
        self.upgrade_button.setObjectName("connectionUpgrade")
        self.upgrade_button.setEnabled(False)
        self.upgrade_button.clicked.connect(self.upgrade)
        tests = QHBoxLayout()
        tests.addWidget(self.test_button)
        tests.addWidget(self.upgrade_button)
        tests.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (self.local, self.file_box, self.shared, self.server_box):
            layout.addWidget(widget)
        layout.addLayout(tests)
        layout.addWidget(self.outcome_label)
        layout.addWidget(self.buttons)
        self.local.toggled.connect(self._kind_changed)
        self._fill(initial_url)
        self.setMinimumWidth(520)

    # -- form <-> spec ---------------------------------------------------------------------

    def _fill(self, url: str | None) -> None:
        try:
            spec = ConnectionSpec.from_url(url) if url else None
        except (BadInput, ValueError):
            spec = None
        shared = spec is not None and spec.kind == "postgresql"
        (self.shared if shared else self.local).setChecked(True)
        if spec is not None and spec.kind == "sqlite":
            self.path.setText(spec.path)
        if spec is not None and shared:
            self.host.setText(spec.host)
            self.port.setValue(spec.port)
            self.database.setText(spec.database)
            self.user.setText(spec.user)
            self.sslmode.setCurrentText(spec.sslmode)
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.file_box.setEnabled(self.local.isChecked())
        self.server_box.setEnabled(self.shared.isChecked())

    def spec(self) -> ConnectionSpec:
        if self.local.isChecked():
            return ConnectionSpec.parse(kind="sqlite", path=self.path.text())
        return ConnectionSpec.parse(
            kind="postgresql", host=self.host.text(), port=self.port.value(),
            database=self.database.text(), user=self.user.text(),
            sslmode=self.sslmode.currentText())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "SurgDesk database file", self.path.text(), "SQLite database (*.db)",
            options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.path.setText(path)

    def _say(self, text: str, *, good: bool) -> None:
        self.outcome_label.setText(text)
        self.outcome_label.setStyleSheet(f"color: {'#1a5e1a' if good else '#a40000'};")

    # -- actions ------------------------------------------------------------------------------

    def test(self) -> ConnectionCheck | None:
        try:
            spec = self.spec()
        except BadInput as exc:
            self._say(str(exc), good=False)
            return None
        self.last_check = check(spec, self.password.text() or None)
        self._say(self.last_check.message, good=self.last_check.usable)
        self.upgrade_button.setEnabled(self.last_check.state in ("empty", "older"))
        return self.last_check

    def upgrade(self) -> None:
        answer = QMessageBox.question(
            self, "Upgrade the schema",
            "Upgrade this database to this version of SurgDesk? Every PC that uses it must "
            "then run this version. Only an administrator should do this.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            revision = upgrade_schema(self.spec(), self.password.text() or None)
        except SurgDeskError as exc:
            self._say(f"Not upgraded — {exc}", good=False)
            return
        self._say(f"Upgraded to {revision}.", good=True)
        self.upgrade_button.setEnabled(False)

    def save(self) -> None:
        outcome = self.test()
        if outcome is None:
            return
        if not outcome.usable:
            answer = QMessageBox.question(
                self, "Save anyway?", f"{outcome.message}\n\nSave these settings anyway?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        spec = self.spec()
        if outcome.state == "new_file":
            # The one place a new local file is made: the user chose it here (opening a
            # path never creates a database by itself).
            try:
                create_local_database(spec)
            except SurgDeskError as exc:
                self._say(f"Not created — {exc}", good=False)
                return
        if spec.kind == "postgresql":
            key = database_key(spec.url())
            self._password_before = (key, self.store.load_db_password(key))
        save_password(spec, self.password.text() or None, self.store)
        self.chosen_url = spec.url()
        QSettings().setValue(SETTINGS_KEY, self.chosen_url)
        self.accept()

    def revert(self) -> None:
        """Undo what Save kept (the user declined to switch after all): the saved choice
        of database and the keyring entry go back to what they were before the dialog —
        a password typed for a database not chosen must not stay in the keyring."""
        settings = QSettings()
        if self._url_before is None:
            settings.remove(SETTINGS_KEY)
        else:
            settings.setValue(SETTINGS_KEY, self._url_before)
        if self._password_before is not None:
            key, before = self._password_before
            if before is None:
                self.store.clear_db_password(key)
            else:
                self.store.save_db_password(key, before)
            self._password_before = None
