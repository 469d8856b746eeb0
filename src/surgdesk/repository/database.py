"""Engines and sessions for SQLite and Postgres, behind one interface.

A deadline for interactive work (Postgres)
------------------------------------------
A network that goes *silent* (a switch or VPN that drops traffic without a reset) is the
one failure TCP does not report: the bytes the client sends are still acknowledged by
something on the path (in the tests, the fault proxy's kernel), so neither keepalives nor
``tcp_user_timeout`` ever fire, and libpq would wait for the server's reply forever. In
the GUI that is a frozen window. An engine made with ``deadline_s`` (the GUI's, through
``open_database(..., interactive=True)``) therefore gives every network wait of every
connection a deadline: its connections are ``pg_deadline.DeadlineConnection``, a psycopg
connection whose :meth:`~DeadlineConnection.wait` — the one place psycopg waits for the
socket, for a query, its results, COMMIT, ROLLBACK and the pool's pre-ping alike — passes
psycopg's own wait timeout. Past it the connection is closed (it is mid-protocol and
cannot be reused) and ``pg_deadline.NoReply`` is raised; SQLAlchemy sees a closed connection,
invalidates it, and the unit of work reports ``DatabaseUnavailable("no reply from the
database within 10 s")``. A pre-ping that gets no reply makes the pool open a new
connection, bounded by ``connect_timeout``: a call made on a silent network so returns
within the deadline plus, at worst, one connect timeout — 10 + 5 s, measured 15.0 s by
``benchmarks/outage.py``; the window's heartbeat has declared the outage well before.

Why not a watchdog thread that shuts the socket down: psycopg (3.2+) waits in Python with
``select``, not inside libpq, so the waiting thread can keep its own deadline — no thread,
no bookkeeping of which pooled connection is busy since when, and no race between a reply
that arrives just in time and a socket being shut down under it.

The deadline is opt-in: the CLI, migrations, demo generation and bulk imports may run
statements that legitimately take longer, and a terminal can be interrupted with Ctrl-C.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
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
# The longest an interactive (GUI) database call waits for the server's reply. Every GUI
# statement answers in milliseconds; 10 s (plus one connect timeout when a pooled
# connection proves dead, so at worst 15 s) bounds how long a silent network can freeze
# the window.
OPERATION_DEADLINE_S = 10.0
# How long opening a Postgres connection may take (libpq connect_timeout, whole seconds).
CONNECT_TIMEOUT_S = 5
# The server ends a session left idle inside a transaction after this long. A client that
# vanished mid-transaction (a silent network, a killed PC) would otherwise hold its row
# and room locks until the server's own keepalives give up — hours with OS defaults — and
# every other PC's write to those rows would wait behind it. No SurgDesk transaction waits
# on a person: they run from the first statement to COMMIT without pause.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000


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


def _with_option(existing: object, option: str) -> str:
    """libpq ``options`` with ``option`` added to what the URL already asks for."""
    return f"{existing} {option}" if isinstance(existing, str) and existing else option


def make_engine(url: str | URL, *, application_name: str = "surgdesk",
                deadline_s: float | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``. ``deadline_s`` (Postgres; see the module docstring): no
    single wait for the server lasts longer — for interactive use only."""
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
        connect_args: dict[str, Any] = {
            "application_name": application_name,
            "connect_timeout": CONNECT_TIMEOUT_S,
            # Notice a dead peer (nothing acknowledged any more) within seconds, not after
            # the OS default of hours. A path that still acknowledges but never delivers
            # defeats these: that is what ``deadline_s`` is for.
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": 10_000,
            # See IDLE_IN_TRANSACTION_TIMEOUT_MS: locks of a vanished client do not linger.
            "options": _with_option(
                parsed.query.get("options"),
                f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}"),
        }
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(
            parsed, connect_args=connect_args, pool_pre_ping=True, **kwargs
        )
        if deadline_s is not None:
            # Imported here: psycopg's import costs a SQLite command line ~0.15 s.
            from surgdesk.repository.pg_deadline import deadline_supported, install_deadline

            if deadline_supported():
                install_deadline(engine, deadline_s)
            else:
                log.warning("this psycopg has no wait timeout: database calls get no "
                            "client-side deadline (upgrade psycopg)")
        return engine
    raise BadInput(
        FieldProblem("database", f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    )


# Keys of the transaction-level advisory locks (Postgres), one per check-then-insert that
# no constraint can guard.
FIRST_USER_LOCK = 0x5D_0001


def lock_for_transaction(session: Session, key: int) -> None:
    """Serialize a check-then-insert across connections until this transaction ends.

    Postgres: ``pg_advisory_xact_lock`` (a second caller waits, and its next statement
    sees what the first committed — READ COMMITTED). SQLite needs nothing: a writer's
    ``BEGIN IMMEDIATE`` already holds the only write lock from its first statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


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
