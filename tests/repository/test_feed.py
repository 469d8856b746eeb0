"""The change feed's read side: every committed change is read once, in id order, and the
watchers say "look now" for other connections' commits only.

Waiting is done on the listener's socket with ``select`` and a timeout, never by sleeping.
"""

from __future__ import annotations

import select
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, make_url
from sqlalchemy import select as sa_select

from surgdesk.domain import models as m
from surgdesk.errors import BadInput, DatabaseUnavailable
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.repository.feed import (
    GAP_GRACE_SECONDS,
    ChangeReader,
    FeedPosition,
    SQLiteWatcher,
    make_watcher,
)
from surgdesk.repository.pg_listener import PostgresListener
from surgdesk.repository.uow import UnitOfWork
from tests.services.factories import ROOM_DEFAULTS

# Long enough for a NOTIFY to cross a local socket many times over; only the negative
# checks (nothing must arrive) wait this long.
QUIET_SECONDS = 0.3
ARRIVES_WITHIN = 5.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _room(code: str) -> m.OperatingRoom:
    return m.OperatingRoom(code=code, **{**ROOM_DEFAULTS, "name": f"Room {code}"})


def _add_room(db: Database, code: str) -> int:
    with UnitOfWork(db) as uow:
        room = _room(code)
        uow.session.add(room)
        uow.commit()
        return room.id


def _rename_room(db: Database, room_id: int, name: str) -> None:
    with UnitOfWork(db) as uow:
        room = uow.rooms.get(room_id)
        assert room is not None
        room.name = name
        uow.commit()


def _flush_room(uow: UnitOfWork, code: str) -> int:
    """Insert a room and its change-log row, leaving the transaction open."""
    uow.session.add(_room(code))
    uow.flush()
    return _newest_change_id(uow)


def _newest_change_id(uow: UnitOfWork) -> int:
    # Its own uncommitted row is the newest this transaction can see.
    return int(uow.session.scalar(sa_select(func.max(m.ChangeLog.id))) or 0)


def _readable(listener: PostgresListener, timeout: float) -> bool:
    return bool(select.select([listener.fileno()], [], [], timeout)[0])


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    database = Database(make_nullpool_engine(postgres_url))
    yield database
    database.dispose()


# ---- reading the log (both backends) ----------------------------------------------------


def test_changes_arrive_in_id_order_with_table_row_version_and_op(db: Database) -> None:
    reader = ChangeReader(db)
    start = reader.latest_id()
    first = _add_room(db, "F1")
    _rename_room(db, first, "Renamed")
    second = _add_room(db, "F2")

    batch = reader.read_since(start)

    described = [(c.table_name, c.row_id, c.row_version, c.op) for c in batch.changes]
    assert described == [
        ("operating_room", first, 1, "insert"),
        ("operating_room", first, 2, "update"),
        ("operating_room", second, 1, "insert"),
    ]
    ids = [c.id for c in batch.changes]
    assert ids == sorted(ids)
    assert batch.position == FeedPosition(high=ids[-1])
    assert not batch.more
    assert reader.read_since(batch.position).changes == ()


def test_reading_in_small_batches_returns_every_change_exactly_once(db: Database) -> None:
    reader = ChangeReader(db)
    position = FeedPosition(high=reader.latest_id())
    for n in range(5):
        _add_room(db, f"B{n}")

    seen: list[int] = []
    batches = 0
    while True:
        batch = reader.read_since(position, limit=2)
        seen += [c.row_id for c in batch.changes]
        position = batch.position
        batches += 1
        if not batch.more:
            break

    assert len(seen) == len(set(seen)) == 5
    assert batches == 3
    assert reader.read_since(position).changes == ()


def test_a_fresh_client_starts_from_now(db: Database) -> None:
    _add_room(db, "OLD")
    reader = ChangeReader(db)
    position = reader.start_position()
    assert position.high == reader.latest_id() > 0
    assert reader.read_since(position).changes == ()

    new = _add_room(db, "NEW")
    assert [c.row_id for c in reader.read_since(position).changes] == [new]


# ---- out-of-order commits (Postgres: ids come from a sequence) --------------------------


@pytest.mark.postgres
def test_changes_committed_out_of_id_order_are_each_delivered_once(pg_db: Database) -> None:
    reader = ChangeReader(pg_db)
    position = FeedPosition(high=reader.latest_id())
    with UnitOfWork(pg_db) as a, UnitOfWork(pg_db) as b:
        earlier = _flush_room(a, "OA")
        later = _flush_room(b, "OB")
        assert earlier < later
        b.commit()

        first = reader.read_since(position)
        assert [c.id for c in first.changes] == [later]
        assert first.position.pending_ids == {earlier}

        a.commit()

    second = reader.read_since(first.position)
    assert [c.id for c in second.changes] == [earlier]
    assert second.position == FeedPosition(high=later)
    assert reader.read_since(second.position).changes == ()


@pytest.mark.postgres
def test_the_gap_a_rolled_back_write_leaves_is_given_up_after_the_grace(
    pg_db: Database,
) -> None:
    clock = FakeClock()
    reader = ChangeReader(pg_db, clock=clock)
    position = FeedPosition(high=reader.latest_id())
    with UnitOfWork(pg_db) as doomed, UnitOfWork(pg_db) as kept:
        hole = _flush_room(doomed, "RB")
        _flush_room(kept, "OK")
        kept.commit()
    # ``doomed`` left without commit: rolled back, its id never appears.

    batch = reader.read_since(position)
    assert batch.position.pending_ids == {hole}
    clock.now += GAP_GRACE_SECONDS - 1
    batch = reader.read_since(batch.position)
    assert (batch.changes, batch.given_up, batch.position.pending_ids) == ((), (), {hole})
    clock.now += 2
    batch = reader.read_since(batch.position)
    assert (batch.changes, batch.given_up, batch.position.pending_ids) == ((), (hole,), set())


# ---- Postgres listener -------------------------------------------------------------------


@pytest.mark.postgres
def test_listener_hears_another_connections_commit(pg_db: Database) -> None:
    with PostgresListener(pg_db.url) as listener:
        assert not listener.drain()
        _add_room(pg_db, "N1")
        assert _readable(listener, ARRIVES_WITHIN)
        assert listener.drain()
        assert not listener.drain()


@pytest.mark.postgres
def test_listener_hears_nothing_from_a_rolled_back_write(pg_db: Database) -> None:
    with PostgresListener(pg_db.url) as listener:
        with UnitOfWork(pg_db) as uow:
            _flush_room(uow, "RB")  # NOTIFY sent inside the transaction, then rolled back
        assert not _readable(listener, QUIET_SECONDS)
        assert not listener.drain()
        _add_room(pg_db, "N2")  # the listener is alive: a real commit is heard
        assert _readable(listener, ARRIVES_WITHIN)
        assert listener.drain()


@pytest.mark.postgres
def test_listener_reports_a_terminated_connection(pg_db: Database, postgres_url: str) -> None:
    with PostgresListener(pg_db.url) as listener:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (listener.backend_pid,))
        assert _readable(listener, ARRIVES_WITHIN)
        with pytest.raises(DatabaseUnavailable, match="lost the database"):
            listener.drain()
        with pytest.raises(DatabaseUnavailable):
            listener.drain()


def test_listener_that_cannot_connect_says_so() -> None:
    # Port 1 on the loopback refuses at once: no server, no waiting.
    with pytest.raises(DatabaseUnavailable, match="cannot listen"):
        PostgresListener("postgresql://nobody@127.0.0.1:1/nothing")


# ---- SQLite watcher ----------------------------------------------------------------------


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    assert path
    return path


def test_sqlite_watcher_notices_another_connections_commit_only(sqlite_url: str) -> None:
    db = Database(make_nullpool_engine(sqlite_url))
    try:
        with SQLiteWatcher(_sqlite_path(sqlite_url)) as watcher:
            assert not watcher.changed()
            ChangeReader(db).read_since(0)  # reads change nothing
            assert not watcher.changed()
            _add_room(db, "W1")
            assert watcher.changed()
            assert not watcher.changed()  # once per commit
    finally:
        db.dispose()


def test_sqlite_watcher_never_creates_a_missing_file(tmp_path: Any) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(DatabaseUnavailable):
        SQLiteWatcher(missing)
    assert not missing.exists()


# ---- choosing the watcher -----------------------------------------------------------------


def test_make_watcher_picks_the_backends_signal(db_url: str) -> None:
    with make_watcher(db_url) as watcher:
        if make_url(db_url).get_backend_name() == "sqlite":
            assert isinstance(watcher, SQLiteWatcher)
            assert watcher.fileno() is None
            assert watcher.poll_interval_ms
        else:
            assert isinstance(watcher, PostgresListener)
            assert watcher.fileno() >= 0
            assert watcher.poll_interval_ms is None
        assert not watcher.changed()


def test_make_watcher_refuses_an_in_memory_database() -> None:
    with pytest.raises(BadInput):
        make_watcher("sqlite:///:memory:")
