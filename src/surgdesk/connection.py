"""Which database this PC works on: a local file, or the department's shared Postgres.

The connection form's logic, without Qt: a validated spec, the URL it makes (never with the
password), the password kept in the OS keyring, and a "test connection" that also says
whether the schema matches this version of SurgDesk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from surgdesk.credentials import CredentialStore, database_key
from surgdesk.errors import BadInput, DatabaseUnavailable, FieldProblem
from surgdesk.repository import connect, migrate
from surgdesk.services.base import validate

SslMode = Literal["disable", "prefer", "require", "verify-ca", "verify-full"]
SSL_MODES: tuple[SslMode, ...] = ("disable", "prefer", "require", "verify-ca", "verify-full")


class ConnectionSpec(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    kind: Literal["sqlite", "postgresql"]
    path: str = ""
    host: str = Field("", max_length=253)
    port: int = Field(5432, ge=1, le=65535)
    database: str = Field("", max_length=63)
    user: str = Field("", max_length=63)
    sslmode: SslMode = "prefer"

    @model_validator(mode="after")
    def _complete(self) -> ConnectionSpec:
        if self.kind == "sqlite":
            if not self.path:
                raise BadInput(FieldProblem("path", "choose a database file"))
            return self
        for name in ("host", "database", "user"):
            if not getattr(self, name):
                raise BadInput(FieldProblem(name, "is required for a shared database"))
        if any(ch in self.host for ch in "/@:? "):
            raise BadInput(FieldProblem("host", "a host name or address, nothing else"))
        return self

    @classmethod
    def parse(cls, **fields: object) -> ConnectionSpec:
        """Build from form values; BadInput names each bad field."""
        return validate(cls, dict(fields))

    @classmethod
    def from_url(cls, url: str) -> ConnectionSpec:
        return cls.model_validate(connect.url_parts(url))

    def url(self) -> str:
        """The URL this PC keeps (no password: that lives in the keyring)."""
        if self.kind == "sqlite":
            return f"sqlite:///{Path(self.path).expanduser()}"
        return (f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"
                f"?sslmode={self.sslmode}")


@dataclass(frozen=True)
class ConnectionCheck:
    state: Literal["ok", "empty", "older", "newer", "new_file", "unreachable"]
    message: str

    @property
    def usable(self) -> bool:
        """SurgDesk can run on it as it is (a new local file is created and migrated)."""
        return self.state in ("ok", "new_file")


def _with_password(spec: ConnectionSpec, password: str | None) -> str:
    url = spec.url()
    return connect.with_password(url, password) if password else url


def check(spec: ConnectionSpec, password: str | None = None) -> ConnectionCheck:
    """Connect and compare schemas; changes nothing, saves nothing."""
    if spec.kind == "sqlite" and not Path(spec.path).expanduser().exists():
        try:
            connect.check_sqlite_file(spec.url(), create=True, dry_run=True)
        except BadInput as exc:
            return ConnectionCheck("unreachable", f"cannot use it: {exc}")
        return ConnectionCheck("new_file", "a new database file will be created there")
    try:
        state, current, head = connect.schema_state(_with_password(spec, password))
    except (DatabaseUnavailable, BadInput) as exc:
        return ConnectionCheck("unreachable", f"cannot connect: {exc}")
    messages = {
        "ok": f"connected; the schema ({head}) matches this version of SurgDesk",
        "empty": "connected; the database is empty: an administrator sets it up "
                 "(Upgrade schema, or `surgdesk db upgrade`)",
        "older": f"connected; the schema ({current}) is older than this version ({head}): "
                 "an administrator must upgrade it before SurgDesk can use it",
        "newer": f"connected; the schema ({current}) is newer than this version knows "
                 f"({head}): install the newer SurgDesk",
    }
    return ConnectionCheck(state, messages[state])  # type: ignore[arg-type]


def create_local_database(spec: ConnectionSpec) -> None:
    """Make the new local database the user chose (``check`` said "new_file"): the file
    readable by this user only, with this version's schema. Opening a SQLite path never
    creates a database by itself (a typo or a share not mounted must not become a new
    empty database), so the connection form calls this when it saves a new file."""
    if spec.kind != "sqlite":
        return
    url = spec.url()
    connect.check_sqlite_file(url, create=True)
    connect.open_database(url).dispose()  # prepared: the empty file gets the schema


def upgrade_schema(spec: ConnectionSpec, password: str | None = None) -> str:
    """Bring an empty or older database to this version's schema (administrators)."""
    db = connect.open_database(_with_password(spec, password), prepare=False)
    try:
        migrate.upgrade(db.engine)
        return migrate.current_revision(db.engine) or ""
    finally:
        db.dispose()


def save_password(spec: ConnectionSpec, password: str | None,
                  store: CredentialStore | None = None) -> None:
    """Keep (or forget, with None/empty) the Postgres password in the OS keyring."""
    if spec.kind != "postgresql":
        return
    store = store or CredentialStore()
    key = database_key(spec.url())
    if password:
        store.save_db_password(key, password)
    else:
        store.clear_db_password(key)
