"""Checklist writes are saved once: a tick, an assignment or a sign-off retried with the
same operation id (after a lost reply) is answered with what is stored, not applied again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import ItemStatus, Phase
from surgdesk.errors import BadInput, DatabaseUnavailable
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.dto import ChecklistItemView
from tests.services.factories import Kit, build_kit, kit, mark_done, race, team_case

__all__ = ["kit"]


def op() -> str:
    return uuid.uuid4().hex


def count(setup: Kit, model: type[m.AuditEvent] | type[m.AppliedOperation],
          **where: str) -> int:
    with setup.db.new_session() as s:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int(s.scalar(stmt) or 0)


def item(setup: Kit, number: str, code: str) -> ChecklistItemView:
    for checklist in setup.checklists.checklists(setup["admin"], number):
        for found in checklist.items:
            if found.item_code == code:
                return found
    raise AssertionError(code)


def test_a_retried_tick_is_applied_once(kit: Kit) -> None:
    number = team_case(kit)
    version = item(kit, number, "RD-RESULTS").version
    tick_id = op()
    first = kit.checklists.tick(kit["nurse1"], number, "RD-RESULTS", note="Hb 13.1",
                                expected_version=version, op_id=tick_id)
    stamped = item(kit, number, "RD-RESULTS")
    kit.clock.advance(timedelta(minutes=10))
    # The retry still carries the item version the client had: a replay, not a stale write.
    again = kit.checklists.tick(kit["nurse1"], number, "RD-RESULTS", note="Hb 13.1",
                                expected_version=version, op_id=tick_id)
    assert again.case.version == first.case.version
    after = item(kit, number, "RD-RESULTS")
    assert (after.version, after.completed_at) == (stamped.version, stamped.completed_at)
    assert count(kit, m.AuditEvent, action="tick_item") == 1
    assert count(kit, m.AppliedOperation, op_id=tick_id) == 1


def test_a_retried_tick_does_not_undo_a_later_reopen(kit: Kit) -> None:
    number = team_case(kit)
    tick_id = op()
    kit.checklists.tick(kit["nurse1"], number, "RD-RESULTS", op_id=tick_id)
    kit.checklists.tick(kit["nurse1"], number, "RD-RESULTS", status=ItemStatus.PENDING)
    kit.checklists.tick(kit["nurse1"], number, "RD-RESULTS", op_id=tick_id)
    assert item(kit, number, "RD-RESULTS").status is ItemStatus.PENDING


def test_reply_lost_after_commit_then_retried_tick_applies_once(
    kit: Kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = team_case(kit)
    version = item(kit, number, "RD-CONSENT").version
    commit = UnitOfWork.commit

    def commit_then_lose_the_reply(self: UnitOfWork) -> None:
        commit(self)
        raise DatabaseUnavailable("the connection dropped before the reply arrived")

    monkeypatch.setattr(UnitOfWork, "commit", commit_then_lose_the_reply)
    tick_id = op()
    with pytest.raises(DatabaseUnavailable):
        kit.checklists.tick(kit["nurse1"], number, "RD-CONSENT", expected_version=version,
                            op_id=tick_id)
    monkeypatch.setattr(UnitOfWork, "commit", commit)
    result = kit.checklists.tick(kit["nurse1"], number, "RD-CONSENT",
                                 expected_version=version, op_id=tick_id)
    assert result.case.checklist_done >= 1
    assert item(kit, number, "RD-CONSENT").status is ItemStatus.DONE
    assert count(kit, m.AuditEvent, action="tick_item") == 1


def test_a_retried_assignment_is_applied_once(kit: Kit) -> None:
    number = team_case(kit)
    version = item(kit, number, "SI-IDENTITY").version
    assign_id = op()
    first = kit.checklists.assign(kit["sched"], number, "SI-IDENTITY", "nurse1",
                                  expected_version=version, op_id=assign_id)
    again = kit.checklists.assign(kit["sched"], number, "SI-IDENTITY", "nurse1",
                                  expected_version=version, op_id=assign_id)
    assert again.assigned_to == first.assigned_to == "nurse1"
    assert again.version == first.version
    assert count(kit, m.AuditEvent, action="assign_item") == 1


def test_a_retried_sign_off_is_applied_once(kit: Kit) -> None:
    number = team_case(kit)
    mark_done(kit, number, "Readiness", "Sign In", "Time Out")
    sign_id = op()
    first = kit.checklists.sign_off(kit["nurse1"], number, Phase.PRE_OP, op_id=sign_id)
    kit.clock.advance(timedelta(minutes=3))
    again = kit.checklists.sign_off(kit["nurse1"], number, Phase.PRE_OP, op_id=sign_id)
    assert again.signed_off_at == first.signed_off_at
    assert count(kit, m.AuditEvent, action="sign_off") == 1
    assert count(kit, m.AppliedOperation, op_id=sign_id) == 1


def test_an_operation_id_of_another_case_is_refused(kit: Kit) -> None:
    one, other = team_case(kit), team_case(kit, start=None, room="OR2")
    tick_id = op()
    kit.checklists.tick(kit["nurse1"], one, "RD-RESULTS", op_id=tick_id)
    with pytest.raises(BadInput, match="op_id"):
        kit.checklists.tick(kit["nurse1"], other, "RD-RESULTS", op_id=tick_id)
    assert item(kit, other, "RD-RESULTS").status is ItemStatus.PENDING


def test_checklist_operation_ids_are_checked(kit: Kit) -> None:
    number = team_case(kit)
    with pytest.raises(BadInput, match="op_id"):
        kit.checklists.tick(kit["nurse1"], number, "RD-RESULTS", op_id="short")


@pytest.fixture
def pg_kit(postgres_url: str) -> Iterator[Kit]:
    db = Database(make_nullpool_engine(postgres_url))
    yield build_kit(db)
    db.dispose()


@pytest.mark.postgres
def test_a_tick_retry_racing_its_original_is_answered_not_applied(pg_kit: Kit) -> None:
    """Postgres: the retry waits on its original's lock of the case, then finds the
    original's operation committed: answered as a replay, not refused as stale."""
    number = team_case(pg_kit)
    version = item(pg_kit, number, "RD-RESULTS").version
    tick_id = op()
    results = race(lambda: pg_kit.checklists.tick(pg_kit["nurse1"], number, "RD-RESULTS",
                                                  expected_version=version, op_id=tick_id))
    assert len(results) == 2
    assert not [r for r in results if isinstance(r, Exception)], results
    assert count(pg_kit, m.AuditEvent, action="tick_item") == 1
