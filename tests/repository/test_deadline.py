"""The interactive deadline: on a silent network a database call fails with
``DatabaseUnavailable`` instead of waiting forever, and a write that was under way is
either applied once or, retried with its operation id, applied exactly once.

Everything runs through ``FaultProxy`` with a 2 s deadline. Calls that could hang run in a
thread joined with a ceiling, so a regression fails the test instead of hanging the run.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select, text

from surgdesk import startup
from surgdesk.domain import models as m
from surgdesk.errors import DatabaseUnavailable
from surgdesk.repository.database import (
    OPERATION_DEADLINE_S,
    Database,
    make_engine,
    make_nullpool_engine,
)
from surgdesk.repository.pg_deadline import DeadlineConnection
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.changes import ChangeService
from tests.netfault import FaultProxy, bounded
from tests.services.factories import Kit, at, build_kit

pytestmark = pytest.mark.postgres

DEADLINE_S = 2.0
# Far above the deadline plus one connect timeout (5 s): only a hang reaches it.
CEILING = 30.0
NO_REPLY = "no reply from the database within 2 s"


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + CEILING
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[FaultProxy]:
    with FaultProxy.for_url(postgres_url) as running:
        yield running


@pytest.fixture
def gui_db(proxy: FaultProxy, postgres_url: str) -> Iterator[Database]:
    """The GUI's database: pooled, with the deadline, through the proxy."""
    database = Database(make_engine(proxy.url(postgres_url), deadline_s=DEADLINE_S))
    yield database
    database.dispose()


@pytest.fixture
def direct(postgres_url: str) -> Iterator[Database]:
    """The same database straight to the server, to look at what really happened."""
    database = Database(make_nullpool_engine(postgres_url))
    yield database
    database.dispose()


@pytest.fixture
def gui_kit(gui_db: Database) -> Kit:
    return build_kit(gui_db)


def _case_row(db: Database, number: str) -> tuple[int, Any]:
    with db.new_session() as s:
        case = s.scalars(select(m.SurgeryCase).where(m.SurgeryCase.case_number == number)).one()
        return case.version, case.scheduled_start


def _operations(db: Database, op_id: str) -> int:
    with db.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(m.AppliedOperation).where(
            m.AppliedOperation.op_id == op_id)) or 0)


def _moves_audited(db: Database) -> int:
    with db.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(m.AuditEvent).where(
            m.AuditEvent.action == "move_case")) or 0)


def _board(kit: Kit) -> Callable[[], Any]:
    return lambda: kit.cases.board(kit["sched"], at(0), at(0, day=1))


# ---- reads -------------------------------------------------------------------------------


def test_a_read_on_a_silent_network_fails_instead_of_hanging(
        gui_kit: Kit, proxy: FaultProxy) -> None:
    gui_kit.new_case()
    _board(gui_kit)()  # the pool now holds a connection that will go silent

    proxy.blackhole()
    with pytest.raises(DatabaseUnavailable):
        bounded(_board(gui_kit))

    proxy.restore()
    ChangeService(gui_kit.db).reset_connections()
    assert len(bounded(_board(gui_kit)).cases) == 1


def test_a_call_inside_a_transaction_says_no_reply_came(
        gui_db: Database, proxy: FaultProxy) -> None:
    def read_twice() -> None:
        with UnitOfWork(gui_db, read_only=True) as uow:
            uow.session.execute(text("SELECT 1"))
            proxy.blackhole()
            uow.session.execute(text("SELECT 2"))

    with pytest.raises(DatabaseUnavailable, match=NO_REPLY):
        bounded(read_twice)


def test_the_deadline_leaves_a_call_shorter_than_it_alone(gui_db: Database) -> None:
    with UnitOfWork(gui_db, read_only=True) as uow:
        # Half the deadline: well inside it, even on a loaded machine.
        assert uow.session.scalar(text("SELECT 1 FROM pg_sleep(1)")) == 1
        assert uow.session.scalar(text("SELECT 1")) == 1


def test_a_vanished_client_does_not_hold_its_locks_for_long(gui_db: Database) -> None:
    with UnitOfWork(gui_db, read_only=True) as uow:
        assert uow.session.scalar(text("SHOW idle_in_transaction_session_timeout")) == "30s"


def test_only_interactive_databases_get_the_deadline(postgres_url: str) -> None:
    gui = startup.open_services(postgres_url, interactive=True)
    cli = startup.open_services(postgres_url)
    try:
        gui_conn = gui.db.engine.raw_connection()
        cli_conn = cli.db.engine.raw_connection()
        try:
            assert isinstance(gui_conn.driver_connection, DeadlineConnection)
            assert gui_conn.driver_connection.deadline_s == OPERATION_DEADLINE_S
            assert not isinstance(cli_conn.driver_connection, DeadlineConnection)
        finally:
            gui_conn.close()
            cli_conn.close()
    finally:
        gui.close()
        cli.close()


# ---- a write under way --------------------------------------------------------------------


def test_a_write_whose_commit_never_arrived_is_reported_then_applied_once(
        gui_kit: Kit, proxy: FaultProxy, direct: Database) -> None:
    number = gui_kit.new_case().case.case_number
    version, start = _case_row(direct, number)
    op_id = uuid.uuid4().hex
    # The network goes silent just as COMMIT is sent: the server never sees it.
    event.listen(gui_kit.db.engine, "commit", lambda _conn: proxy.blackhole(), once=True)

    def move() -> Any:
        return gui_kit.cases.move(gui_kit["sched"], number, start=at(10), op_id=op_id)

    with pytest.raises(DatabaseUnavailable, match=NO_REPLY):
        bounded(move)
    assert _case_row(direct, number) == (version, start)
    assert _operations(direct, op_id) == 0

    proxy.restore()
    ChangeService(gui_kit.db).reset_connections()
    result = bounded(move)

    assert result.case.version == version + 1
    assert _case_row(direct, number) == (version + 1, result.case.scheduled_start)
    assert result.case.scheduled_start != start
    assert _operations(direct, op_id) == 1
    assert _moves_audited(direct) == 1


def test_a_write_committed_but_unanswered_is_not_applied_twice(
        gui_kit: Kit, proxy: FaultProxy, direct: Database, postgres_url: str) -> None:
    number = gui_kit.new_case().case.case_number
    version, _ = _case_row(direct, number)
    op_id = uuid.uuid4().hex
    # COMMIT reaches the server and waits there (a deferred trigger queues on a lock the
    # test holds); the network goes silent; then the server commits and its reply is lost.
    with direct.engine.begin() as conn:
        conn.execute(text(
            "CREATE FUNCTION hold_commit() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NULL; END $$"))
        conn.execute(text(
            "CREATE CONSTRAINT TRIGGER hold_commit AFTER UPDATE ON surgery_case "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hold_commit()"))
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(4242)")
        outcome: dict[str, BaseException | None] = {}

        def move() -> Any:
            return gui_kit.cases.move(gui_kit["sched"], number, start=at(10), op_id=op_id)

        def attempt() -> None:
            try:
                move()
                outcome["error"] = None
            except BaseException as exc:  # handed to the test thread
                outcome["error"] = exc

        worker = threading.Thread(target=attempt, daemon=True)
        worker.start()

        def commit_waits() -> bool:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query = 'COMMIT'").fetchone()
            return bool(row and row[0])

        _wait_for(commit_waits, "the COMMIT never reached the server")
        proxy.blackhole()
        admin.execute("SELECT pg_advisory_unlock(4242)")
        worker.join(CEILING)
        assert not worker.is_alive(), "the write blocked past the deadline"
    assert isinstance(outcome["error"], DatabaseUnavailable)
    assert NO_REPLY in str(outcome["error"])
    _wait_for(lambda: _operations(direct, op_id) == 1, "the server never committed")
    assert _case_row(direct, number)[0] == version + 1

    proxy.restore()
    ChangeService(gui_kit.db).reset_connections()
    replay = bounded(move)

    assert replay.case.version == version + 1
    assert _case_row(direct, number)[0] == version + 1
    assert _operations(direct, op_id) == 1
    assert _moves_audited(direct) == 1
