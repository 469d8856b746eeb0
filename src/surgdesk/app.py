"""The composition root of the GUI: database, services, login, main window.

Nothing here runs at import time. ``run_gui`` is what ``surgdesk`` (no command) starts;
``create_main_window`` gives tests and scripts a signed-in window without any dialog.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from surgdesk import __version__, startup
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.errors import SurgDeskError
from surgdesk.resources import app_icon_path
from surgdesk.services.auth import LoginResult
from surgdesk.services.context import Clock
from surgdesk.services.registry import Services
from surgdesk.ui.login import LoginDialog
from surgdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

__all__ = ["MainWindow", "create_main_window", "run_gui"]


def _application() -> QApplication:
    """The QApplication, created if needed, and named and iconed either way (a host such
    as a test runner may have created it first)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("SurgDesk")
    app.setOrganizationName("SurgDesk")
    app.setApplicationVersion(__version__)
    icon = app_icon_path()
    if icon.is_file() and app.windowIcon().isNull():  # windows, taskbar, dialogs
        app.setWindowIcon(QIcon(str(icon)))
    return app


def create_main_window(database_url: str, *, username: str, password: str,
                       day: date | None = None, clock: Clock | None = None) -> MainWindow:
    """A logged-in main window open on ``day`` (default today), without any dialog.

    The window owns its database engine: closing it stops its timers and disposes it.
    Wrong credentials raise the services' ``AuthenticationFailed`` / ``AccountLocked``.
    """
    _application()
    services = startup.open_services(database_url, clock=clock)
    try:
        result = services.auth.login(username, password)
        return MainWindow(services, result.actor, database_url=database_url, day=day)
    except BaseException:
        services.close()
        raise


def resume_session(services: Services, database_url: str,
                   store: CredentialStore) -> LoginResult | None:
    """The remembered login for this database, if its token is still good."""
    key = database_key(database_url)
    stored = store.load_session(key)
    if stored is None:
        return None
    if stored.expired(datetime.now(UTC)):
        store.clear_session(key)
        return None
    try:
        actor = services.auth.resume(stored.token)
    except SurgDeskError as exc:
        log.info("remembered session not usable: %s", exc)
        store.clear_session(key)
        return None
    return LoginResult(actor=actor, token=stored.token, expires_at=stored.expires_at)


def sign_in(services: Services, database_url: str, store: CredentialStore) -> LoginResult | None:
    """A remembered session, or the login dialog; None when the user cancels."""
    resumed = resume_session(services, database_url, store)
    if resumed is not None:
        return resumed
    dialog = LoginDialog(services, database_label=startup.describe(database_url))
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_login is None:
        return None
    result = dialog.result_login
    if result.token is not None:
        store.save_session(database_key(database_url), result.actor.username, result.token,
                           result.expires_at)
    return result


def run_gui(database_url: str | None, *, day: date | None = None) -> int:
    """The desktop app: login (unless a remembered session resumes), then the board."""
    app = _application()
    url = startup.resolve_database_url(database_url)
    try:
        services = startup.open_services(url)
    except SurgDeskError as exc:
        QMessageBox.critical(None, "SurgDesk", f"Cannot open the database {url!r}:\n{exc}")
        return 1
    store = CredentialStore()
    result = sign_in(services, url, store)
    if result is None:
        services.close()
        return 0
    window = MainWindow(services, result.actor, database_url=url, token=result.token, day=day,
                        store=store)
    window.show()
    code = app.exec()
    window.shutdown()
    return int(code)
