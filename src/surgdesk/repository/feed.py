"""The change feed's read side: what changed since a client's position, and "look now" signals.

The write side (``changefeed.py``) leaves one ``change_log`` row per changed row in the
writing transaction: table, row id, new version, and who (the acting user's id) — never
patient data. A client keeps a :class:`FeedPosition`, asks
:meth:`ChangeReader.read_since` for the rows after it whenever a watcher says "look now",
re-reads the rows named there, and keeps the position it gets back.

Out-of-order commits (Postgres)
-------------------------------
``change_log.id`` comes from a sequence, handed out when a row is inserted, not when its
transaction commits: id 12 may become visible while id 11's transaction is still open, so
"everything above the highest id seen" would skip 11 forever. The reader therefore keeps,
with the high-water id, the ids below it that it has not seen yet (*gaps*) and asks for
them again on every read until they appear — or until a grace period (30 s by default) has
passed since the gap was first noticed: a transaction that rolled back leaves a permanent
hole, and giving it up bounds the work. A gap that is given up is reported in
``ChangeBatch.given_up``.

Why gaps and not ``pg_snapshot_xmin``/xid visibility: the xmin horizon is cluster-wide, so
one idle-in-transaction session anywhere on the server (another database included) would
hold every client's feed back for as long as it stays open — against a sub-second refresh
target. Gaps cost nothing while ids commit in order (the usual case), work the same on
SQLite (where writers are serialised, ids commit in order and a rolled-back id is reused,
so gaps never occur) and keep the position a plain id, as DESIGN.md describes. The price:
a writer whose COMMIT comes more than the grace period after its flush is missed by
clients that were watching; writes here are short transactions, and a client that
reconnects reloads.

Positions hold deadlines in the reader's clock (``time.monotonic`` by default): keep a
position in memory for the session; to persist one across runs, keep ``high`` only.

Watchers and the heartbeat
--------------------------
A :class:`ChangeWatcher` says when to read: LISTEN on Postgres, ``PRAGMA data_version``
on SQLite. On Postgres it must also say when the *database* is gone, and a silent network
(traffic dropped without a reset, bytes still acknowledged on the way) never makes a
LISTEN connection fail: it only ever reads, and nothing arrives from a quiet department
either. So the listener has a heartbeat — :meth:`PostgresListener.ping` sends a query
without waiting, the reply comes back on the socket the GUI already watches, and
:meth:`PostgresListener.unanswered_seconds` tells how long it has been waited for. The
caller decides when that means "lost" (a few seconds; see ``ui/live.py``). A FATAL from
the server or an end of stream still raises from ``drain()`` at once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import URL

from surgdesk.domain import models as m
from surgdesk.errors import BadInput, DatabaseUnavailable, FieldProblem
from surgdesk.repository.database import Database, normalize_url
from surgdesk.repository.uow import UnitOfWork

# How long an id missing below the high-water mark is waited for before it is given up.
GAP_GRACE_SECONDS = 30.0
# A bound on remembered gaps (a huge rolled-back import must not grow memory without end);
# beyond it the lowest, i.e. oldest, are given up first.
MAX_PENDING_GAPS = 20_000
# Ids per ``IN (...)`` query: well below SQLite's 32766 and Postgres' 65535 parameters.
_IN_CHUNK = 5_000
# How far back from the newest id a fresh client looks for ids still in flight.
START_WINDOW = 1_000
# The SQLite watcher's suggested poll interval; one poll costs a few microseconds.
SQLITE_POLL_MS = 250
@dataclass(frozen=True)
class Change:
    """One change-log row: which row of which table changed, to what version, how, and
    who changed it (``actor_id``: the user's id; None for the system or rows written
    before the log named people). Never patient data."""

    id: int
    table_name: str
    row_id: int
    row_version: int | None
    op: str  # insert / update / delete
    actor_id: int | None = None  # last, with a default: positional constructions still work


@dataclass(frozen=True)
class Gap:
    """An id below the high-water mark not seen yet, waited for until ``give_up_at``."""

    id: int
    give_up_at: float


@dataclass(frozen=True)
class FeedPosition:
    """Where a client is in the feed: every id up to ``high`` is applied, except ``gaps``."""

    high: int = 0
    gaps: tuple[Gap, ...] = ()

    @property
    def pending_ids(self) -> frozenset[int]:
        return frozenset(g.id for g in self.gaps)


@dataclass(frozen=True)
class ChangeBatch:
    """Changes after a position, in id order; ``more`` when the limit cut the batch short."""

    changes: tuple[Change, ...]
    position: FeedPosition
    given_up: tuple[int, ...] = ()
    more: bool = False


class ChangeReader:
    """Reads the change log after a :class:`FeedPosition`; keeps no state of its own."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], float] = time.monotonic,
        grace_seconds: float = GAP_GRACE_SECONDS,
    ) -> None:
        self.db = db
        self.clock = clock
        self.grace_seconds = grace_seconds

    def latest_id(self) -> int:
        """The newest id now: a fresh client that loads everything starts here."""
        with UnitOfWork(self.db, read_only=True) as uow:
            return int(uow.session.scalar(sa_select(func.max(m.ChangeLog.id))) or 0)

    def start_position(self) -> FeedPosition:
        """Like :meth:`latest_id`, and ids just below it not visible yet are waited for.

        Take it *before* loading the board: a change committed in between is then read
        again (harmless, rows are re-read by id), never lost.
        """
        with UnitOfWork(self.db, read_only=True) as uow:
            high = int(uow.session.scalar(sa_select(func.max(m.ChangeLog.id))) or 0)
            low = max(0, high - START_WINDOW)
            stmt = sa_select(m.ChangeLog.id).where(m.ChangeLog.id > low)
            seen = set(uow.session.scalars(stmt))
        deadline = self.clock() + self.grace_seconds
        gaps = tuple(Gap(i, deadline) for i in range(low + 1, high + 1) if i not in seen)
        return FeedPosition(high, gaps)

    def read_since(self, since: FeedPosition | int, limit: int = 5000) -> ChangeBatch:
        """The changes after ``since`` (a position, or the last id a client applied)."""
        position = since if isinstance(since, FeedPosition) else FeedPosition(high=since)
        with UnitOfWork(self.db, read_only=True) as uow:
            late = _fetch_ids(uow, sorted(position.pending_ids))
            rows = _fetch_after(uow, position.high, limit)
        return self._advance(position, late, rows, limit)

    def actor_names(self, actor_ids: Iterable[int]) -> dict[int, str]:
        """Display names (username when a display name is blank) of the users the log
        names, in one query; ids of users that no longer exist are left out. Staff
        columns only, never patient data."""
        ids = sorted(set(actor_ids))[:_IN_CHUNK]
        if not ids:
            return {}
        user = m.User
        stmt = sa_select(user.id, user.display_name, user.username).where(user.id.in_(ids))
        with UnitOfWork(self.db, read_only=True) as uow:
            return {uid: (shown or "").strip() or login
                    for uid, shown, login in uow.session.execute(stmt)}

    def _advance(
        self, position: FeedPosition, late: list[Change], rows: list[Change], limit: int
    ) -> ChangeBatch:
        now = self.clock()
        arrived = {c.id for c in late}
        waiting = [g for g in position.gaps if g.id not in arrived]
        given_up = [g.id for g in waiting if g.give_up_at <= now]
        waiting = [g for g in waiting if g.give_up_at > now]
        high = rows[-1].id if rows else position.high
        waiting += _new_gaps(position.high, rows, now + self.grace_seconds)
        if len(waiting) > MAX_PENDING_GAPS:
            overflow = len(waiting) - MAX_PENDING_GAPS
            given_up += [g.id for g in waiting[:overflow]]
            waiting = waiting[overflow:]
        return ChangeBatch(
            changes=tuple(late + rows),
            position=FeedPosition(high, tuple(waiting)),
            given_up=tuple(sorted(given_up)),
            more=len(rows) >= limit,
        )


def _new_gaps(old_high: int, rows: Sequence[Change], give_up_at: float) -> list[Gap]:
    """Ids skipped between consecutive new rows: not committed yet, or never will be."""
    gaps: list[Gap] = []
    previous = old_high
    for change in rows:
        gaps += [Gap(i, give_up_at) for i in range(previous + 1, change.id)]
        previous = change.id
    return gaps


def _change_rows() -> Select[int, str, int, int | None, str, int | None]:
    cl = m.ChangeLog
    return sa_select(cl.id, cl.table_name, cl.row_id, cl.row_version, cl.op,
                     cl.actor_id).order_by(cl.id)


def _fetch_after(uow: UnitOfWork, high: int, limit: int) -> list[Change]:
    stmt = _change_rows().where(m.ChangeLog.id > high).limit(limit)
    return [Change(*row) for row in uow.session.execute(stmt)]


def _fetch_ids(uow: UnitOfWork, ids: Sequence[int]) -> list[Change]:
    found: list[Change] = []
    for start in range(0, len(ids), _IN_CHUNK):
        stmt = _change_rows().where(m.ChangeLog.id.in_(ids[start : start + _IN_CHUNK]))
        found += [Change(*row) for row in uow.session.execute(stmt)]
    return found


# ---- "look now" signals -----------------------------------------------------------------


class ChangeWatcher(Protocol):
    """Says when to read the feed. ``fileno()`` is a socket to watch, or None: poll
    ``changed()`` on a timer (every ``poll_interval_ms``).

    ``ping()`` sends a heartbeat when none is outstanding and ``unanswered_seconds()`` says
    how long the outstanding one has waited (0.0 when none): call ``ping()`` every few
    seconds and treat a heartbeat unanswered for several seconds as a lost connection.
    None of these ever blocks."""

    poll_interval_ms: int | None

    def fileno(self) -> int | None: ...

    def changed(self) -> bool: ...

    def ping(self) -> None: ...

    def unanswered_seconds(self) -> float: ...

    def close(self) -> None: ...


class SQLiteWatcher:
    """Polls ``PRAGMA data_version`` on one dedicated, read-only connection.

    The value changes when *another* connection commits to the file, never for this
    connection's own commits — so this connection must never write, and it cannot: it is
    opened read-only. One poll reads the WAL index header, a few microseconds: cheap at
    every ``SQLITE_POLL_MS``.
    """

    poll_interval_ms: int | None = SQLITE_POLL_MS

    def __init__(self, path: str | Path) -> None:
        try:
            # mode=ro: never creates a missing file, never writes to this one.
            self._conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                                         isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"cannot watch {path} for changes ({exc})") from None
        self._version = self._data_version()

    def _data_version(self) -> int:
        try:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error as exc:
            raise DatabaseUnavailable(f"cannot read the database file ({exc})") from None

    def fileno(self) -> None:
        return None

    def ping(self) -> None:
        """Nothing to do: a local file cannot go silent."""

    def unanswered_seconds(self) -> float:
        return 0.0

    def changed(self) -> bool:
        """True once after each commit by another connection (or process)."""
        version = self._data_version()
        if version == self._version:
            return False
        self._version = version
        return True

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def make_watcher(db_url: str | URL) -> ChangeWatcher:
    """The watcher for this database: LISTEN on Postgres, ``data_version`` on SQLite."""
    parsed = normalize_url(db_url)
    if parsed.get_backend_name() == "postgresql":
        # Imported here: psycopg costs a SQLite desk ~0.15 s of start-up.
        from surgdesk.repository.pg_listener import PostgresListener

        return PostgresListener(parsed)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return SQLiteWatcher(parsed.database)
    raise BadInput(FieldProblem("database", "changes can be watched in a database file or "
                                            "on Postgres, not in memory"))
