"""Undoing the scheduling of a postponed case puts it back as postponed (``unschedule`` with
``to=postponed``), keeping its postponement note and asking no new reason — but only for a
case that came onto the board from postponed; anything else is postponed with a reason."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, NoteType
from surgdesk.errors import BadInput, PermissionDenied, TransitionRefused
from tests.services.factories import (  # noqa: F401  (fixture)
    PRE_OP_GATES,
    Kit,
    at,
    case_in,
    kit,
    mark_done,
)


def _notes(setup: Kit, number: str) -> list[tuple[NoteType, str]]:
    with setup.db.new_session() as s:
        case = s.scalars(select(m.SurgeryCase).where(m.SurgeryCase.case_number == number)).one()
        return [(n.note_type, n.message) for n in case.notes]


def _postponed_then_scheduled(setup: Kit) -> str:
    number = case_in(setup, CaseStatus.POSTPONED)
    setup.cases.schedule(setup["sched"], number, room="OR1", start=at(13))
    return number


def test_undo_of_scheduling_a_postponed_case_puts_it_back_postponed(kit: Kit) -> None:  # noqa: F811
    number = _postponed_then_scheduled(kit)
    notes = _notes(kit, number)
    result = kit.cases.unschedule(kit["sched"], number, to=CaseStatus.POSTPONED)
    case = result.case
    assert case.status is CaseStatus.POSTPONED
    assert (case.room_id, case.scheduled_start, case.scheduled_end) == (None, None, None)
    assert _notes(kit, number) == notes  # the first postponement's reason stands, no new note
    [entry] = [e for e in kit.cases.history(kit["sched"], number)
               if e.details.get("postponement_restored")]
    assert entry.action == "set_status"
    assert entry.details["status"] == {"before": "scheduled", "after": "postponed"}
    # Scheduled again (a redo) it is an ordinary scheduled case.
    again = kit.cases.schedule(kit["sched"], number, room="OR1", start=at(13))
    assert again.case.status is CaseStatus.SCHEDULED


def test_a_pre_op_ready_case_goes_back_postponed_too(kit: Kit) -> None:  # noqa: F811
    number = case_in(kit, CaseStatus.POSTPONED)
    mark_done(kit, number, "Readiness", *PRE_OP_GATES)
    placed = kit.cases.schedule(kit["sched"], number, room="OR1", start=at(13))
    assert placed.case.status is CaseStatus.PREOP_READY
    back = kit.cases.unschedule(kit["sched"], number, to=CaseStatus.POSTPONED)
    assert back.case.status is CaseStatus.POSTPONED


def test_a_case_not_postponed_before_needs_a_reason(kit: Kit) -> None:  # noqa: F811
    scheduled = case_in(kit, CaseStatus.SCHEDULED)  # created onto the board
    with pytest.raises(TransitionRefused, match="postpone it with a reason"):
        kit.cases.unschedule(kit["sched"], scheduled, to=CaseStatus.POSTPONED)
    requested = kit.new_case(room=None).case.case_number
    kit.cases.schedule(kit["sched"], requested, room="OR1", start=at(13))
    with pytest.raises(TransitionRefused, match="postpone it with a reason"):
        kit.cases.unschedule(kit["sched"], requested, to=CaseStatus.POSTPONED)
    # Postponed, then requested, then scheduled: it came onto the board from requested.
    number = case_in(kit, CaseStatus.POSTPONED, hour=15)
    kit.cases.set_status(kit["sched"], number, CaseStatus.REQUESTED)
    kit.cases.schedule(kit["sched"], number, room="OR2", start=at(16))
    with pytest.raises(TransitionRefused):
        kit.cases.unschedule(kit["sched"], number, to=CaseStatus.POSTPONED)
    for refused in (scheduled, requested, number):
        stored = kit.cases.get_case(kit["sched"], refused).case
        assert stored.status is CaseStatus.SCHEDULED


def test_a_case_back_in_the_queue_is_not_postponed_without_a_reason(kit: Kit) -> None:  # noqa: F811
    number = _postponed_then_scheduled(kit)
    kit.cases.unschedule(kit["sched"], number)  # the plain unschedule: requested
    with pytest.raises(TransitionRefused, match="only a case on the board"):
        kit.cases.unschedule(kit["sched"], number, to=CaseStatus.POSTPONED)
    assert kit.cases.get_case(kit["sched"], number).case.status is CaseStatus.REQUESTED


def test_the_plain_unschedule_still_makes_it_requested(kit: Kit) -> None:  # noqa: F811
    number = _postponed_then_scheduled(kit)
    assert kit.cases.unschedule(kit["sched"], number).case.status is CaseStatus.REQUESTED


def test_put_back_postponed_is_idempotent_and_versioned(kit: Kit) -> None:  # noqa: F811
    number = _postponed_then_scheduled(kit)
    version = kit.cases.get_case(kit["sched"], number).case.version
    op_id = uuid.uuid4().hex
    first = kit.cases.unschedule(kit["sched"], number, to=CaseStatus.POSTPONED,
                                 expected_version=version, op_id=op_id)
    again = kit.cases.unschedule(kit["sched"], number, to=CaseStatus.POSTPONED,
                                 expected_version=version, op_id=op_id)
    assert again.case.version == first.case.version
    assert again.case.status is CaseStatus.POSTPONED


def test_only_schedulers_and_only_queue_statuses(kit: Kit) -> None:  # noqa: F811
    number = _postponed_then_scheduled(kit)
    with pytest.raises(PermissionDenied):
        kit.cases.unschedule(kit["surg1"], number, to=CaseStatus.POSTPONED)
    with pytest.raises(BadInput) as caught:
        kit.cases.unschedule(kit["sched"], number, to=CaseStatus.CANCELLED)
    assert caught.value.field == "to"
    assert kit.cases.get_case(kit["sched"], number).case.status is CaseStatus.SCHEDULED
