"""An operation id names one operation: reused for another action or another case it is
bad input — never an answer with another case's data, never a way past a permission."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from surgdesk.domain.enums import CaseStatus, NoteType, Phase
from surgdesk.errors import BadInput, PermissionDenied
from tests.services.factories import Kit, at, case_in, kit  # noqa: F401  (fixture)


def _refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(BadInput) as err:
        call()
    assert err.value.field == "op_id"
    assert "another operation" in str(err.value)


def test_an_op_id_of_another_case_is_bad_input(kit: Kit) -> None:  # noqa: F811
    mine = kit.new_case().case.case_number
    other = kit.new_case(start=at(11), patient_id="MRN-2").case.case_number
    op_id = uuid.uuid4().hex
    kit.cases.move(kit["sched"], mine, start=at(9), op_id=op_id)
    before = kit.cases.get_case(kit["sched"], other).case
    _refused(lambda: kit.cases.move(kit["sched"], other, start=at(13), op_id=op_id))
    after = kit.cases.get_case(kit["sched"], other).case
    assert (after.scheduled_start, after.version) == (before.scheduled_start, before.version)


def test_an_op_id_of_another_action_is_bad_input(kit: Kit) -> None:  # noqa: F811
    number = kit.new_case().case.case_number
    op_id = uuid.uuid4().hex
    kit.cases.move(kit["sched"], number, start=at(9), op_id=op_id)
    _refused(lambda: kit.cases.set_status(kit["sched"], number, CaseStatus.CANCELLED,
                                          reason="x", op_id=op_id))
    _refused(lambda: kit.cases.update_case(kit["sched"], number, expected_version=None,
                                           op_id=op_id, procedure_name="Other"))
    _refused(lambda: kit.new_case(op_id=op_id))
    _refused(lambda: kit.cases.add_note(kit["sched"], number, NoteType.GENERAL, "hi",
                                        op_id=op_id))
    _refused(lambda: kit.checklists.tick(kit["admin"], number, "RD-CONSENT", op_id=op_id))
    assert kit.cases.get_case(kit["sched"], number).case.status is CaseStatus.SCHEDULED


def test_an_op_id_never_skips_the_permission_check(kit: Kit) -> None:  # noqa: F811
    """Before: a viewer replaying the admin's start of a case got the case back (the
    replay was answered before the care-team check)."""
    number = case_in(kit, CaseStatus.PREOP_READY)
    op_id = uuid.uuid4().hex
    kit.cases.set_status(kit["admin"], number, CaseStatus.IN_PROGRESS, op_id=op_id)
    with pytest.raises(PermissionDenied):
        kit.cases.set_status(kit["nurse2"], number, CaseStatus.IN_PROGRESS, op_id=op_id)
    note_id = uuid.uuid4().hex
    kit.cases.add_note(kit["surg1"], number, NoteType.GENERAL, "ready", op_id=note_id)
    with pytest.raises(PermissionDenied):
        kit.cases.add_note(kit["surg2"], number, NoteType.GENERAL, "ready", op_id=note_id)


def test_a_note_op_id_on_another_case_is_bad_input(kit: Kit) -> None:  # noqa: F811
    mine = kit.new_case().case.case_number
    other = kit.new_case(start=at(11), patient_id="MRN-2").case.case_number
    op_id = uuid.uuid4().hex
    kit.cases.add_note(kit["sched"], mine, NoteType.GENERAL, "first", op_id=op_id)
    _refused(lambda: kit.cases.add_note(kit["sched"], other, NoteType.GENERAL, "first",
                                        op_id=op_id))
    assert kit.cases.get_case(kit["sched"], other).notes == ()


def test_checklist_op_ids_are_bound_to_their_action(kit: Kit) -> None:  # noqa: F811
    number = case_in(kit, CaseStatus.PREOP_READY)
    op_id = uuid.uuid4().hex
    kit.checklists.tick(kit["admin"], number, "SI-IDENTITY", op_id=op_id)
    _refused(lambda: kit.checklists.sign_off(kit["admin"], number, Phase.PRE_OP,
                                             op_id=op_id))
    _refused(lambda: kit.checklists.assign(kit["admin"], number, "SI-IDENTITY", "nurse1",
                                           op_id=op_id))


def test_a_print_op_id_is_not_an_export(kit: Kit) -> None:  # noqa: F811
    op_id = uuid.uuid4().hex
    assert kit.cases.record_downtime_print(kit["sched"], date(2026, 3, 3),
                                           datetime(2026, 3, 3, tzinfo=UTC), False, 0,
                                           op_id=op_id)
    _refused(lambda: kit.cases.record_board_export(kit["sched"], date(2026, 3, 3), 1, False,
                                                   op_id=op_id))
