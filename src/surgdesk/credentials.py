"""Secrets kept between runs: the session token per database, and a Postgres password.

Everything goes through the ``keyring`` package, so ``PYTHON_KEYRING_BACKEND`` and
keyring's own config file choose the store as users expect. Where the OS has no usable
keyring (``NoKeyringError``, or only keyring's ``fail``/``null`` backends — headless
servers), the store says so once and falls back to a JSON file readable only by this user
(mode 0600) in the data folder, so IT scripts still work. ``keyrings.alt`` is never used:
it silently keeps secrets in plain text where the user does not expect them.

The plain password of a SurgDesk account is never stored anywhere.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import keyring
import keyring.errors
from keyring.backends import chainer, fail, null

from surgdesk import paths

log = logging.getLogger(__name__)

SERVICE = "SurgDesk"
# The issue calls it "a session file"; it holds the Postgres password too, when needed.
FALLBACK_FILE = "sessions.json"
FALLBACK_NOTICE = (
    "no usable OS keyring here (keyring backend: {backend}); SurgDesk keeps its session "
    "in {path}, readable only by you"
)
# Per fallback file: has the notice been handed to someone to print yet? Process-wide,
# so every store instance logs it once and the CLI prints it once, whichever asks.
_notice_taken: dict[Path, bool] = {}


@dataclass(frozen=True, slots=True)
class StoredSession:
    username: str
    token: str
    expires_at: datetime | None  # None: a device session

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def database_key(url: str) -> str:
    """A stable name for a database: its URL without password, driver or options.

    ``postgres://u:pw@h/db`` and ``postgresql+psycopg://u@h:5432/db`` name the same
    database; a SQLite file is named by its absolute path.
    """
    scheme, _, rest = url.partition("://")
    backend = scheme.split("+", 1)[0].lower()
    if backend == "sqlite":
        file = rest.removeprefix("/").split("?", 1)[0]
        return f"sqlite:{Path(file).expanduser().resolve() if file else ':memory:'}"
    if backend == "postgres":
        backend = "postgresql"
    parts = urlsplit(f"{backend}://{rest}")
    user = f"{parts.username}@" if parts.username else ""
    return f"{backend}://{user}{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def _unusable(backend: Any) -> bool:
    """keyring's placeholders: ``fail`` raises on every call, ``null`` drops every secret."""
    if isinstance(backend, fail.Keyring | null.Keyring):
        return True
    if isinstance(backend, chainer.ChainerBackend):
        return all(_unusable(b) for b in backend.backends)
    return False


class CredentialStore:
    """Session tokens and database passwords, in the OS keyring or the 0600 fallback file."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._data_dir = data_dir
        self._fallback = False

    # -- what the CLI and GUI call -------------------------------------------------

    def save_session(
        self, db_key: str, username: str, token: str, expires_at: datetime | None
    ) -> None:
        value = {
            "username": username,
            "token": token,
            "expires_at": expires_at.isoformat() if expires_at else None,
        }
        self._set(f"session:{db_key}", json.dumps(value))

    def load_session(self, db_key: str) -> StoredSession | None:
        raw = self._get(f"session:{db_key}")
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            expires = data.get("expires_at")
            return StoredSession(
                username=str(data["username"]),
                token=str(data["token"]),
                expires_at=datetime.fromisoformat(expires) if expires else None,
            )
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring an unreadable stored session for %s", db_key)
            return None

    def clear_session(self, db_key: str) -> None:
        self._delete(f"session:{db_key}")

    def save_db_password(self, db_key: str, password: str) -> None:
        self._set(f"db-password:{db_key}", password)

    def load_db_password(self, db_key: str) -> str | None:
        return self._get(f"db-password:{db_key}")

    def clear_db_password(self, db_key: str) -> None:
        self._delete(f"db-password:{db_key}")

    def backend_name(self) -> str:
        if self.using_fallback():
            return f"file ({self.fallback_path()})"
        backend = keyring.get_keyring()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def using_fallback(self) -> bool:
        if not self._fallback and _unusable(keyring.get_keyring()):
            self._switch_to_fallback()
        return self._fallback

    def take_notice(self) -> str | None:
        """The fallback notice, once per process and file: the CLI prints it to stderr."""
        path = self.fallback_path()
        if not self.using_fallback() or _notice_taken.get(path, True):
            return None
        _notice_taken[path] = True
        return self._notice()

    def fallback_path(self) -> Path:
        return (self._data_dir or paths.data_dir()) / FALLBACK_FILE

    # -- keyring, or the file when there is none -------------------------------------

    def _get(self, key: str) -> str | None:
        if not self.using_fallback():
            try:
                value: str | None = keyring.get_password(SERVICE, key)
                return value
            except keyring.errors.NoKeyringError:
                self._switch_to_fallback()
        return self._read_file().get(key)

    def _set(self, key: str, value: str) -> None:
        if not self.using_fallback():
            try:
                keyring.set_password(SERVICE, key, value)
                return
            except keyring.errors.NoKeyringError:
                self._switch_to_fallback()
        data = self._read_file()
        data[key] = value
        self._write_file(data)

    def _delete(self, key: str) -> None:
        if not self.using_fallback():
            try:
                keyring.delete_password(SERVICE, key)
                return
            except keyring.errors.PasswordDeleteError:
                return  # nothing stored: deleting is idempotent
            except keyring.errors.NoKeyringError:
                self._switch_to_fallback()
        data = self._read_file()
        if data.pop(key, None) is not None:
            self._write_file(data)

    def _switch_to_fallback(self) -> None:
        self._fallback = True
        path = self.fallback_path()
        if path not in _notice_taken:
            _notice_taken[path] = False
            log.warning(self._notice())

    def _notice(self) -> str:
        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__name__}"
        return FALLBACK_NOTICE.format(backend=name, path=self.fallback_path())

    def _read_file(self) -> dict[str, str]:
        path = self.fallback_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("ignoring the unreadable credentials file %s", path)
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write_file(self, data: dict[str, str]) -> None:
        """Write beside the file, then rename: a crash never leaves half a file.

        The temporary file is created with mode 0600 by ``os.open`` itself, so the secret
        is never readable by others, not even between create and chmod.
        """
        path = self.fallback_path()
        paths.ensure_private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
