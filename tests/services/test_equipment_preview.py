"""The case form's conflict preview (``CaseCheckService.check_case``) with equipment: the
refusal the write would meet, named and pinned to the equipment field, nothing written."""

from __future__ import annotations

from surgdesk.services.case_checks import CaseCheckService
from tests.services.equipment_kit import EquipKit, ek, holds
from tests.services.factories import at

__all__ = ["ek"]  # the fixture


def _checks(ek: EquipKit) -> CaseCheckService:
    return CaseCheckService(ek.db, ek.kit.clock)


def test_a_taken_robot_is_the_preview_refusal_on_the_equipment_field(ek: EquipKit) -> None:
    held = ek.case(room="OR1", start=at(8), equipment=("Robot",)).case.case_number
    before = holds(ek.db)
    check = _checks(ek).check_case(ek["sched"], room="OR2", start=at(8, 30).replace(tzinfo=None),
                                   duration_min=60, lead_surgeon=None, equipment=["Robot"])
    assert check.hard_field == "equipment"
    assert check.hard is not None
    assert held in check.hard
    assert "OR1" in check.hard
    assert holds(ek.db) == before  # a preview writes nothing


def test_free_equipment_and_no_equipment_preview_clean(ek: EquipKit) -> None:
    ek.case(room="OR1", start=at(8), equipment=("C-arm",))
    checks = _checks(ek)
    for needs in (["C-arm"], []):
        check = checks.check_case(ek["sched"], room="OR2", start=at(8).replace(tzinfo=None),
                                  duration_min=60, lead_surgeon=None, equipment=needs)
        assert (check.hard, check.hard_field) == (None, None)


def test_a_stored_case_is_previewed_with_its_own_needs(ek: EquipKit) -> None:
    ek.case(room="OR1", start=at(8), equipment=("Robot",))
    mover = ek.case(room="OR2", start=at(11), equipment=("Robot",)).case.case_number
    check = _checks(ek).check_case(ek["sched"], room="OR2", start=at(8).replace(tzinfo=None),
                                   duration_min=60, lead_surgeon=None, case_number=mover)
    assert check.hard_field == "equipment"
    # Its own hold at 11:00 does not count against itself.
    same = _checks(ek).check_case(ek["sched"], room="OR2", start=at(11).replace(tzinfo=None),
                                  duration_min=60, lead_surgeon=None, case_number=mover)
    assert same.hard is None


def test_a_taken_room_names_the_room_field(ek: EquipKit) -> None:
    ek.case(room="OR1", start=at(8), equipment=())
    check = _checks(ek).check_case(ek["sched"], room="OR1", start=at(8).replace(tzinfo=None),
                                   duration_min=60, lead_surgeon=None, equipment=[])
    assert check.hard_field == "room"
