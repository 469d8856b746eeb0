"""Hard conflicts refuse and write nothing; soft conflicts warn and the change is made."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, RoomStatus, TeamRole
from surgdesk.errors import RoomConflict
from surgdesk.services.rooms import RoomService
from tests.services.factories import Kit, at, kit

__all__ = ["kit"]


def _snapshot(kit: Kit) -> tuple[int, int, int, list[tuple[object, ...]]]:
    """Row counts and every case's placement: what a refused change must leave alone."""
    with kit.db.new_session() as s:
        cases = s.execute(select(m.SurgeryCase.case_number, m.SurgeryCase.status,
                                 m.SurgeryCase.operating_room_id, m.SurgeryCase.scheduled_start,
                                 m.SurgeryCase.scheduled_end, m.SurgeryCase.version)
                          .order_by(m.SurgeryCase.id)).all()
        return (
            int(s.scalar(select(func.count(m.AuditEvent.id))) or 0),
            int(s.scalar(select(func.count(m.ChangeLog.id))) or 0),
            int(s.scalar(select(func.count(m.CaseNote.id))) or 0),
            [tuple(row) for row in cases],
        )


def _set_room(kit: Kit, code: str, **fields: object) -> None:
    with kit.db.new_session() as s:
        room = s.scalars(select(m.OperatingRoom).where(m.OperatingRoom.code == code)).one()
        for key, value in fields.items():
            setattr(room, key, value)
        s.commit()


# ---- hard ---------------------------------------------------------------------------------


# (start, minutes) against a case 08:00-09:00 in OR1, whose turnover runs to 09:30.
CLASHES = [
    (at(8), 60),  # same slot
    (at(8, 30), 30),  # inside
    (at(7), 61),  # ends one minute into the case
    (at(9), 30),  # starts in the turnover
    (at(9, 29), 30),  # last minute of turnover
    (at(7, 0), 31),  # its own turnover does not matter here, its time does: 07:00-07:31
]


def test_room_overlap_with_turnover_is_refused_and_nothing_written(kit: Kit) -> None:
    kit.new_case(start=at(8), duration_min=60)
    before = _snapshot(kit)
    for start, minutes in CLASHES:
        with pytest.raises(RoomConflict, match="OR1 is already booked") as err:
            kit.new_case(start=start, duration_min=minutes, patient_id="MRN-2")
        assert "2026-000001" in str(err.value)
    assert _snapshot(kit) == before


def test_touching_after_turnover_or_before_start_is_fine(kit: Kit) -> None:
    kit.new_case(start=at(8), duration_min=60)
    assert kit.new_case(start=at(9, 30), patient_id="MRN-2").case.status is CaseStatus.SCHEDULED
    # A case ending at 07:30 holds the room until 08:00 with its own turnover: it fits.
    early = kit.new_case(start=at(6, 30), duration_min=60, patient_id="MRN-3")
    assert early.case.status is CaseStatus.SCHEDULED
    with pytest.raises(RoomConflict):
        kit.new_case(start=at(6, 31), duration_min=60, patient_id="MRN-4")


def test_other_rooms_and_non_occupying_cases_do_not_clash(kit: Kit) -> None:
    first = kit.new_case().case.case_number
    assert kit.new_case(room="OR2", patient_id="MRN-2").case.room_code == "OR2"
    kit.cases.set_status(kit["sched"], first, CaseStatus.CANCELLED, reason="declined")
    assert kit.new_case(patient_id="MRN-3").case.status is CaseStatus.SCHEDULED


def test_move_and_resize_into_a_clash_are_refused(kit: Kit) -> None:
    kit.new_case(start=at(8), duration_min=60)
    other = kit.new_case(start=at(10), patient_id="MRN-2").case.case_number
    before = _snapshot(kit)
    for call in (
        lambda: kit.cases.move(kit["sched"], other, start=at(9)),
        lambda: kit.cases.move(kit["sched"], other, start=at(7), duration_min=45),
        lambda: kit.cases.move(kit["sched"], other, start=at(6), end=at(11)),
    ):
        with pytest.raises(RoomConflict):
            call()
    assert _snapshot(kit) == before


def test_room_in_maintenance_or_closed_takes_no_case(kit: Kit) -> None:
    before = _snapshot(kit)
    with pytest.raises(RoomConflict, match="OR3 is maintenance"):
        kit.new_case(room="OR3")
    _set_room(kit, "OR2", status=RoomStatus.CLOSED)
    with pytest.raises(RoomConflict, match="OR2 is closed"):
        kit.new_case(room="OR2")
    number = kit.new_case(room=None).case.case_number
    with pytest.raises(RoomConflict):
        kit.cases.schedule(kit["sched"], number, room="OR2", start=at(8))
    assert _snapshot(kit)[3][0][1] is CaseStatus.REQUESTED
    assert len(_snapshot(kit)[3]) == len(before[3]) + 1


def test_dated_closure_over_the_case_is_refused(kit: Kit) -> None:
    with kit.db.new_session() as s:
        room = s.scalars(select(m.OperatingRoom).where(m.OperatingRoom.code == "OR1")).one()
        s.add(m.RoomClosure(room=room, reason="deep clean",
                            starts_at=datetime(2026, 3, 3, 11, 0, tzinfo=UTC),
                            ends_at=datetime(2026, 3, 3, 13, 0, tzinfo=UTC)))
        s.commit()
    with pytest.raises(RoomConflict, match="deep clean"):
        kit.new_case(start=at(11, 30))  # 10:30-11:30 UTC
    assert kit.new_case(start=at(10), duration_min=120).case.status is CaseStatus.SCHEDULED
    assert kit.new_case(start=at(14), patient_id="MRN-2").case.room_code == "OR1"


# ---- soft -----------------------------------------------------------------------------------


def test_outside_room_hours_warns_in_department_time(kit: Kit) -> None:
    result = kit.new_case(start=at(18, 30), duration_min=60)
    assert [w.code for w in result.warnings] == ["outside_hours"]
    assert result.case.status is CaseStatus.SCHEDULED
    assert "07:00-19:00" in result.warnings[0].message
    assert kit.new_case(start=at(7), duration_min=60, patient_id="M2").warnings == ()
    saturday = kit.new_case(start=at(9, day=4), patient_id="M3")
    assert [w.code for w in saturday.warnings] == ["outside_hours"]


def test_a_case_across_midnight_in_a_round_the_clock_room_is_not_outside_hours(kit: Kit) -> None:
    # Before: the demo's emergency rooms (00:00-00:00, every day) flagged a case crossing
    # midnight "outside hours" while the board shaded the room as open; and the room service
    # refused the edit that says so. Now both read the room's hours through open_spans.
    RoomService(kit.db, kit.clock).update_room(
        kit["admin"], "OR1", opens_at=time(0), closes_at=time(0), weekdays=range(7))
    result = kit.new_case(start=at(23), duration_min=120)  # Tuesday 23:00 to Wednesday 01:00
    assert result.warnings == ()
    saturday_night = kit.new_case(start=at(23, day=4), duration_min=120, patient_id="MRN-2")
    assert saturday_night.warnings == ()


def test_round_the_clock_hours_are_worded_in_the_warning(kit: Kit) -> None:
    RoomService(kit.db, kit.clock).update_room(
        kit["admin"], "OR1", opens_at=time(0), closes_at=time(0), weekdays=(0, 1, 2, 3, 4))
    result = kit.new_case(start=at(23, day=3), duration_min=120)  # Friday night into Saturday
    assert [w.code for w in result.warnings] == ["outside_hours"]
    assert "open round the clock Mon,Tue,Wed,Thu,Fri" in result.warnings[0].message


def test_specialty_not_in_room_tags_warns(kit: Kit) -> None:
    result = kit.new_case(room="OR2", lead_surgeon="surg2")  # general surgeon, ortho room
    assert [w.code for w in result.warnings] == ["specialty"]
    assert kit.new_case(room="OR2", start=at(12)).warnings == ()  # orthopedics fits
    assert kit.new_case(start=at(12), lead_surgeon="surg2", anesthetist="anes2",
                        patient_id="M3").warnings == ()  # OR1 takes anything


def test_people_double_booked_warn_with_their_own_times(kit: Kit) -> None:
    first = kit.new_case(start=at(8)).case.case_number
    result = kit.new_case(room="OR2", start=at(8, 30), patient_id="MRN-2")
    codes = {w.code: w for w in result.warnings}
    assert set(codes) == {"surgeon_double_booked", "anesthetist_double_booked"}
    assert codes["surgeon_double_booked"].case_numbers == (first,)
    assert "Surg1 Test" in codes["surgeon_double_booked"].message
    assert result.case.room_code == "OR2"
    # Turnover is the room's: people may start elsewhere right when their case ends
    # (08:30-09:30 in OR2), even if OR2 is still being cleaned.
    later = kit.new_case(room="OR1", start=at(9, 30), patient_id="MRN-3")
    assert later.warnings == ()


def test_team_member_and_patient_double_booked_warn(kit: Kit) -> None:
    first = kit.new_case(start=at(8)).case.case_number
    kit.cases.assign_team_member(kit["sched"], first, "nurse1", TeamRole.SCRUB_NURSE)
    second = kit.new_case(room="OR2", start=at(8), lead_surgeon="surg2",
                          anesthetist="anes2").case.case_number
    assert kit.cases.get_case(kit["admin"], second).case.conflicts == (
        "patient_double_booked", "specialty")
    kit.cases.assign_team_member(kit["sched"], second, "nurse1", TeamRole.CIRCULATING_NURSE)
    result = kit.cases.move(kit["sched"], second, start=at(8, 15))
    assert {w.code for w in result.warnings} == {
        "team_double_booked", "patient_double_booked", "specialty"}
    patient = next(w for w in result.warnings if w.code == "patient_double_booked")
    assert "MRN" not in patient.message
    assert "Mustermann" not in patient.message


def test_double_booking_says_who_in_what_capacity_and_where(kit: Kit) -> None:
    # Before: "Surg1 Test is also booked at that time (case ...)": no capacity, no room,
    # no times. Now the warning reads like the issue's "Lead surgeon Dr Who is also booked
    # in OR1 08:00–09:00 (case 2026-000001)", times in the department zone (Berlin, UTC+1).
    first = kit.new_case(start=at(8)).case.case_number
    result = kit.new_case(room="OR2", start=at(8, 30), patient_id="MRN-2")
    messages = {w.code: w.message for w in result.warnings}
    assert messages["surgeon_double_booked"] == (
        f"Lead surgeon Surg1 Test is also booked in OR1 08:00\u201309:00 (case {first})")
    assert messages["anesthetist_double_booked"] == (
        f"Anesthetist Anes1 Test is also booked in OR1 08:00\u201309:00 (case {first})")


def test_care_team_double_booking_names_the_role_on_this_case(kit: Kit) -> None:
    first = kit.new_case(start=at(8)).case.case_number
    kit.cases.assign_team_member(kit["sched"], first, "nurse1", TeamRole.SCRUB_NURSE)
    second = kit.new_case(room="OR2", start=at(10), lead_surgeon="surg2", anesthetist="anes2",
                          patient_id="MRN-2").case.case_number
    kit.cases.assign_team_member(kit["sched"], second, "nurse1", TeamRole.CIRCULATING_NURSE)
    result = kit.cases.move(kit["sched"], second, start=at(8, 30))
    (team,) = [w for w in result.warnings if w.code == "team_double_booked"]
    assert team.message == (
        f"Circulating nurse Nurse1 Test is also booked in OR1 08:00\u201309:00 (case {first})")
    assert team.case_numbers == (first,)


def test_the_forms_preview_words_double_bookings_the_same_way(kit: Kit) -> None:
    # The case form's preview (CaseCheckService) goes through the same wording: for a new
    # case the lead and the anesthetist typed, for an existing one its care team too.
    from surgdesk.services.case_checks import CaseCheckService

    first = kit.new_case(start=at(8)).case.case_number
    kit.cases.assign_team_member(kit["sched"], first, "nurse1", TeamRole.SCRUB_NURSE)
    checks = CaseCheckService(kit.db, kit.clock)
    fresh = checks.check_case(kit["sched"], room="OR2", start=at(8, 30), duration_min=60,
                              lead_surgeon="surg1", anesthetist="anes2")
    assert [w.message for w in fresh.warnings if w.code == "surgeon_double_booked"] == [
        f"Lead surgeon Surg1 Test is also booked in OR1 08:00\u201309:00 (case {first})"]
    second = kit.new_case(room="OR2", start=at(10), lead_surgeon="surg2", anesthetist="anes2",
                          patient_id="MRN-2").case.case_number
    kit.cases.assign_team_member(kit["sched"], second, "nurse1", TeamRole.CIRCULATING_NURSE)
    moved = checks.check_case(kit["sched"], room="OR2", start=at(8, 30), duration_min=60,
                              lead_surgeon="surg2", anesthetist="anes2", case_number=second)
    assert [w.message for w in moved.warnings if w.code == "team_double_booked"] == [
        f"Circulating nurse Nurse1 Test is also booked in OR1 08:00\u201309:00 (case {first})"]


def test_double_booking_in_two_other_cases_names_both_and_other_days(kit: Kit) -> None:
    # An evening case of surg1 that runs past midnight, and one the next morning: a long
    # case of surg1's in OR2 meets both; the one starting the next day carries its date.
    late = kit.new_case(start=at(22), duration_min=180).case.case_number  # 22:00-01:00
    early = kit.new_case(start=at(6, day=1), patient_id="MRN-2").case.case_number
    result = kit.new_case(room="OR2", start=at(23), duration_min=8 * 60,
                          anesthetist="anes2", patient_id="MRN-3")
    (lead,) = [w for w in result.warnings if w.code == "surgeon_double_booked"]
    assert lead.message == (
        f"Lead surgeon Surg1 Test is also booked in OR1 22:00\u201301:00 (case {late}) and "
        f"in OR1 2026-03-04 06:00\u201307:00 (case {early})")
    assert lead.case_numbers == (late, early)


def test_warnings_come_back_on_every_change_that_places_a_case(kit: Kit) -> None:
    kit.new_case(start=at(8))
    number = kit.new_case(room=None).case.case_number
    result = kit.cases.schedule(kit["sched"], number, room="OR2", start=at(8))
    assert "surgeon_double_booked" in {w.code for w in result.warnings}
    moved = kit.cases.move(kit["sched"], number, start=at(19) - timedelta(minutes=30))
    assert [w.code for w in moved.warnings] == ["outside_hours"]
