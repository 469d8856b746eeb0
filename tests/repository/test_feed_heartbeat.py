"""The change listener's heartbeat: a question the server must answer, so a silent network
(bytes acknowledged, never delivered) is told apart from a quiet department.

Everything goes through ``FaultProxy``. Waits are ``select`` on the listener's socket with
a ceiling; calls that must not block run in a thread joined with a ceiling, so a failure
cannot hang the run.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from surgdesk.domain import models as m
from surgdesk.errors import DatabaseUnavailable
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.repository.feed import SQLiteWatcher
from surgdesk.repository.pg_listener import PostgresListener
from surgdesk.repository.uow import UnitOfWork
from tests.netfault import FaultProxy, bounded
from tests.services.factories import ROOM_DEFAULTS

CEILING = 10.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[FaultProxy]:
    with FaultProxy.for_url(postgres_url) as running:
        yield running


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    # Straight to the server: the writes of "another PC" whose network is fine.
    database = Database(make_nullpool_engine(postgres_url))
    yield database
    database.dispose()


def _add_room(db: Database, code: str) -> None:
    with UnitOfWork(db) as uow:
        uow.session.add(m.OperatingRoom(code=code, **{**ROOM_DEFAULTS, "name": f"Room {code}"}))
        uow.commit()


def _readable(listener: PostgresListener, timeout: float) -> bool:
    return bool(select.select([listener.fileno()], [], [], timeout)[0])


def _drain_until(listener: PostgresListener, done: Callable[[], bool]) -> bool:
    """Wait for the socket and drain until ``done()``; True if any drain reported
    notifications. Fails after the ceiling."""
    heard = False
    deadline = time.monotonic() + CEILING
    while True:
        heard = listener.drain() or heard
        if done():
            # done() may have taken in a notification along with a reply: drain reports it.
            return listener.drain() or heard
        assert time.monotonic() < deadline, "nothing arrived"
        _readable(listener, 0.2)


def _drain_until_heard_and_answered(listener: PostgresListener) -> None:
    heard = False
    deadline = time.monotonic() + CEILING
    while not (heard and listener.unanswered_seconds() == 0.0):
        assert time.monotonic() < deadline, "the change or the reply never arrived"
        select.select([listener.fileno()], [], [], 0.2)
        heard = listener.drain() or heard


@pytest.mark.postgres
def test_a_heartbeat_is_answered_and_taken_in_by_drain(
        proxy: FaultProxy, postgres_url: str) -> None:
    clock = FakeClock()
    with PostgresListener(proxy.url(postgres_url), clock=clock) as listener:
        assert listener.unanswered_seconds() == 0.0
        # Hold the server's reply: on a quick machine it is on the socket (and counts as
        # an answer) before the next line could ask.
        proxy.delay(1.0)
        listener.ping()
        clock.now += 3
        assert listener.unanswered_seconds() == 3.0
        listener.ping()  # one outstanding at a time: the clock is not restarted
        assert listener.unanswered_seconds() == 3.0

        heard = _drain_until(listener, lambda: listener.unanswered_seconds() == 0.0)

        assert not heard  # a heartbeat reply is not a change
        proxy.delay(1.0)
        listener.ping()  # the next one goes out
        clock.now += 1
        assert listener.unanswered_seconds() == 1.0
        _drain_until(listener, lambda: listener.unanswered_seconds() == 0.0)


@pytest.mark.postgres
def test_notifications_around_heartbeats_are_all_reported(
        proxy: FaultProxy, postgres_url: str, pg_db: Database) -> None:
    with PostgresListener(proxy.url(postgres_url)) as listener:
        # A change announced before the heartbeat goes out: NOTIFY, then the reply.
        _add_room(pg_db, "H1")
        assert _readable(listener, CEILING)
        listener.ping()
        assert _drain_until(listener, lambda: listener.unanswered_seconds() == 0.0)

        # The heartbeat first, its reply left unread, then a change: reply, then NOTIFY.
        listener.ping()
        assert _readable(listener, CEILING)
        _add_room(pg_db, "H2")
        _drain_until_heard_and_answered(listener)

        # Several changes and a heartbeat reply waiting together.
        listener.ping()
        _add_room(pg_db, "H3")
        _add_room(pg_db, "H4")
        _drain_until_heard_and_answered(listener)
        # H4's NOTIFY may come a moment after H3's: read until the socket stays quiet,
        # then nothing is left over.
        while _readable(listener, 0.3):
            listener.drain()
        assert not listener.drain()


@pytest.mark.postgres
def test_a_reply_read_before_drain_counts_and_its_notification_is_kept(
        proxy: FaultProxy, postgres_url: str, pg_db: Database) -> None:
    # A busy event loop may run the heartbeat timer before the socket's notifier: the
    # reply already on the socket must count, and a change read along with it must still
    # be reported by the next drain.
    clock = FakeClock()
    with PostgresListener(proxy.url(postgres_url), clock=clock) as listener:
        _add_room(pg_db, "R1")
        assert _readable(listener, CEILING)
        listener.ping()
        clock.now += 1
        deadline = time.monotonic() + CEILING
        while listener.unanswered_seconds() == 1.0:
            assert time.monotonic() < deadline, "the reply never arrived"
            _readable(listener, 0.2)
        assert listener.drain()
        assert not listener.drain()


@pytest.mark.postgres
def test_on_a_silent_network_the_heartbeat_stays_unanswered_and_nothing_blocks(
        proxy: FaultProxy, postgres_url: str, pg_db: Database) -> None:
    with PostgresListener(proxy.url(postgres_url)) as listener:
        listener.ping()
        _drain_until(listener, lambda: listener.unanswered_seconds() == 0.0)

        proxy.blackhole()
        _add_room(pg_db, "S1")  # announced by the server, never delivered
        listener.ping()
        deadline = time.monotonic() + CEILING
        while listener.unanswered_seconds() <= 1.0:
            assert time.monotonic() < deadline, "unanswered_seconds did not grow"
            select.select([listener.fileno()], [], [], 0.2)
            assert bounded(listener.drain, ceiling=5.0) is False
            bounded(listener.ping, ceiling=5.0)  # outstanding: sends nothing, resets nothing
        assert listener.unanswered_seconds() > 1.0


@pytest.mark.postgres
def test_a_terminated_listener_with_a_heartbeat_out_still_raises(
        proxy: FaultProxy, postgres_url: str) -> None:
    with PostgresListener(proxy.url(postgres_url)) as listener:
        listener.ping()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (listener.backend_pid,))
        with pytest.raises(DatabaseUnavailable, match="lost the database"):
            _drain_until(listener, lambda: False)
        with pytest.raises(DatabaseUnavailable):
            listener.drain()
        listener.ping()  # after the loss: nothing to send, and no error from a timer


@pytest.mark.postgres
def test_a_listener_whose_server_vanished_reports_it(proxy: FaultProxy,
                                                     postgres_url: str) -> None:
    with PostgresListener(proxy.url(postgres_url)) as listener:
        proxy.reset_all()  # the end of the stream, no FATAL first
        listener.ping()
        with pytest.raises(DatabaseUnavailable, match="lost the database"):
            _drain_until(listener, lambda: False)


def test_the_sqlite_watcher_has_nothing_to_ping(sqlite_url: str) -> None:
    path = sqlite_url.removeprefix("sqlite:///")
    with SQLiteWatcher(path) as watcher:
        watcher.ping()
        assert watcher.unanswered_seconds() == 0.0
        assert not watcher.changed()
