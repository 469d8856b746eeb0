"""The status machine through the service: every transition, allowed or not, and gating."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from surgdesk.domain.enums import CaseStatus, NoteType
from surgdesk.domain.status_machine import ALLOWED_TRANSITIONS
from surgdesk.errors import BadInput, TransitionRefused
from tests.services.factories import Kit, at, case_in, kit, mark_done

__all__ = ["kit"]

S = CaseStatus

# What set_status itself does with each pair the machine allows.
BY_SET_STATUS = {
    (S.REQUESTED, S.POSTPONED), (S.REQUESTED, S.CANCELLED),
    (S.SCHEDULED, S.REQUESTED), (S.SCHEDULED, S.POSTPONED), (S.SCHEDULED, S.CANCELLED),
    (S.PREOP_READY, S.IN_PROGRESS), (S.PREOP_READY, S.POSTPONED),
    (S.PREOP_READY, S.CANCELLED), (S.IN_PROGRESS, S.COMPLETED), (S.POSTPONED, S.REQUESTED),
}
# Allowed by the machine, but reached another way: schedule() puts a case into a room,
# and preop_ready <-> scheduled follows the Readiness checklist by itself.
BY_OTHER_MEANS = {
    (S.REQUESTED, S.SCHEDULED), (S.POSTPONED, S.SCHEDULED),
    (S.SCHEDULED, S.PREOP_READY), (S.PREOP_READY, S.SCHEDULED),
}
ALL_PAIRS = [(a, b) for a, b in itertools.product(S, S) if a is not b]


def test_the_tables_above_cover_the_machine_exactly() -> None:
    allowed = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert allowed == BY_SET_STATUS | BY_OTHER_MEANS
    assert not BY_SET_STATUS & BY_OTHER_MEANS


def test_every_transition_allowed_or_refused(kit: Kit) -> None:
    """One case per pair; each source case has its gating checklist items done."""
    wrong = []
    for day, (source, target) in enumerate(ALL_PAIRS):
        number = case_in(kit, source, day=day % 28, hour=7 + day // 28 * 4)
        try:
            result = kit.cases.set_status(kit["admin"], number, target, reason="list overran")
        except TransitionRefused:
            outcome = "refused"
        else:
            outcome = "done" if result.case.status is target else f"now {result.case.status}"
        expected = "done" if (source, target) in BY_SET_STATUS else "refused"
        if outcome != expected:
            wrong.append(f"{source} -> {target}: {outcome}, expected {expected}")
    assert wrong == []


def test_asking_for_the_current_status_changes_nothing(kit: Kit) -> None:
    for day, status in enumerate(S):
        number = case_in(kit, status, day=day)
        before = kit.cases.get_case(kit["admin"], number).case
        after = kit.cases.set_status(kit["admin"], number, status).case
        assert after.status is status
        assert after.version == before.version


def test_schedule_takes_requested_and_postponed_cases_into_a_room(kit: Kit) -> None:
    for day, source in enumerate((S.REQUESTED, S.POSTPONED)):
        number = case_in(kit, source, day=day)
        result = kit.cases.schedule(kit["sched"], number, room="OR1", start=at(10, day=day))
        assert result.case.status is S.SCHEDULED
        assert result.case.room_code == "OR1"


def test_scheduled_cannot_be_requested_without_a_room(kit: Kit) -> None:
    number = case_in(kit, S.POSTPONED)
    with pytest.raises(TransitionRefused, match="needs a room"):
        kit.cases.set_status(kit["sched"], number, S.SCHEDULED)


@pytest.mark.parametrize("target", [S.POSTPONED, S.CANCELLED])
def test_postpone_and_cancel_need_a_reason_kept_as_a_note(kit: Kit, target: CaseStatus) -> None:
    number = case_in(kit, S.SCHEDULED)
    for blank in (None, "", "   "):
        with pytest.raises(BadInput) as err:
            kit.cases.set_status(kit["sched"], number, target, reason=blank)
        assert err.value.field == "reason"
    assert kit.cases.get_case(kit["admin"], number).case.status is S.SCHEDULED
    kit.cases.set_status(kit["sched"], number, target, reason="  surgeon ill  ")
    notes = kit.cases.get_case(kit["admin"], number).notes
    kind = NoteType.DELAY if target is S.POSTPONED else NoteType.CANCELLATION
    assert [(n.note_type, n.message) for n in notes] == [(kind, "surgeon ill")]


def test_postponing_frees_the_room_and_clears_the_times(kit: Kit) -> None:
    number = case_in(kit, S.SCHEDULED)
    case = kit.cases.set_status(kit["sched"], number, S.POSTPONED, reason="no bed").case
    assert (case.room_code, case.scheduled_start, case.scheduled_end) == (None, None, None)
    assert kit.new_case().case.status is S.SCHEDULED  # the same slot is free again


def test_cancelled_keeps_its_times_but_frees_the_room(kit: Kit) -> None:
    number = case_in(kit, S.CANCELLED)
    case = kit.cases.get_case(kit["admin"], number).case
    assert case.room_code == "OR1"
    assert case.scheduled_start is not None
    assert kit.new_case().case.status is S.SCHEDULED


def test_unschedule_sends_the_case_back_to_the_queue(kit: Kit) -> None:
    number = case_in(kit, S.SCHEDULED)
    case = kit.cases.unschedule(kit["sched"], number).case
    assert case.status is S.REQUESTED
    assert case.room_code is None
    queue = kit.cases.board(kit["sched"], at(0), at(0, day=1)).queue
    assert number in {c.case_number for c in queue}


def test_unknown_status_is_bad_input(kit: Kit) -> None:
    number = case_in(kit, S.SCHEDULED)
    with pytest.raises(BadInput) as err:
        kit.cases.set_status(kit["sched"], number, "nonsense")  # type: ignore[arg-type]
    assert err.value.field == "status"


# ---- checklist gating ---------------------------------------------------------------------


def test_explicit_preop_ready_is_refused_until_readiness_is_done(kit: Kit) -> None:
    number = case_in(kit, S.SCHEDULED)
    with pytest.raises(TransitionRefused, match="RD-CONSENT"):
        kit.cases.set_status(kit["sched"], number, S.PREOP_READY)


def test_in_progress_needs_sign_in_and_time_out(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    mark_done(kit, number, "Readiness", but="RD-CONSENT")
    kit.checklists.tick(kit["admin"], number, "RD-CONSENT")
    with pytest.raises(TransitionRefused, match="SI-IDENTITY") as err:
        kit.cases.set_status(kit["surg1"], number, S.IN_PROGRESS)
    assert "TO-TEAM" in str(err.value)
    assert "TO-IMAGING" not in str(err.value)  # optional items do not gate
    mark_done(kit, number, "Sign In")
    with pytest.raises(TransitionRefused, match="TO-TEAM"):
        kit.cases.set_status(kit["surg1"], number, S.IN_PROGRESS)
    mark_done(kit, number, "Time Out")
    case = kit.cases.set_status(kit["surg1"], number, S.IN_PROGRESS).case
    assert case.status is S.IN_PROGRESS
    assert case.actual_start == kit.clock.now()


def test_completed_needs_sign_out_and_stamps_the_end(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    mark_done(kit, number, "Readiness", "Sign In", "Time Out", but="RD-CONSENT")
    kit.checklists.tick(kit["admin"], number, "RD-CONSENT")
    kit.cases.set_status(kit["anes1"], number, S.IN_PROGRESS)
    with pytest.raises(TransitionRefused, match="SO-COUNTS"):
        kit.cases.set_status(kit["anes1"], number, S.COMPLETED)
    mark_done(kit, number, "Sign Out")
    kit.clock.advance(timedelta(hours=1))
    case = kit.cases.set_status(kit["anes1"], number, S.COMPLETED).case
    assert case.status is S.COMPLETED
    assert case.actual_end == kit.clock.now()


def test_every_status_change_is_audited(kit: Kit) -> None:
    number = case_in(kit, S.SCHEDULED)
    kit.cases.set_status(kit["sched"], number, S.CANCELLED, reason="patient declined")
    entry = kit.cases.history(kit["admin"], number)[0]
    assert entry.action == "set_status"
    assert entry.actor == "sched"
    assert entry.details["status"] == {"before": "scheduled", "after": "cancelled"}
    assert entry.details["reason"] == "patient declined"
