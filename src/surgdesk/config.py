"""The machine-wide department configuration IT puts on every PC.

One TOML file in the OS's standard place for machine-wide settings:

- Linux: ``/etc/surgdesk/surgdesk.toml``
- Windows: ``%ProgramData%\\SurgDesk\\surgdesk.toml``
- macOS: ``/Library/Application Support/SurgDesk/surgdesk.toml``

``SURGDESK_CONFIG`` points at another file (tests, IT trying a change). Every key is
optional; a missing file means the built-in defaults. A per-user setting can only narrow
what this file allows (a shorter idle lock, no "remember me"), never widen it. The keys
are documented in ``packaging/README-IT.md``.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from surgdesk.errors import BadInput, FieldProblem

CONFIG_ENV = "SURGDESK_CONFIG"
CONFIG_FILE = "surgdesk.toml"

RememberMePolicy = Literal["allowed", "forbidden"]

DEFAULT_IDLE_LOCK_MINUTES = 15
MAX_IDLE_LOCK_MINUTES = 240
_DATABASE_SCHEMES = {"sqlite", "postgresql", "postgres", "postgresql+psycopg"}


class ConfigError(BadInput):
    """The department config file cannot be read or has a bad value; names the key."""

    def __init__(self, path: Path, problems: list[FieldProblem]) -> None:
        self.path = path
        super().__init__(problems)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class _Section(BaseModel):
    # strict: TOML is typed, so "15" (a string) for a number is a mistake worth naming.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DatabaseSection(_Section):
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _no_password(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in _DATABASE_SCHEMES:
            raise ValueError(
                f"unsupported database {parts.scheme or value!r}: use postgresql:// or sqlite:///"
            )
        query = {key.lower() for key in parse_qs(parts.query)}
        if parts.password is not None or "password" in query:
            # A file every user of the PC can read is no place for a secret.
            raise ValueError(
                "must not contain a password: each user enters it once and SurgDesk keeps "
                "it in the OS keyring"
            )
        return value


class SessionSection(_Section):
    remember_me: RememberMePolicy = "allowed"
    idle_lock_minutes: int = Field(DEFAULT_IDLE_LOCK_MINUTES, ge=1, le=MAX_IDLE_LOCK_MINUTES)


class WallSection(_Section):
    monitor: int = Field(0, ge=0, le=15)
    high_contrast: bool = False
    days: int = Field(1, ge=1, le=7)


class DepartmentConfig(_Section):
    database: DatabaseSection = DatabaseSection()
    session: SessionSection = SessionSection()
    wall: WallSection = WallSection()

    @property
    def database_url(self) -> str | None:
        return self.database.url

    @property
    def remember_me_allowed(self) -> bool:
        return self.session.remember_me == "allowed"

    @property
    def idle_lock_minutes(self) -> int:
        return self.session.idle_lock_minutes


def standard_config_path(platform: str | None = None) -> Path:
    """Where this OS keeps machine-wide settings (ignores ``SURGDESK_CONFIG``)."""
    platform = platform or sys.platform
    if platform == "win32":
        program_data = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data) / "SurgDesk" / CONFIG_FILE
    if platform == "darwin":
        return Path("/Library/Application Support/SurgDesk") / CONFIG_FILE
    return Path("/etc/surgdesk") / CONFIG_FILE


def config_path() -> Path:
    """The file this process reads: ``SURGDESK_CONFIG`` if set, else the standard place."""
    override = os.environ.get(CONFIG_ENV, "").strip()
    return Path(override).expanduser() if override else standard_config_path()


def parse_department_config(text: str, path: Path) -> DepartmentConfig:
    """Parse and validate the TOML text; a bad value raises ConfigError naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [FieldProblem("file", f"not valid TOML ({exc})")]) from None
    try:
        return DepartmentConfig.model_validate(data)
    except ValidationError as exc:
        problems = [
            FieldProblem(
                ".".join(str(part) for part in error["loc"]) or "file",
                "unknown key" if error["type"] == "extra_forbidden" else error["msg"],
            )
            for error in exc.errors()
        ]
        raise ConfigError(path, problems) from None


def load_department_config(path: Path | None = None) -> DepartmentConfig | None:
    """The department config, or None when there is no file (built-in defaults apply).

    A file named by ``SURGDESK_CONFIG`` (or ``path``) must exist: someone asked for it.
    """
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV, "").strip())
    target = path if path is not None else config_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(target, [FieldProblem("file", "does not exist")]) from None
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(target, [FieldProblem("file", f"cannot be read ({exc})")]) from None
    return parse_department_config(text, target)


def effective_remember_me(
    user_pref: bool, department_allowed: bool, machine: DepartmentConfig | None
) -> bool:
    """Remember the login only when the user asks and neither the department (database
    setting) nor this machine's config forbids it: any "no" wins."""
    machine_allows = machine is None or machine.remember_me_allowed
    return user_pref and department_allowed and machine_allows


def effective_idle_lock_minutes(
    user_minutes: int | None, department_minutes: int | None, machine: DepartmentConfig | None
) -> int:
    """The screen locks after the shortest of the idle times that are set: a user can
    choose a shorter lock than the department or the machine, never a longer one."""
    candidates = [m for m in (user_minutes, department_minutes) if m is not None and m > 0]
    if machine is not None:
        candidates.append(machine.idle_lock_minutes)
    return min(candidates) if candidates else DEFAULT_IDLE_LOCK_MINUTES
