"""Equipment screen (issue 15 item 1): a scheduler adds kinds and units through the screen
and the service lists them; bad input is said beside its field and writes nothing; a
unit sent to maintenance names the cases that lost it or got another unit; dated
closures are added and removed. Real services on a SQLite clone."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import EquipmentStatus, Laterality, Role
from surgdesk.errors import PermissionDenied
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import qt_datetime, select_key
from surgdesk.ui.manage.equipment import EquipmentDialog, parse_rooms
from tests.services.factories import Kit, at
from tests.ui.manage.fixtures import kit_services, settled, sqlite_db

__all__ = ["kit_services", "sqlite_db"]


def _open(qtbot: QtBot, services: Services, actor: Actor) -> EquipmentDialog:
    dialog = settled(EquipmentDialog)(services, actor)
    qtbot.add_widget(dialog)
    return dialog


def _audit(kit: Kit, action: str) -> list[m.AuditEvent]:
    with kit.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == action)))


def _fleet(services: Services, kit: Kit) -> None:
    """Two C-arms (any room) and a robot (OR1 only)."""
    equipment = services.equipment
    for kind in ("C-arm", "Robot"):
        equipment.add_kind(kit["admin"], kind)
    equipment.add_unit(kit["admin"], name="C-arm 1", kind="C-arm")
    equipment.add_unit(kit["admin"], name="C-arm 2", kind="C-arm")
    equipment.add_unit(kit["admin"], name="Robot", kind="Robot", rooms=["OR1"])


def test_a_scheduler_adds_a_kind_and_a_unit_that_the_service_then_lists(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    dialog = _open(qtbot, services, kit["sched"])
    assert dialog.current is None  # nothing yet: the form is a new unit's
    dialog.kind_name.setText("C-arm")
    assert dialog.add_kind()
    assert [k.name for k in services.equipment.kinds(kit["sched"])] == ["C-arm"]
    assert dialog.kinds.rowCount() == 1
    assert dialog.unit_kind.currentData() == "C-arm"  # offered to the unit form at once

    dialog.new_unit()
    dialog.unit_name.setText("C-arm 1")
    dialog.unit_rooms.setText("OR1, OR2")
    dialog.unit_turnaround.setValue(15)
    dialog.unit_notes.setText("Siemens Cios, SN 4411")
    assert dialog.save_unit()
    [unit] = services.equipment.units(kit["sched"])
    assert (unit.name, unit.kind, unit.room_codes, unit.turnaround_minutes, unit.status) == (
        "C-arm 1", "C-arm", ("OR1", "OR2"), 15, EquipmentStatus.AVAILABLE)
    assert unit.notes == "Siemens Cios, SN 4411"
    assert dialog.units.rowCount() == 1
    assert dialog.current is not None
    assert dialog.current.id == unit.id
    assert dialog.save_button.text() == "Save unit"
    assert len(_audit(kit, "add_equipment")) == 1
    assert dialog.kinds.row_at(0).unit_count == 1


def test_bad_unit_input_is_said_beside_its_field_and_nothing_is_written(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    services.equipment.add_kind(kit["admin"], "Laser")
    dialog = _open(qtbot, services, kit["sched"])
    dialog.new_unit()
    assert not dialog.save_unit()  # no name
    assert dialog.unit_errors.message("name")
    dialog.unit_name.setText("Laser 1")
    dialog.unit_rooms.setText("OR9")  # no such room
    assert not dialog.save_unit()
    assert "OR9" in dialog.unit_errors.message("rooms")
    assert dialog.unit_errors.message("name") == ""
    assert services.equipment.units(kit["sched"]) == []
    assert _audit(kit, "add_equipment") == []


def test_a_kind_is_renamed_and_deactivated(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    services.equipment.add_kind(kit["admin"], "Microscop")
    dialog = _open(qtbot, services, kit["sched"])
    assert select_key(dialog.kinds_view, dialog.kinds.row_at(0).id)
    assert dialog.kind_name.text() == "Microscop"
    dialog.kind_name.setText("Microscope")
    assert dialog.rename_kind()
    assert dialog.kind_active.text() == "Deactivate"
    assert dialog.toggle_kind()
    [kind] = services.equipment.kinds(kit["sched"])
    assert (kind.name, kind.active) == ("Microscope", False)
    assert dialog.kind_active.text() == "Activate"
    assert dialog.unit_kind.findData("Microscope") < 0  # no new unit of an inactive kind


def test_a_unit_sent_to_maintenance_names_the_cases_that_lost_it_or_got_another(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _fleet(services, kit)
    cases = services.cases
    moved = cases.create_case(
        kit["sched"], procedure_name="ORIF wrist", patient_id="MRN-1", patient_name="A",
        lead_surgeon="surg1", laterality=Laterality.LEFT, room="OR1", start=at(8),
        duration_min=60, equipment=["C-arm"]).case.case_number
    lost = cases.create_case(
        kit["sched"], procedure_name="Prostatectomy", patient_id="MRN-2", patient_name="B",
        lead_surgeon="surg2", laterality=Laterality.NOT_APPLICABLE, room="OR1",
        start=at(10), duration_min=120, equipment=["Robot"]).case.case_number
    dialog = _open(qtbot, services, kit["sched"])

    robot = services.equipment.unit(kit["sched"], "Robot")
    assert select_key(dialog.units_view, robot.id)
    dialog.unit_status.setCurrentIndex(dialog.unit_status.findData(
        EquipmentStatus.MAINTENANCE))
    assert dialog.save_unit()
    assert dialog.last_change is not None
    assert dialog.last_change.lost == (lost,)
    text = dialog.change_label.text()
    assert not dialog.change_label.isHidden()
    assert f"Robot went to maintenance: case {lost} lost it" in text
    assert services.equipment.unit(kit["sched"], "Robot").status is \
        EquipmentStatus.MAINTENANCE

    [first] = services.cases.get_case(kit["sched"], moved).case.equipment
    c_arm = services.equipment.unit(kit["sched"], first.unit or "")
    assert select_key(dialog.units_view, c_arm.id)
    assert dialog.change_label.isHidden()  # it spoke of the robot
    dialog.closure_from.setDateTime(qt_datetime(at(7)))
    dialog.closure_to.setDateTime(qt_datetime(at(12)))
    dialog.closure_reason.setText("Tube replacement")
    assert dialog.add_closure()
    assert dialog.last_change is not None
    assert dialog.last_change.reassigned == (moved,)
    assert f"case {moved} got another C-arm" in dialog.change_label.text()
    [held] = services.cases.get_case(kit["sched"], moved).case.equipment
    assert held.unit not in (None, first.unit)


def test_a_closure_is_added_and_removed(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _fleet(services, kit)
    dialog = _open(qtbot, services, kit["sched"])
    unit = services.equipment.unit(kit["sched"], "C-arm 2")
    assert select_key(dialog.units_view, unit.id)
    dialog.closure_reason.clear()
    assert not dialog.add_closure()
    assert dialog.closure_errors.message("reason")
    dialog.closure_reason.setText("Annual service")
    assert dialog.add_closure()
    [closure] = services.equipment.closures(kit["sched"], "C-arm 2")
    assert closure.reason == "Annual service"
    assert dialog.closures.rowCount() == 1
    dialog.closures_view.selectRow(0)
    assert dialog.remove_closure()
    assert services.equipment.closures(kit["sched"], "C-arm 2") == []
    assert dialog.closures.rowCount() == 0


@pytest.mark.parametrize(("role", "opens"), [
    (Role.ADMIN, True), (Role.SCHEDULER, True), (Role.SURGEON, False), (Role.NURSE, False)])
def test_who_may_open_the_equipment_screen(
        qtbot: QtBot, kit_services: tuple[Kit, Services], role: Role, opens: bool) -> None:
    kit, services = kit_services
    username = {Role.ADMIN: "admin", Role.SCHEDULER: "sched", Role.SURGEON: "surg1",
                Role.NURSE: "nurse1"}[role]
    if opens:
        _open(qtbot, services, kit[username])
    else:
        with pytest.raises(PermissionDenied):
            EquipmentDialog(services, kit[username])


def test_room_codes_are_read_from_commas_or_spaces() -> None:
    assert parse_rooms(" OR1, OR2  OR3,,") == ["OR1", "OR2", "OR3"]
    assert parse_rooms("  ") == []
