"""The case form's conflict preview (``CaseCheckService.check_case``): the same answers as
the write, and nothing written."""

from __future__ import annotations

from datetime import timedelta

from surgdesk.domain.enums import RoomStatus
from surgdesk.services.case_checks import CaseCheckService
from tests.ui.case.conftest import SLOT, Dept


def checker(dept: Dept) -> CaseCheckService:
    return dept.services.checks


def test_a_free_slot_has_nothing_to_say(dept_any: Dept) -> None:
    check = checker(dept_any).check_case(dept_any["sched"], room="OR1", start=SLOT, duration_min=60,
                                     lead_surgeon="surg1", patient_id="MRN-9")
    assert check.hard is None
    assert check.warnings == ()


def test_a_taken_room_is_a_hard_refusal_turnover_included(dept_any: Dept) -> None:
    first = dept_any.new_case(room="OR1", start=SLOT)  # 08:00-09:30, then 30 min turnover
    check = checker(dept_any).check_case(dept_any["sched"], room="OR1",
                                     start=SLOT + timedelta(minutes=100), duration_min=30,
                                     lead_surgeon="surg2")
    assert check.hard is not None
    assert first.case.case_number in check.hard
    after = checker(dept_any).check_case(dept_any["sched"], room="OR1",
                                     start=SLOT + timedelta(minutes=120), duration_min=30,
                                     lead_surgeon="surg2")
    assert after.hard is None


def test_a_room_in_maintenance_takes_no_case(dept_any: Dept) -> None:
    dept_any.services.rooms.update_room(dept_any["admin"], "OR2", status=RoomStatus.MAINTENANCE)
    check = checker(dept_any).check_case(dept_any["sched"], room="OR2", start=SLOT, duration_min=60,
                                     lead_surgeon="surg2")
    assert check.hard == "OR2 is maintenance"


def test_soft_conflicts_name_the_people_and_the_patient(dept_any: Dept) -> None:
    first = dept_any.new_case(room="OR1", start=SLOT).case.case_number
    check = checker(dept_any).check_case(
        dept_any["sched"], room="OR2", start=SLOT + timedelta(minutes=30), duration_min=60,
        lead_surgeon="surg1", anesthetist="anes1", specialty="cardiology",
        patient_id="MRN-1001")
    assert check.hard is None
    codes = [w.code for w in check.warnings]
    assert sorted(codes) == ["anesthetist_double_booked", "patient_double_booked",
                             "specialty", "surgeon_double_booked"]
    assert all(first in w.case_numbers for w in check.warnings if w.case_numbers)


def test_an_existing_case_does_not_clash_with_itself(dept_any: Dept) -> None:
    number = dept_any.new_case(room="OR1", start=SLOT).case.case_number
    check = checker(dept_any).check_case(
        dept_any["sched"], room="OR1", start=SLOT + timedelta(minutes=15), duration_min=90,
        lead_surgeon="surg1", anesthetist="anes1", case_number=number)
    assert check.hard is None
    assert check.warnings == ()
    outside = checker(dept_any).check_case(
        dept_any["sched"], room="OR1", start=SLOT.replace(hour=18), duration_min=120,
        lead_surgeon="surg1", case_number=number)
    assert [w.code for w in outside.warnings] == ["outside_hours"]
    assert len(dept_any.services.cases.list_cases(dept_any["admin"])) == 1
