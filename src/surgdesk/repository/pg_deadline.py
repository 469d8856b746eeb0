"""The Postgres connection with a deadline on every wait (see ``repository.database``'s
docstring for why). Its own module so that psycopg is imported only when a Postgres
engine asks for a deadline, never by a SQLite command line."""

from __future__ import annotations

import inspect
from typing import Any

import psycopg
from psycopg import connection as _pg_connection
from psycopg import errors as _pg_errors
from psycopg.abc import PQGen
from sqlalchemy import Engine, event


class NoReply(psycopg.OperationalError):
    """The server did not answer within the connection's deadline; the connection is
    closed."""


class DeadlineConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait for the server ends after ``deadline_s``.

    ``deadline_s`` is set per engine right after connecting (see :func:`make_engine`).
    """

    deadline_s: float | None = None

    def wait(self, gen: PQGen[Any], interval: float = _pg_connection._WAIT_INTERVAL,
             timeout: float | None = None) -> Any:
        if self.deadline_s is None or timeout is not None:
            return super().wait(gen, interval, timeout)
        try:
            return super().wait(gen, interval, self.deadline_s)
        except _pg_errors._WaitTimeout:
            # Mid-protocol: a late reply could still arrive, so the connection cannot be
            # used again. Closed, SQLAlchemy sees a disconnect and invalidates it; the
            # server ends the session once the path heals, or at the idle-in-transaction
            # timeout.
            self.pgconn.finish()
            raise NoReply(f"no reply from the database within {self.deadline_s:g} s") \
                from None


def deadline_supported() -> bool:
    """Whether the installed psycopg gives ``Connection.wait`` a timeout (3.3 does)."""
    return (hasattr(_pg_errors, "_WaitTimeout")
            and "timeout" in inspect.signature(psycopg.Connection.wait).parameters)


def install_deadline(engine: Engine, deadline_s: float) -> None:
    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        conn = DeadlineConnection.connect(*cargs, **cparams)
        conn.deadline_s = deadline_s
        return conn
