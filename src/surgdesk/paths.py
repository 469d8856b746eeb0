"""Where SurgDesk keeps its per-user files: the default SQLite database, logs, fallbacks.

``SURGDESK_DATA_DIR`` overrides the folder (tests, portable installs, IT scripts);
otherwise it is the OS's per-user data folder (Windows AppData, macOS Application
Support, XDG on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "SurgDesk"
DATA_DIR_ENV = "SURGDESK_DATA_DIR"
DATABASE_FILE = "surgdesk.db"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    # appauthor=False: no "SurgDesk\SurgDesk" nesting on Windows.
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """Logs live under the data folder when it is overridden, so tests stay in tmp."""
    if os.environ.get(DATA_DIR_ENV, "").strip():
        return data_dir() / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_database_path() -> Path:
    return data_dir() / DATABASE_FILE


def default_database_url() -> str:
    return f"sqlite:///{default_database_path()}"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable only by this user where the OS allows it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
