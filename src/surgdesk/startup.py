"""Opening a database the way the app and the CLI both do (no Qt here).

Which database: ``--database`` > ``SURGDESK_DATABASE_URL`` > the machine-wide department
config > a SQLite file in the user's data folder. A local SQLite file is upgraded in place
(after a backup copy); a shared Postgres whose schema differs is refused.

Only the default file (in the user's data folder, made private: 0600 in a 0700 folder) and
an explicit ``create`` (``surgdesk db upgrade``, ``surgdesk demo``) make a new database; any
other SQLite path must already be a SurgDesk database, or the error names the file and what
is wrong with it (missing, empty, a folder, not SQLite, damaged, read-only).
"""

from __future__ import annotations

import os

from surgdesk.credentials import database_key
from surgdesk.repository import connect
from surgdesk.repository.database import Database
from surgdesk.services.context import Clock
from surgdesk.services.registry import Services

ENV_URL = "SURGDESK_DATABASE_URL"
describe = connect.describe
is_sqlite = connect.is_sqlite


def default_sqlite_url() -> str:
    from surgdesk.paths import default_database_path

    return f"sqlite:///{default_database_path()}"


def resolve_database_url(explicit: str | None, *, user_choice: str | None = None) -> str:
    """``user_choice`` is the database the user picked in the GUI's connection settings."""
    if explicit:
        return explicit
    if env := os.environ.get(ENV_URL):
        return env
    if user_choice:
        return user_choice
    from surgdesk.config import load_department_config

    config = load_department_config()
    if config is not None and config.database_url:
        return config.database_url
    return default_sqlite_url()


def with_stored_password(url: str) -> str:
    """Fill in a Postgres password from the OS keyring when the URL carries none."""
    if connect.is_sqlite(url) or connect.has_password(url):
        return url
    from surgdesk.credentials import CredentialStore

    password = CredentialStore().load_db_password(database_key(url))
    return connect.with_password(url, password) if password else url


def open_database(url: str, *, prepare: bool = True, interactive: bool = False,
                  create: bool = False) -> Database:
    """``create``: a missing or empty SQLite file may become a new database (the default
    file always may)."""
    default = url == default_sqlite_url()
    connect.check_sqlite_file(url, create=create or default, private_folders=default)
    return connect.open_database(with_stored_password(url), prepare=prepare,
                                 interactive=interactive, new_schema=create or default)


def open_services(url: str, *, clock: Clock | None = None, interactive: bool = False,
                  create: bool = False) -> Services:
    """``interactive`` (the GUI): database calls get a deadline (see ``connect``).
    ``create``: see :func:`open_database`."""
    from surgdesk.config import load_department_config

    machine = load_department_config()
    return Services.create(open_database(url, interactive=interactive, create=create),
                           clock=clock, machine=machine)
