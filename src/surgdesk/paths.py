"""Where SurgDesk keeps its per-user files: the default SQLite database, logs, fallbacks.

``SURGDESK_DATA_DIR`` overrides the folder (tests, portable installs, IT scripts);
otherwise it is the OS's per-user data folder (Windows AppData, macOS Application
Support, XDG on Linux).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import platformdirs

APP_NAME = "SurgDesk"
DATA_DIR_ENV = "SURGDESK_DATA_DIR"
DATABASE_FILE = "surgdesk.db"
# The data folder holds patients and password hashes, the logs who did what: only the
# user may read them.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
log = logging.getLogger(__name__)


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
    """Create ``path`` (and parents) readable only by this user where the OS allows it;
    an existing one made world-readable (by an older version) is tightened."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    make_private(path, PRIVATE_DIR)
    return path


def make_private(path: Path, mode: int) -> None:
    """Take group and other access away from ``path``; one that is not ours (or a
    system without POSIX modes) is left as it is."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        log.warning("could not make %s private", path)


def private_opener(path: str, flags: int) -> int:
    """``open(..., opener=private_opener)``: a file created readable by this user only."""
    return os.open(path, flags, PRIVATE_FILE)
