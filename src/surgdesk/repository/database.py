"""Engines and sessions for SQLite and Postgres, behind one interface."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from surgdesk.errors import BadInput, FieldProblem
from surgdesk.repository.changefeed import install_change_feed

log = logging.getLogger(__name__)

# A writer waits this long for another writer before giving up (SQLite).
SQLITE_BUSY_TIMEOUT_MS = 30_000
_READ_ONLY = "surgdesk_read_only"


def normalize_url(url: str | URL) -> URL:
    """Accept ``postgresql://`` and ``postgres://`` and pick the psycopg 3 driver."""
    if isinstance(url, str) and url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    try:
        parsed = make_url(url)
    except ArgumentError:
        problem = FieldProblem("database", f"{str(url)[:80]!r} is not a database URL")
        raise BadInput(problem) from None
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_url_for(path: Path) -> str:
    return f"sqlite:///{path}"


def describe_url(url: str | URL) -> str:
    """A human label for the status bar: the file, or user@host/db. Never the password."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.username or ''}@{host}{port}/{parsed.database or ''}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN IMMEDIATE can be issued: a
        # writer then takes the write lock up front and check-then-write is atomic.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str | URL, *, application_name: str = "surgdesk", **kwargs: Any) -> Engine:
    parsed = normalize_url(url)
    # Driver errors must not carry row values (patient names) into logs and tracebacks.
    kwargs.setdefault("hide_parameters", True)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        connect_args = {
            "application_name": application_name,
            "connect_timeout": 5,
            # Notice a silent network within seconds, not after the OS default of hours.
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": 10_000,
        }
        connect_args.update(kwargs.pop("connect_args", {}))
        return create_engine(
            parsed, connect_args=connect_args, pool_pre_ping=True, **kwargs
        )
    raise BadInput(
        FieldProblem("database", f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    )


def make_nullpool_engine(url: str | URL) -> Engine:
    """An engine that opens and closes a connection per use (CLI, tests, migrations)."""
    return make_engine(url, poolclass=NullPool)


@dataclass
class Database:
    """The engine plus the two session factories: writers and readers."""

    engine: Engine

    def __post_init__(self) -> None:
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            self.engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )
        install_change_feed(self._writer)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def url(self) -> URL:
        return self.engine.url

    def new_session(self, *, read_only: bool = False) -> Session:
        return (self._reader if read_only else self._writer)()

    @contextmanager
    def connect(self) -> Iterator[Any]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
