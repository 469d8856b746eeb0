"""The composition root of the GUI: database, services, login, main window.

Nothing here runs at import time. ``run_gui`` is what ``surgdesk`` (no command) starts;
``create_main_window`` gives tests and scripts a signed-in window without any dialog.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from surgdesk import __version__, display_check, startup
from surgdesk.credentials import CredentialStore, database_key
from surgdesk.errors import SurgDeskError
from surgdesk.resources import app_icon_path
from surgdesk.services.auth import LoginResult
from surgdesk.services.context import Clock
from surgdesk.services.registry import Services

# Qt is imported inside the functions: ``run_gui`` and ``run_wall`` first check that it
# can start here (display_check), since a missing display or system library makes Qt
# abort the process while loading its platform plugin.
if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from surgdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

__all__ = ["create_main_window", "run_gui", "run_wall"]

# How long ``create_main_window`` waits for the board's first load (one interactive
# deadline and a little): past it, the window is handed back as it is.
FIRST_LOAD_WAIT_MS = 12_000


def _application() -> QApplication:
    """The QApplication, created if needed, and named and iconed either way (a host such
    as a test runner may have created it first)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from surgdesk.ui.fonts import install_ui_font

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("SurgDesk")
    app.setOrganizationName("SurgDesk")
    app.setApplicationVersion(__version__)
    icon = app_icon_path()
    if icon.is_file() and app.windowIcon().isNull():  # windows, taskbar, dialogs
        app.setWindowIcon(QIcon(str(icon)))
    install_ui_font()  # the bundled UI font (the board, wall and day list draw with it)
    return app


def create_main_window(database_url: str, *, username: str, password: str,
                       day: date | None = None, clock: Clock | None = None) -> MainWindow:
    """A logged-in main window open on ``day`` (default today), without any dialog.

    The board loads off the GUI thread; the window is handed back once that first load
    has landed (or failed, or ``FIRST_LOAD_WAIT_MS`` passed), so a script can read the
    board at once. The event loop runs meanwhile.

    The window owns its database engine: closing it stops its timers and disposes it.
    Wrong credentials raise the services' ``AuthenticationFailed`` / ``AccountLocked``.
    """
    from surgdesk.ui.main_window import MainWindow

    _application()
    # interactive: the same client-side deadline as the app, so a silent network
    # cannot freeze a scripted window either.
    services = startup.open_services(database_url, clock=clock, interactive=True)
    try:
        result = services.auth.login(username, password)
        window = MainWindow(services, result.actor, database_url=database_url, day=day)
    except BaseException:
        services.close()
        raise
    window.runner.settle(FIRST_LOAD_WAIT_MS)
    return window


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


class SwitchDatabase(Exception):
    """The user chose another database from the login dialog."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def sign_in(services: Services, database_url: str, store: CredentialStore) -> LoginResult | None:
    """A remembered session, or the login dialog; None when the user cancels.

    Raises SwitchDatabase when the user picks another database in the dialog."""
    from PySide6.QtWidgets import QDialog

    from surgdesk.ui.login import LoginDialog

    resumed = resume_session(services, database_url, store)
    if resumed is not None:
        return resumed
    dialog = LoginDialog(services, database_label=startup.describe(database_url),
                         database_url=database_url)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    if dialog.new_database_url:
        raise SwitchDatabase(dialog.new_database_url)
    if not accepted or dialog.result_login is None:
        return None
    result = dialog.result_login
    if result.token is not None:
        store.save_session(database_key(database_url), result.actor.username, result.token,
                           result.expires_at)
    return result


def run_gui(database_url: str | None, *, day: date | None = None) -> int:
    """The desktop app: login (unless a remembered session resumes), then the board.

    File > Database… in the window (``switch_database``) closes it and goes round again:
    the new database is opened and signed in to like at start.

    Returns ``display_check.EXIT_CANNOT_START`` at once, having said why in one line,
    where Qt cannot start (no display, or its system libraries missing)."""
    if (cannot := _cannot_start()) is not None:
        return cannot
    from PySide6.QtWidgets import QMessageBox

    from surgdesk.ui.connection import saved_url
    from surgdesk.ui.main_window import MainWindow

    app = _application()
    url = startup.resolve_database_url(database_url, user_choice=saved_url())
    store = CredentialStore()
    while True:
        try:
            # Interactive: no database call blocks the window past the deadline.
            services = startup.open_services(url, interactive=True)
        except SurgDeskError as exc:
            # Never the URL itself in the message: it could carry a password.
            QMessageBox.critical(None, "SurgDesk",
                                 f"Cannot open the database {startup.describe(url)}:\n{exc}")
            chosen = _choose_database(url)
            if chosen is None:
                return 1
            url = chosen
            continue
        try:
            result = sign_in(services, url, store)
        except SwitchDatabase as switch:
            services.close()
            url = switch.url
            continue
        if result is None:
            services.close()
            return 0
        window = MainWindow(services, result.actor, database_url=url, token=result.token,
                            day=day, store=store)
        switched: list[str] = []

        def switch_to(new_url: str, window: MainWindow = window,
                      switched: list[str] = switched) -> None:
            switched.append(new_url)
            window.close()  # shuts the window down and disposes its services
            app.quit()

        window.switch_database.connect(switch_to)
        window.show()
        code = app.exec()
        window.shutdown()
        if not switched:
            return int(code)
        url = switched[-1]


def run_wall(database_url: str | None) -> int:
    """The wall display: signed in as a device (the dialog only on first start; the
    never-expiring token is then kept in the keyring), today's board full screen on the
    configured monitor."""
    if (cannot := _cannot_start()) is not None:
        return cannot
    from PySide6.QtWidgets import QMessageBox

    from surgdesk.config import DepartmentConfig, load_department_config
    from surgdesk.ui.connection import saved_url
    from surgdesk.ui.wall import WallWindow, sign_in_device

    app = _application()
    url = startup.resolve_database_url(database_url, user_choice=saved_url())
    try:
        config = load_department_config() or DepartmentConfig()
        services = startup.open_services(url, interactive=True)
    except SurgDeskError as exc:
        QMessageBox.critical(None, "SurgDesk wall display",
                             f"Cannot open the database {startup.describe(url)}:\n{exc}")
        return 1
    result = sign_in_device(services, url, CredentialStore(),
                            database_label=startup.describe(url))
    if result is None:
        services.close()
        return 0
    window = WallWindow(services, result.actor, clock=services.clock, config=config,
                        database_url=url)
    window.owns_services = True
    window.show_on_wall()
    code = app.exec()
    window.shutdown()
    return int(code)


def _cannot_start() -> int | None:
    """The display check, unless a QApplication runs already (a host such as a test
    runner made it: Qt has started)."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is not None and widgets.QApplication.instance() is not None:
        return None
    return display_check.require_gui()


def _choose_database(current: str) -> str | None:
    """After a failed open: the connection settings, or None to give up."""
    from surgdesk.ui.connection import ConnectionDialog

    dialog = ConnectionDialog(current)
    return dialog.chosen_url if dialog.exec() and dialog.chosen_url else None
