"""Writes are saved once: a retry with the same operation id (after a lost reply) gets the
case as it is now, and the change is not applied a second time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus
from surgdesk.errors import BadInput, DatabaseUnavailable
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.repository.uow import UnitOfWork
from tests.services.factories import Kit, at, build_kit, kit, race  # noqa: F401  (fixture)


def op() -> str:
    return uuid.uuid4().hex


def audit_count(setup: Kit, action: str) -> int:
    with setup.db.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(m.AuditEvent).where(
            m.AuditEvent.action == action)) or 0)


def test_a_retried_move_is_applied_once(kit: Kit) -> None:  # noqa: F811
    number = kit.new_case().case.case_number
    move_id = op()
    first = kit.cases.move(kit["sched"], number, start=at(10), op_id=move_id)
    again = kit.cases.move(kit["sched"], number, start=at(10), op_id=move_id)
    assert again.case.version == first.case.version
    assert again.case.scheduled_start == first.case.scheduled_start
    assert audit_count(kit, "move_case") == 1


def test_a_retry_of_an_old_operation_does_not_undo_a_later_change(kit: Kit) -> None:  # noqa: F811
    number = kit.new_case().case.case_number
    move_id = op()
    kit.cases.move(kit["sched"], number, start=at(10), op_id=move_id)
    later = kit.cases.move(kit["sched"], number, start=at(13))
    replay = kit.cases.move(kit["sched"], number, start=at(10), op_id=move_id)
    assert replay.case.scheduled_start == later.case.scheduled_start


def test_create_and_status_are_idempotent_too(kit: Kit) -> None:  # noqa: F811
    create_id = op()
    first = kit.new_case(op_id=create_id)
    again = kit.new_case(op_id=create_id)
    assert again.case.case_number == first.case.case_number
    assert audit_count(kit, "create_case") == 1
    cancel_id = op()
    kit.cases.set_status(kit["sched"], first.case.case_number, CaseStatus.CANCELLED,
                         reason="patient withdrew", op_id=cancel_id)
    replay = kit.cases.set_status(kit["sched"], first.case.case_number,
                                  CaseStatus.CANCELLED, reason="patient withdrew",
                                  op_id=cancel_id)
    assert replay.case.status is CaseStatus.CANCELLED
    assert audit_count(kit, "set_status") == 1


def test_reply_lost_after_commit_then_retry_applies_once(
    kit: Kit, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    number = kit.new_case().case.case_number
    commit = UnitOfWork.commit

    def commit_then_lose_the_reply(self: UnitOfWork) -> None:
        commit(self)
        raise DatabaseUnavailable("the connection dropped before the reply arrived")

    monkeypatch.setattr(UnitOfWork, "commit", commit_then_lose_the_reply)
    move_id = op()
    with pytest.raises(DatabaseUnavailable):
        kit.cases.move(kit["sched"], number, room="OR2", start=at(9), op_id=move_id)
    monkeypatch.setattr(UnitOfWork, "commit", commit)
    retried = kit.cases.move(kit["sched"], number, room="OR2", start=at(9), op_id=move_id)
    assert retried.case.room_code == "OR2"
    assert audit_count(kit, "move_case") == 1


@pytest.mark.parametrize("bad", ["", "short", "x" * 65])
def test_operation_ids_are_checked(kit: Kit, bad: str) -> None:  # noqa: F811
    number = kit.new_case().case.case_number
    with pytest.raises(BadInput, match="op_id"):
        kit.cases.move(kit["sched"], number, start=at(10), op_id=bad)


@pytest.fixture
def pg_kit(postgres_url: str) -> Iterator[Kit]:
    db = Database(make_nullpool_engine(postgres_url))
    yield build_kit(db)
    db.dispose()


@pytest.mark.postgres
def test_a_retry_racing_its_original_is_answered_not_applied(pg_kit: Kit) -> None:
    """Postgres: the retry's insert of the operation waits on the original's uncommitted
    row, then meets the unique key: it is rolled back and answered as a replay."""
    number = pg_kit.new_case().case.case_number
    move_id = op()
    results = race(lambda: pg_kit.cases.move(pg_kit["sched"], number, start=at(11),
                                             op_id=move_id))
    assert len(results) == 2
    assert not [r for r in results if isinstance(r, Exception)], results
    assert audit_count(pg_kit, "move_case") == 1


@pytest.mark.postgres
def test_a_versioned_retry_racing_its_original_is_a_replay_not_stale(pg_kit: Kit) -> None:
    """The GUI's retries carry the version they started from. A retry that waited on its
    original's row lock must find the original's operation, not be refused as stale by
    the version the original itself moved on — or a save that was made would be reported
    to the user as not saved."""
    for day in range(3):  # which thread wins varies; each round has a case and day of its own
        created = pg_kit.new_case(start=at(8, day=day)).case
        move_id = op()

        def move(number: str = created.case_number, version: int = created.version,
                 op_id: str = move_id, on: int = day) -> object:
            return pg_kit.cases.move(pg_kit["sched"], number, start=at(11, day=on),
                                     op_id=op_id, expected_version=version)

        results = race(move)
        assert len(results) == 2
        assert not [r for r in results if isinstance(r, Exception)], results
    assert audit_count(pg_kit, "move_case") == 3
