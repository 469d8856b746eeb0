"""The case form's edits and notes are saved once: a retry with the same operation id
(after a lost reply) is answered with what is stored, not applied again."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import NoteType
from surgdesk.errors import DatabaseUnavailable
from surgdesk.repository.uow import UnitOfWork
from tests.services.factories import Kit, kit

__all__ = ["kit"]


def op() -> str:
    return uuid.uuid4().hex


def audited(setup: Kit, action: str) -> int:
    with setup.db.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(m.AuditEvent).where(
            m.AuditEvent.action == action)) or 0)


def notes(setup: Kit) -> int:
    with setup.db.new_session() as s:
        return int(s.scalar(select(func.count()).select_from(m.CaseNote)) or 0)


def test_a_retried_edit_is_applied_once_and_keeps_a_later_edit(kit: Kit) -> None:
    case = kit.new_case().case
    edit_id = op()
    first = kit.cases.update_case(kit["sched"], case.case_number, expected_version=case.version,
                                  procedure_name="Hip replacement", op_id=edit_id)
    # The retry still carries the version the form was loaded with: a replay, not stale.
    again = kit.cases.update_case(kit["sched"], case.case_number, expected_version=case.version,
                                  procedure_name="Hip replacement", op_id=edit_id)
    assert again.case.version == first.case.version
    assert audited(kit, "update_case") == 1
    later = kit.cases.update_case(kit["sched"], case.case_number,
                                  expected_version=first.case.version, procedure_name="Knee")
    replay = kit.cases.update_case(kit["sched"], case.case_number,
                                   expected_version=case.version,
                                   procedure_name="Hip replacement", op_id=edit_id)
    assert replay.case.procedure_name == later.case.procedure_name == "Knee"


def test_edit_reply_lost_after_commit_then_retry_applies_once(
        kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    case = kit.new_case().case
    commit = UnitOfWork.commit

    def commit_then_lose_the_reply(self: UnitOfWork) -> None:
        commit(self)
        raise DatabaseUnavailable("the connection dropped before the reply arrived")

    monkeypatch.setattr(UnitOfWork, "commit", commit_then_lose_the_reply)
    edit_id = op()
    with pytest.raises(DatabaseUnavailable):
        kit.cases.update_case(kit["sched"], case.case_number, expected_version=case.version,
                              priority="urgent", op_id=edit_id)
    monkeypatch.setattr(UnitOfWork, "commit", commit)
    result = kit.cases.update_case(kit["sched"], case.case_number,
                                   expected_version=case.version, priority="urgent",
                                   op_id=edit_id)
    assert result.case.priority.value == "urgent"
    assert result.case.version == case.version + 1
    assert audited(kit, "update_case") == 1


def test_a_retried_note_is_added_once(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    note_id = op()
    first = kit.cases.add_note(kit["sched"], number, NoteType.GENERAL, "Bring the x-rays",
                               op_id=note_id)
    again = kit.cases.add_note(kit["sched"], number, NoteType.GENERAL, "Bring the x-rays",
                               op_id=note_id)
    assert again == first
    assert notes(kit) == 1
    assert audited(kit, "add_note") == 1
    kit.cases.add_note(kit["sched"], number, NoteType.GENERAL, "Bring the x-rays")
    assert notes(kit) == 2  # without an id, a second note is a second note
