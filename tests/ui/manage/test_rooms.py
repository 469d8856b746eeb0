"""Rooms: a closure over a booked case is shown before saving, then blocks new bookings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import RoomStatus
from surgdesk.errors import RoomConflict
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import qt_datetime, select_key
from surgdesk.ui.manage.rooms import RoomsDialog
from tests.services.factories import Kit, at
from tests.ui.manage.fixtures import kit_services, settled, sqlite_db

__all__ = ["kit_services", "sqlite_db"]


@pytest.fixture
def rooms(qtbot: QtBot, kit_services: tuple[Kit, Services]) -> RoomsDialog:
    kit, services = kit_services
    dialog = settled(RoomsDialog)(services, kit["sched"])
    qtbot.add_widget(dialog)
    return dialog


def _audit(kit: Kit, action: str) -> list[m.AuditEvent]:
    with kit.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == action)))


def test_closure_over_a_booked_case_warns_before_saving_then_blocks_bookings(
    rooms: RoomsDialog, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    booked = kit.new_case(start=at(8)).case.case_number
    assert select_key(rooms.rooms_view, "OR1")
    rooms.closure_from.setDateTime(qt_datetime(at(7)))
    rooms.closure_to.setDateTime(qt_datetime(at(12)))
    rooms.closure_reason.setText("Laminar flow unit failed")

    assert rooms.clashes == [booked]
    assert not rooms.clash_label.isHidden()
    assert booked in rooms.clash_label.text()
    assert rooms.add_closure_button.text() == "Add closure despite 1 case"
    assert services.rooms.closures(kit["sched"], "OR1") == []  # nothing saved yet

    assert rooms.add_closure()
    [closure] = services.rooms.closures(kit["sched"], "OR1")
    assert closure.reason == "Laminar flow unit failed"
    assert rooms.closures.rowCount() == 1
    assert rooms.closure_reason.text() == ""  # the form is reset for the next closure
    with pytest.raises(RoomConflict):
        kit.new_case(start=at(10, 30), patient_id="MRN-2")
    assert kit.new_case(start=at(13), patient_id="MRN-3").case.room_code == "OR1"
    [event] = _audit(kit, "add_closure")
    assert event.actor_id == kit["sched"].user_id


def test_closure_over_an_empty_span_has_no_warning_and_can_be_removed(
    rooms: RoomsDialog, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    kit.new_case(start=at(8))
    select_key(rooms.rooms_view, "OR1")
    rooms.closure_from.setDateTime(qt_datetime(at(14)))
    rooms.closure_to.setDateTime(qt_datetime(at(18)))
    rooms.closure_reason.setText("Deep clean")
    assert rooms.clashes == []
    assert rooms.clash_label.isHidden()
    assert rooms.add_closure_button.text() == "Add closure"
    assert rooms.add_closure()
    assert not rooms.remove_closure()  # nothing selected
    rooms.closures_view.selectRow(0)
    assert rooms.remove_closure()
    assert services.rooms.closures(kit["sched"], "OR1") == []
    assert _audit(kit, "remove_closure")


def test_closure_errors_name_their_field_and_write_nothing(
    rooms: RoomsDialog, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    select_key(rooms.rooms_view, "OR2")
    rooms.closure_from.setDateTime(qt_datetime(at(9)))
    rooms.closure_to.setDateTime(qt_datetime(at(8)))
    rooms.closure_reason.setText("")
    assert not rooms.add_closure()
    assert rooms.closure_errors.message("reason") == "Must not be empty"
    rooms.closure_reason.setText("Staffing")
    assert not rooms.add_closure()
    assert rooms.closure_errors.message("ends_at") == "Must be after starts_at"
    assert services.rooms.closures(kit["sched"], "OR2") == []


def test_add_and_edit_a_room(rooms: RoomsDialog, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    rooms.new_room()
    assert not rooms.closure_box.isEnabled()
    rooms.code.setText("OR9")
    rooms.name.setText("Hybrid theatre")
    rooms.location.setText("Level 4")
    rooms.tags.setText("vascular, cardiac, vascular")
    rooms.turnover.setValue(45)
    rooms.weekdays[5].setChecked(True)
    assert rooms.save_room()
    room = services.rooms.get_room(kit["sched"], "OR9")
    assert room.specialty_tags == ("vascular", "cardiac")
    assert room.weekdays == (0, 1, 2, 3, 4, 5)
    assert room.turnover_minutes == 45
    assert rooms.closure_box.isEnabled()

    rooms.status.setCurrentIndex(rooms.status.findData(RoomStatus.MAINTENANCE))
    rooms.name.setText("Hybrid theatre (angio)")
    assert rooms.save_room()
    room = services.rooms.get_room(kit["sched"], "OR9")
    assert room.status is RoomStatus.MAINTENANCE
    assert room.name == "Hybrid theatre (angio)"
    assert [e.details["name"]["after"] for e in _audit(kit, "update_room")] == [
        "Hybrid theatre (angio)"]


def test_bad_room_input_is_shown_beside_the_field_and_nothing_is_written(
    rooms: RoomsDialog, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    before = services.rooms.list_rooms(kit["sched"])
    rooms.new_room()
    rooms.code.setText("OR 1!")
    rooms.name.setText("")
    for box in rooms.weekdays:
        box.setChecked(False)
    assert not rooms.save_room()
    assert "letters, digits" in rooms.room_errors.message("code")
    assert rooms.room_errors.message("name") == "Must not be empty"
    assert rooms.room_errors.message("weekdays").startswith("At least one weekday")
    rooms.code.setText("or2")
    rooms.name.setText("Duplicate")
    rooms.weekdays[0].setChecked(True)
    assert not rooms.save_room()
    assert "already taken" in rooms.room_errors.message("code")
    rooms.code.setText("OR8")
    rooms.opens.setTime(qt_datetime(at(18)).time())
    rooms.closes.setTime(qt_datetime(at(8)).time())
    assert not rooms.save_room()
    assert rooms.room_errors.message("closes_at") == (
        "Must be after opens_at (or equal to it: open round the clock)")
    assert services.rooms.list_rooms(kit["sched"]) == before


def test_room_models_pass_the_model_tester(qtmodeltester: ModelTester, rooms: RoomsDialog,
                                          kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    qtmodeltester.check(rooms.rooms)
    select_key(rooms.rooms_view, "OR1")
    services.rooms.add_closure(kit["sched"], "OR1", starts_at=at(7, day=1),
                               ends_at=at(7, day=1) + timedelta(hours=3), reason="Audit")
    rooms.reload(select="OR2")
    select_key(rooms.rooms_view, "OR1")
    assert rooms.closures.rowCount() == 1
    qtmodeltester.check(rooms.closures)


def test_every_room_column_is_shown_whole(qtbot: QtBot, kit_services: tuple[Kit, Services],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # A desk PC's full-HD screen (the offscreen platform's own is 800 x 600).
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(0, 0, 1920, 1040))
    kit, services = kit_services
    services.rooms.add_room(kit["admin"], code="HYB1", name="Hybrid cardiovascular theatre",
                            location="Building C, second floor, west wing",
                            specialty_tags=["cardiac surgery", "vascular surgery",
                                            "interventional radiology"])
    dialog = settled(RoomsDialog)(services, kit["admin"])
    qtbot.add_widget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    view = dialog.rooms_view
    assert view.horizontalHeader().length() <= view.viewport().width()
    for column in range(dialog.rooms.columnCount()):
        assert view.columnWidth(column) >= view.sizeHintForColumn(column)
