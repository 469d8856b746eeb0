"""Equipment units and their closures: add, list, edit, close and reopen; bad input names
its field; who may write; audit and change feed; a unit going to maintenance or closed
names the cases that lose it and those given another unit of the kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import EquipmentStatus, Laterality
from surgdesk.errors import BadInput, Duplicate, NotFound, PermissionDenied, StaleVersion
from tests.services.cards_kit import (
    EVERYONE,
    NOT_MANAGERS,
    EquipKit,
    audit_actions,
    audit_details,
    ek,
    feed,
)
from tests.services.factories import at

__all__ = ["ek"]


def test_add_list_and_read_units(ek: EquipKit) -> None:
    ek.fleet()
    svc = ek.equipment
    units = svc.units(ek["viewer"])
    assert [(u.name, u.kind, u.room_codes, u.turnaround_minutes, u.status) for u in units] == [
        ("C-arm 1", "C-arm", (), 0, EquipmentStatus.AVAILABLE),
        ("C-arm 2", "C-arm", ("OR1", "OR2"), 15, EquipmentStatus.AVAILABLE),
        ("Robot", "Robot", ("OR1",), 0, EquipmentStatus.AVAILABLE),
    ]
    assert [u.name for u in svc.units(ek["nurse1"], kind="robot")] == ["Robot"]
    one = svc.unit(ek["surg1"], " c-arm 2 ")
    assert (one.name, one.kind_id, len(one.room_ids), one.version) == (
        "C-arm 2", units[0].kind_id, 2, 1)
    with pytest.raises(NotFound) as err:
        svc.unit(ek["admin"], "C-arm 3")
    assert err.value.field == "unit"


def test_edit_a_unit_without_touching_its_holds(ek: EquipKit) -> None:
    ek.fleet()
    svc, sched = ek.equipment, ek["sched"]
    before = svc.unit(sched, "C-arm 2")
    change = svc.update_unit(sched, "C-arm 2", expected_version=before.version,
                             new_name="C-arm West", notes="  lead apron in drawer 3\n ")
    assert (change.unit.name, change.unit.notes, change.unit.version) == (
        "C-arm West", "lead apron in drawer 3", 2)
    assert (change.reassigned, change.lost) == ((), ())
    with pytest.raises(StaleVersion):
        svc.update_unit(sched, "C-arm West", expected_version=before.version, notes="x")
    cleared = svc.update_unit(sched, "c-arm west", notes="")
    assert cleared.unit.notes is None
    unchanged = svc.update_unit(sched, "C-arm West", notes="")  # nothing to write
    assert unchanged.unit.version == cleared.unit.version
    assert audit_actions(ek.db, "EquipmentUnit", before.id) == [
        "add_equipment", "update_equipment", "update_equipment"]
    assert audit_details(ek.db, "update_equipment")[0] == {
        "name": {"before": "C-arm 2", "after": "C-arm West"},
        "notes": {"before": None, "after": "lead apron in drawer 3"}}
    assert audit_details(ek.db, "add_equipment")[1] == {
        "name": {"before": None, "after": "C-arm 2"},
        "kind": {"before": None, "after": "C-arm"},
        "rooms": {"before": None, "after": ["OR1", "OR2"]},
        "turnaround_minutes": {"before": None, "after": 15},
        "status": {"before": None, "after": "available"}}
    rows = feed(ek.db, "equipment_unit")
    assert [op for _, op, _ in rows] == ["insert"] * 3 + ["update"] * 2
    assert rows[-1][2] == sched.user_id


def test_unit_names_are_unique_case_insensitively(ek: EquipKit) -> None:
    ek.fleet()
    svc, admin = ek.equipment, ek["admin"]
    with pytest.raises(Duplicate) as dup:
        svc.add_unit(admin, name="c-ARM 1", kind="C-arm")
    assert dup.value.field == "name"
    with pytest.raises(Duplicate) as dup:
        svc.update_unit(admin, "C-arm 2", new_name="ROBOT")
    assert dup.value.field == "name"


_BAD_UNITS: list[tuple[dict[str, Any], str, str]] = [
    ({"name": " "}, "name", ""),
    ({"name": "x" * 65}, "name", "64"),
    ({"kind": "Laser"}, "kind", "Laser"),
    ({"rooms": ["OR1", "OR9", "or8"]}, "rooms", "'OR9', 'or8'"),
    ({"turnaround_min": 481}, "turnaround", "480"),
    ({"turnaround_min": -1}, "turnaround", "0"),
    ({"turnaround_min": "15"}, "turnaround", ""),
    ({"status": "broken"}, "status", ""),
    ({"notes": "bell\x07"}, "notes", "control"),
]


def test_bad_unit_input_names_its_field(ek: EquipKit) -> None:
    ek.fleet()
    for given, field, words in _BAD_UNITS:
        values: dict[str, Any] = {"name": "C-arm 3", "kind": "C-arm", **given}
        with pytest.raises(BadInput) as bad:
            ek.equipment.add_unit(ek["admin"], **values)
        assert bad.value.field == field, given
        assert words in bad.value.message, given
    assert len(ek.equipment.units(ek["admin"])) == 3


def test_bad_edits_name_their_field_and_write_nothing(ek: EquipKit) -> None:
    ek.fleet()
    svc, admin = ek.equipment, ek["admin"]
    for changes, field in ((dict(rooms=["OR7"]), "rooms"), (dict(turnaround_min=500),
                                                            "turnaround"),
                           (dict(kind="Laser"), "kind"), (dict(new_name=""), "name")):
        with pytest.raises(BadInput) as bad:
            svc.update_unit(admin, "Robot", **changes)
        assert bad.value.field == field
    with pytest.raises(NotFound) as err:
        svc.update_unit(admin, "Laser 1", notes="x")
    assert err.value.field == "unit"
    assert svc.unit(admin, "Robot").version == 1


def test_closures_are_department_time_and_can_be_removed(ek: EquipKit) -> None:
    ek.fleet()
    svc, sched = ek.equipment, ek["sched"]
    change = svc.close_unit(sched, "robot", start=at(7), end=at(12), reason=" service visit ")
    assert (change.unit.name, change.reassigned, change.lost) == ("Robot", (), ())
    aware = svc.close_unit(sched, "Robot", start=datetime(2026, 3, 10, 6, tzinfo=UTC),
                           end=datetime(2026, 3, 10, 8, tzinfo=UTC), reason="loan")
    assert aware.unit.version == change.unit.version
    closures = svc.closures(ek["viewer"], "Robot")
    # Berlin is UTC+1 in March: 07:00 there is 06:00 UTC.
    assert [(c.starts_at, c.ends_at, c.reason) for c in closures] == [
        (datetime(2026, 3, 3, 6, tzinfo=UTC), datetime(2026, 3, 3, 11, tzinfo=UTC),
         "service visit"),
        (datetime(2026, 3, 10, 6, tzinfo=UTC), datetime(2026, 3, 10, 8, tzinfo=UTC), "loan"),
    ]
    with pytest.raises(StaleVersion):
        svc.remove_closure(sched, closures[0].id, expected_version=closures[0].version + 1)
    unit = svc.remove_closure(sched, closures[0].id, expected_version=closures[0].version)
    assert unit.name == "Robot"
    assert [c.reason for c in svc.closures(sched, "Robot")] == ["loan"]
    with pytest.raises(NotFound) as err:
        svc.remove_closure(sched, closures[0].id)
    assert err.value.field == "closure_id"
    assert audit_actions(ek.db, "EquipmentUnit", unit.id) == [
        "add_equipment", "close_equipment", "close_equipment", "remove_equipment_closure"]
    closed = audit_details(ek.db, "close_equipment")[0]
    assert closed["reason"] == {"before": None, "after": "service visit"}
    assert closed["closure_id"] == closures[0].id
    assert [op for _, op, _ in feed(ek.db, "equipment_closure")] == [
        "insert", "insert", "delete"]


def test_bad_closures_name_their_field(ek: EquipKit) -> None:
    ek.fleet()
    for start, end, reason, field in [
        (at(12), at(12), "x", "end"),
        (at(12), at(11), "x", "end"),
        (at(8), at(9), "  ", "reason"),
        (datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 5), "x", "start"),  # DST gap
    ]:
        with pytest.raises(BadInput) as bad:
            ek.equipment.close_unit(ek["admin"], "Robot", start=start, end=end, reason=reason)
        assert bad.value.field == field
    assert ek.equipment.closures(ek["admin"], "Robot") == []


def test_only_admins_and_schedulers_manage_units_everyone_reads(ek: EquipKit) -> None:
    ek.fleet()
    svc = ek.equipment
    closure = svc.close_unit(ek["sched"], "Robot", start=at(7), end=at(8), reason="check")
    closure_id = svc.closures(ek["admin"], "Robot")[0].id
    for name in NOT_MANAGERS:
        actor = ek[name]
        with pytest.raises(PermissionDenied):
            svc.add_unit(actor, name="C-arm 3", kind="C-arm")
        with pytest.raises(PermissionDenied):
            svc.update_unit(actor, "Robot", notes="mine")
        with pytest.raises(PermissionDenied):
            svc.close_unit(actor, "Robot", start=at(9), end=at(10), reason="mine")
        with pytest.raises(PermissionDenied):
            svc.remove_closure(actor, closure_id)
    for name in EVERYONE:
        assert len(svc.units(ek[name])) == 3
        assert len(svc.closures(ek[name], "Robot")) == 1
    assert svc.unit(ek["admin"], "Robot").version == closure.unit.version


def test_close_unit_with_an_operation_id_applies_once(ek: EquipKit) -> None:
    ek.fleet()
    svc, sched = ek.equipment, ek["sched"]
    for _ in range(2):
        svc.close_unit(sched, "Robot", start=at(7), end=at(8), reason="check",
                       op_id="op-close-0001")
    assert len(svc.closures(sched, "Robot")) == 1
    first = svc.add_unit(sched, name="C-arm 3", kind="C-arm", op_id="op-unit-0001")
    assert svc.add_unit(sched, name="C-arm 3", kind="C-arm", op_id="op-unit-0001") == first


# ---- what an edit or a closure does to the cases holding the unit -----------------------


def _c_arm_case(ek: EquipKit, start: datetime, room: str = "OR1", **extra: Any) -> str:
    result = ek.kit.new_case(room=room, start=start, equipment=["C-arm"], **extra)
    return result.case.case_number


def _holders(ek: EquipKit, number: str) -> list[str | None]:
    """The units the case holds (None: a need without a unit), read straight from the
    rows (a case detail read costs more than the whole check)."""
    ce, case = m.CaseEquipment, m.SurgeryCase
    with ek.db.new_session() as s:
        stmt = (select(m.EquipmentUnit.name).select_from(ce)
                .join(case, case.id == ce.case_id)
                .outerjoin(m.EquipmentUnit, m.EquipmentUnit.id == ce.unit_id)
                .where(case.case_number == number).order_by(ce.id))
        return list(s.scalars(stmt))


def _feed_tables(ek: EquipKit) -> set[str]:
    with ek.db.new_session() as s:
        return set(s.scalars(select(m.ChangeLog.table_name)))


def _version(ek: EquipKit, number: str) -> int:
    with ek.db.new_session() as s:
        stmt = select(m.SurgeryCase.version).where(m.SurgeryCase.case_number == number)
        return int(s.scalars(stmt).one())


def test_maintenance_names_the_cases_reassigned_and_those_that_lose_the_unit(
        ek: EquipKit) -> None:
    ek.fleet()
    first = _c_arm_case(ek, at(8))  # C-arm 1 (by name)
    both = _c_arm_case(ek, at(8), room="OR2", laterality=Laterality.RIGHT,
                       patient_id="MRN-2")  # C-arm 2
    later = _c_arm_case(ek, at(13))  # C-arm 1 again
    assert _holders(ek, first) == ["C-arm 1"]
    assert _holders(ek, both) == ["C-arm 2"]
    versions = {n: _version(ek, n) for n in (first, both, later)}
    change = ek.equipment.update_unit(ek["sched"], "C-arm 1",
                                      status=EquipmentStatus.MAINTENANCE)
    assert change.unit.status is EquipmentStatus.MAINTENANCE
    # At 13:00 C-arm 2 is free; at 08:00 it is held in OR2.
    assert (change.reassigned, change.lost) == ((later,), (first,))
    assert _holders(ek, later) == ["C-arm 2"]
    assert _holders(ek, first) == [None]
    details = audit_details(ek.db, "update_equipment")[-1]
    assert (details["reassigned"], details["lost"]) == ([later], [first])
    # Other PCs learn it from the feed: the touched cases' versions moved, not the other.
    assert _version(ek, both) == versions[both]
    assert _version(ek, first) > versions[first]
    assert _version(ek, later) > versions[later]
    assert "case_equipment" in {t for t in _feed_tables(ek)}


def test_a_closure_names_the_cases_it_hits(ek: EquipKit) -> None:
    ek.fleet()
    robot = ek.kit.new_case(room="OR1", start=at(8), equipment=["Robot"]).case.case_number
    change = ek.equipment.close_unit(ek["admin"], "Robot", start=at(8, 30), end=at(10),
                                     reason="recall")
    assert (change.reassigned, change.lost) == ((), (robot,))
    assert _holders(ek, robot) == [None]
    assert audit_details(ek.db, "close_equipment")[-1]["lost"] == [robot]


def test_room_limits_and_turnaround_edits_recheck_holds(ek: EquipKit) -> None:
    ek.fleet()
    early = _c_arm_case(ek, at(8))  # C-arm 1, until 09:00
    change = ek.equipment.update_unit(ek["admin"], "C-arm 1", rooms=["OR2"])
    assert (change.reassigned, change.lost) == ((early,), ())
    assert _holders(ek, early) == ["C-arm 2"]
    # C-arm 2 is now held 08:00-09:15 (its turnaround); OR1 is free again at 09:30.
    late = _c_arm_case(ek, at(9, 30))
    assert _holders(ek, late) == ["C-arm 2"]
    # With 45 min the early case holds it until 09:45: the later one gives way, and
    # C-arm 1 may not go to OR1.
    change = ek.equipment.update_unit(ek["admin"], "C-arm 2", turnaround_min=45)
    assert (change.reassigned, change.lost) == ((), (late,))
    assert (_holders(ek, early), _holders(ek, late)) == (["C-arm 2"], [None])
    # Back to 15 min: the lost case is not re-allocated by itself (it keeps its mark).
    change = ek.equipment.update_unit(ek["admin"], "C-arm 2", turnaround_min=15)
    assert (change.reassigned, change.lost) == ((), ())
    assert _holders(ek, late) == [None]
