"""The Postgres side of the change feed: a LISTEN connection with a heartbeat (see
``repository.feed``'s docstring). Its own module so that psycopg is imported only when a
Postgres database is watched."""

from __future__ import annotations

import selectors
import time
from collections.abc import Callable
from types import TracebackType
from typing import NoReturn, Self

import psycopg
from psycopg import pq, sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL

from surgdesk.errors import DatabaseUnavailable
from surgdesk.repository.changefeed import NOTIFY_CHANNEL
from surgdesk.repository.database import CONNECT_TIMEOUT_S, normalize_url

# The listener's heartbeat: the cheapest question the server must answer.
_HEARTBEAT = b"SELECT 1"
# Same intent as database.make_engine: notice a dead peer within seconds. A *silent*
# network (bytes acknowledged, never delivered) defeats these; the heartbeat does not.
_PG_KEEPALIVES: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


class PostgresListener:
    """A dedicated autocommit connection LISTENing on the change channel, with a heartbeat.

    Watch :meth:`fileno` for readability (a ``QSocketNotifier``), then call :meth:`drain`,
    which never waits (only connecting does, up to ``CONNECT_TIMEOUT_S`` for the
    connection and as long again for LISTEN). NOTIFY is transactional, so a rolled-back
    write is never announced. A lost connection raises :class:`DatabaseUnavailable` from
    :meth:`drain`; reconnecting is the caller's job (a new listener, then catch up from
    the change log).

    Why a heartbeat: a LISTEN connection only ever reads, so a network that goes silent
    (bytes acknowledged on the way, never delivered, no reset) looks exactly like a quiet
    department — TCP keepalives and ``tcp_user_timeout`` are answered or satisfied by
    whatever acknowledges the bytes, and nothing ever fails. Only a question the *server*
    must answer tells them apart. :meth:`ping` sends one (``SELECT 1``) without waiting;
    its reply arrives on the same socket as the notifications, so :meth:`drain` reads
    both, and :meth:`unanswered_seconds` says how long the question has waited. All of it
    talks to libpq directly (``send_query``/``flush``/``consume_input``/``is_busy``/
    ``get_result``/``notifies`` on a non-blocking connection): psycopg's own ``execute``
    would wait for the reply, which is the one thing that must never happen here.
    Notifications that arrive before, between or after heartbeat replies are all queued
    by libpq and all reported.
    """

    poll_interval_ms: int | None = None

    def __init__(self, url: str | URL, *, application_name: str = "surgdesk-listener",
                 clock: Callable[[], float] = time.monotonic) -> None:
        conninfo = normalize_url(url).set(drivername="postgresql")
        try:
            self._conn = psycopg.connect(
                make_conninfo(conninfo.render_as_string(hide_password=False),
                              connect_timeout=CONNECT_TIMEOUT_S,
                              application_name=application_name, **_PG_KEEPALIVES),
                autocommit=True,
            )
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(_reason("cannot listen for changes", exc)) from None
        self._pg = self._conn.pgconn
        # psycopg connections are non-blocking already; said here because everything
        # below relies on it (send_query and flush must return at once).
        self._pg.nonblocking = 1
        # Kept: once the connection is lost psycopg cannot say which socket it was, and the
        # GUI needs the number to switch its notifier off.
        self._fd = self._conn.fileno()
        self.backend_pid = self._conn.info.backend_pid
        self._clock = clock
        self._goodbye: str | None = None  # a FATAL the server sent before hanging up
        self._lost: str | None = None  # why the connection is gone, once it is
        self._ping_sent_at: float | None = None
        self._heard = False  # notifications taken in, not yet reported by drain()
        self._conn.add_notice_handler(self._on_notice)
        try:
            listen = sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL))
            self._run_now(listen.as_bytes(self._conn), timeout=CONNECT_TIMEOUT_S)
        except (psycopg.OperationalError, _ListenFailed) as exc:
            self._conn.close()
            raise DatabaseUnavailable(_reason("cannot listen for changes", exc)) from None

    def _run_now(self, query: bytes, *, timeout: float) -> None:
        """Run one command and wait for its end, at most ``timeout`` seconds (setup)."""
        pg = self._pg
        pg.send_query(query)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _ListenFailed(f"no reply from the database within {timeout:g} s")
            if pg.flush():
                _wait_for(self._fd, selectors.EVENT_WRITE, remaining)
                continue
            pg.consume_input()
            while not pg.is_busy():
                result = pg.get_result()
                if result is None:
                    return
                if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
                    raise _ListenFailed(_result_message(result))
            _wait_for(self._fd, selectors.EVENT_READ, remaining)

    def fileno(self) -> int:
        return self._fd

    def drain(self) -> bool:
        """Read what arrived (notifications, heartbeat replies) without waiting: True if
        there were notifications since the last drain."""
        if self._lost is not None:
            self._lose(self._lost)
        if self._conn.closed:
            raise DatabaseUnavailable("the change listener's connection is closed")
        try:
            self._take_in()
        except psycopg.OperationalError as exc:
            self._lose(_reason("the change listener lost the database", exc))
        if self._goodbye is not None:
            self._lose(f"the change listener lost the database ({self._goodbye})")
        heard, self._heard = self._heard, False
        return heard

    changed = drain

    def ping(self) -> None:
        """Send a heartbeat unless one is outstanding. Never waits, never raises: a
        failure to send is reported by the next :meth:`drain`."""
        if self._ping_sent_at is not None or self._lost is not None or self._conn.closed:
            return
        self._ping_sent_at = self._clock()
        try:
            self._pg.send_query(_HEARTBEAT)
            self._pg.flush()
        except psycopg.OperationalError as exc:
            self._lost = _reason("the change listener lost the database", exc)

    def unanswered_seconds(self) -> float:
        """How long the outstanding heartbeat has waited for its reply; 0.0 when none.

        A reply already on the socket counts as an answer even before :meth:`drain` ran
        (the event loop may have been busy, and its timer may fire before the socket's
        notifier): it is taken in here, with any notification that came along, which the
        next :meth:`drain` still reports. Never waits, never raises: a loss found here is
        reported by :meth:`drain` (a lost socket stays readable)."""
        if self._ping_sent_at is not None and self._lost is None and not self._conn.closed:
            try:
                self._take_in()
            except psycopg.OperationalError as exc:
                self._lost = _reason("the change listener lost the database", exc)
        if self._ping_sent_at is None:
            return 0.0
        return max(0.0, self._clock() - self._ping_sent_at)

    def _take_in(self) -> None:
        """Read what the socket holds (never waits) and take in heartbeat replies and
        notifications (remembered for :meth:`drain`)."""
        pg = self._pg
        pg.consume_input()
        while self._ping_sent_at is not None and not pg.is_busy():
            result = pg.get_result()
            if result is None:  # the reply is complete
                self._ping_sent_at = None
            elif result.status == pq.ExecStatus.FATAL_ERROR:
                severity = result.error_field(pq.DiagnosticField.SEVERITY_NONLOCALIZED)
                if severity in (b"FATAL", b"PANIC"):
                    self._goodbye = _result_message(result)
        while pg.notifies() is not None:
            self._heard = True
        if self._ping_sent_at is not None:
            pg.flush()  # the rest of a heartbeat the socket could not take at once

    def _lose(self, reason: str) -> NoReturn:
        self._lost = reason
        self._conn.close()
        raise DatabaseUnavailable(reason)

    def _on_notice(self, diag: psycopg.errors.Diagnostic) -> None:
        # A server ending an idle session (pg_terminate_backend, shutdown) first sends a
        # FATAL error, which libpq hands over as a notice; the end of the stream may only
        # arrive a moment later. Remembering the FATAL lets drain() report the loss now.
        if diag.severity_nonlocalized == "FATAL":
            self._goodbye = diag.message_primary or "terminated by the server"

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class _ListenFailed(Exception):
    """Setting up the listener failed or got no reply in time."""


def _result_message(result: pq.abc.PGresult) -> str:
    text = result.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or result.error_message
    return text.decode("utf-8", "replace").strip()[:160] or "no answer"


def _reason(what: str, exc: BaseException) -> str:
    # The driver's first line says what happened (refused, terminated); never parameters.
    first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
    return f"{what} ({first})"


def _wait_for(fd: int, events: int, timeout: float) -> None:
    """Wait until ``fd`` is ready (or ``timeout`` passes). ``selectors`` rather than
    ``select.select``: a process with many open files (a long-running desk, a test run)
    may get a socket numbered past FD_SETSIZE, which ``select`` cannot watch."""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, events)
        selector.select(timeout)
