"""The pure conflict rules (domain.conflicts, domain.room_hours) the service and the board
use alike (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surgdesk.domain.conflicts import (
    Booked,
    PlacedCase,
    RoomRules,
    double_bookings,
    specialty_mismatch,
    window_conflicts,
)
from surgdesk.domain.room_hours import outside_hours
from surgdesk.domain.timezones import zone

BERLIN = zone("Europe/Berlin")
WEEKDAYS = (0, 1, 2, 3, 4)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2026 in Berlin (UTC+1) as UTC; the 2nd is a Monday."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("start", "end", "outside"),
    [
        (berlin(3, 7), berlin(3, 19), False),  # the whole opening day
        (berlin(3, 6, 59), berlin(3, 8), True),
        (berlin(3, 18), berlin(3, 19, 1), True),
        (berlin(7, 9), berlin(7, 10), True),  # Saturday
        (berlin(3, 18), berlin(4, 8), True),  # over night
    ],
)
def test_outside_hours_in_department_time(start: datetime, end: datetime,
                                          outside: bool) -> None:
    assert outside_hours(start, end, opens_at=time(7), closes_at=time(19),
                         weekdays=WEEKDAYS, tz=BERLIN) is outside


def test_a_room_open_past_midnight() -> None:
    assert not outside_hours(berlin(3, 22), berlin(4, 1), opens_at=time(20),
                             closes_at=time(2), weekdays=WEEKDAYS, tz=BERLIN)


def test_summer_time_hours_stay_wall_clock() -> None:
    summer_start = datetime(2026, 6, 2, 5, 0, tzinfo=UTC)  # 07:00 in Berlin (UTC+2)
    assert not outside_hours(summer_start, summer_start + timedelta(hours=1),
                             opens_at=time(7), closes_at=time(19), weekdays=WEEKDAYS, tz=BERLIN)


def test_specialty_tags() -> None:
    assert not specialty_mismatch("orthopedics", [])
    assert not specialty_mismatch("Orthopedics", ["orthopedics", "trauma"])
    assert specialty_mismatch("cardiac", ["orthopedics"])


def placed(case_id: int, start: datetime, end: datetime, *, room: int = 1, lead: int = 1,
           anesthetist: int | None = 2, team: tuple[int, ...] = (), patient: str = "P1",
           specialty: str = "general") -> PlacedCase:
    return PlacedCase(case_id, room, start, end, specialty, patient, lead, anesthetist, team)


RULES = {1: RoomRules((), time(7), time(19), WEEKDAYS),
         2: RoomRules(("cardiac",), time(7), time(19), WEEKDAYS)}


def test_window_conflicts_name_each_person_by_their_place_on_the_case() -> None:
    a = placed(1, berlin(3, 8), berlin(3, 9), lead=10, anesthetist=20, team=(30,), patient="A")
    # b: a's anesthetist (20) leads it and a's surgeon (10) assists.
    b = placed(2, berlin(3, 8, 30), berlin(3, 9, 30), room=2, lead=20, anesthetist=21,
               team=(10,), patient="B", specialty="cardiac")
    c = placed(3, berlin(3, 9), berlin(3, 10), lead=10, anesthetist=22, patient="A")
    marks = window_conflicts([a, b, c], RULES, BERLIN)
    assert marks[1] == ("anesthetist_double_booked", "surgeon_double_booked")
    assert marks[2] == ("surgeon_double_booked", "team_double_booked")
    # c starts when a ends (no clash with a, nor for patient A), but 10 is still in b.
    assert marks[3] == ("surgeon_double_booked",)


def test_window_conflicts_patient_hours_and_specialty() -> None:
    a = placed(1, berlin(3, 8), berlin(3, 9), lead=1, anesthetist=None, patient="X")
    b = placed(2, berlin(3, 8, 30), berlin(3, 20), room=2, lead=2, anesthetist=None,
               patient="X")
    marks = window_conflicts([a, b], RULES, BERLIN)
    assert marks[1] == ("patient_double_booked",)
    assert marks[2] == ("outside_hours", "patient_double_booked", "specialty")


def booked(number: str, start: datetime, end: datetime, room: str = "OR1") -> Booked:
    return Booked(number, room, start, end)


def test_double_bookings_compare_the_cases_own_times() -> None:
    a = booked("A", berlin(3, 8), berlin(3, 9))
    b = booked("B", berlin(3, 9), berlin(3, 10))  # touches: no clash
    c = booked("C", berlin(3, 7), berlin(3, 8, 1), room="OR2")
    found = double_bookings(berlin(3, 8), berlin(3, 9), [10, 20, 30],
                            [(a, 10), (b, 10), (c, 10), (a, 20), (c, 40)])
    assert found == {10: [c, a], 20: [a]}


def test_double_bookings_name_each_other_case_once() -> None:
    a = booked("A", berlin(3, 8), berlin(3, 9))
    assert double_bookings(berlin(3, 8), berlin(3, 9), [1], [(a, 1), (a, 1)]) == {1: [a]}
    assert double_bookings(berlin(3, 8), berlin(3, 9), [], [(a, 1)]) == {}


# One rule for the board and the warnings: the board's in-memory marks (window_conflicts)
# name a person exactly when double_bookings (what the service's warnings use) finds them
# in another case.
_people = st.integers(1, 5)
_cases = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12), _people, st.none() | _people,
              st.lists(_people, max_size=2)),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(_cases)
def test_board_marks_and_warnings_find_the_same_double_bookings(
    raw: list[tuple[int, int, int, int | None, list[int]]],
) -> None:
    step = timedelta(minutes=15)
    t0 = berlin(3, 8)
    cases = [placed(i + 1, t0 + start * step, t0 + (start + length) * step, lead=lead,
                    anesthetist=anes, team=tuple(team), patient=f"P{i}")
             for i, (start, length, lead, anes, team) in enumerate(raw)]
    marks = window_conflicts(cases, {}, BERLIN)
    person_codes = {"surgeon_double_booked", "anesthetist_double_booked", "team_double_booked"}
    for case in cases:
        others = [(Booked(str(o.case_id), None, o.start, o.end), uid)
                  for o in cases if o.case_id != case.case_id for uid in o.people()]
        found = double_bookings(case.start, case.end, case.people(), others)
        expected = {case.person_code(uid) for uid in found}
        assert set(marks.get(case.case_id, ())) & person_codes == expected
